"""Killing the service mid-call (SIGKILL: no clean-up, no last write) loses no plan the
caller heard confirmed and leaves no half-written record.

Two ``voicebot serve`` processes, each on its own SQLite database, take Jane Doe's call
from test_call.py several times at once and are killed while those calls are at
different points: in the greeting, in the middle of the negotiation, just after the
consent, at the first word of the confirmation and during it. Each database is then
opened as a restart opens it and checked, and the service is restarted on it.
(Servers run side by side and carry several calls each: a server takes half a minute
to start, and the file must stay short.)
"""

from __future__ import annotations

import asyncio
import os
import signal
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

import numpy as np
import pytest
from streamdouble.protocol import StreamIdentity
from streamdouble.scenario import parse
from streamdouble.session import Session, SessionConfig, SessionResult

from tests.conftest import (
    FIXTURES,
    Server,
    free_port,
    launch_server,
    read_wav,
    wait_until_healthy,
)
from tests.e2e.helpers import new_call_sid, twiml_parameters
from voicebot.audio.codec import ulaw_decode
from voicebot.audio.resample import resample
from voicebot.data import Database, Records
from voicebot.engines.stt import transcribe_recording

pytestmark = [pytest.mark.e2e, pytest.mark.models]

JANE = {"creditor": "acme-telecom", "account": "100200"}
AGREE = "en_jane_agree.wav"
AGREE_SECONDS = len(read_wav(FIXTURES / AGREE)) / 16_000


def turn(clip: str) -> list[dict]:
    """Say a clip, then wait until the bot has answered it. The wait is longer than
    test_call.py's: several calls share the machine here, and the next clip must not
    go out before the bot has started to answer."""
    return [{"say": clip}, {"wait": 5.0}, {"wait_for": {"event": "quiet", "timeout": 60}}]


# Jane Doe's call from test_english_call_negotiates_a_plan_by_voice. The `expect` step
# leaves an event in the call's log at the moment her consent starts to be sent.
JANE_CALL = [
    {"wait": 2.0}, {"wait_for": {"event": "quiet", "timeout": 30}},
    *turn("en_jane_yes.wav"), *turn("en_jane_name.wav"), *turn("en_jane_zip.wav"),
    *turn("en_jane_100_a_month.wav"),
    {"expect": "audio"}, {"say": AGREE}, {"wait": 15},
]
IDENTITY_TURNS = 3  # yes, name, post code: Jane is verified once the third is answered


@dataclass
class Caller:
    """A scripted call running in the background; its log grows as it goes. Instants
    are ``time.perf_counter`` seconds, as in streamdouble's log."""

    call_sid: str
    session: Session
    task: asyncio.Task[SessionResult]

    def times(self, *kinds: str) -> list[float]:
        return [e.at for e in self.session.result.events if e.kind in kinds]

    def replies_heard(self) -> int:
        """The bot's replies heard to the end (the greeting and each answer): each quiet
        the caller waited for that came after new audio. A quiet reached with nothing
        heard since the last one is no reply: on a loaded machine the bot may not have
        begun to answer by the time the caller stops waiting for it to start."""
        heard, new_audio = 0, False
        for event in self.session.result.events:
            if event.kind == "media_received":
                new_audio = True
            elif event.kind == "wait_for_satisfied":
                heard += new_audio
                new_audio = False
        return heard

    def greeted(self) -> float | None:
        done = self.times("wait_for_satisfied")
        return done[0] if done else None

    def consent_started(self) -> float | None:
        # An `expect` the call never reached is logged too when it ends: not that one.
        return next((e.at for e in self.session.result.events if e.kind == "expectation"
                     and "not reached" not in e.detail["what"]), None)

    def consent_sent(self) -> float | None:
        started = self.consent_started()
        return None if started is None else started + AGREE_SECONDS

    def confirmation_began(self) -> float | None:
        """The bot's first audio after the consent (it was quiet when the consent began)."""
        started = self.consent_started()
        if started is None:
            return None
        return next((at for at in self.times("media_received") if at >= started), None)

    def audio_after(self, at: float) -> np.ndarray:
        """The bot's audio that arrived after ``at``, 16 kHz (once the call is over)."""
        result, offset, pieces = self.session.result, 0, []
        for event in result.events_of("media_received"):
            size = event.detail["bytes"]
            if event.at >= at:
                pieces.append(result.audio_received[offset:offset + size])
            offset += size
        return resample(ulaw_decode(b"".join(pieces)).astype(np.float32) / 32768, 8_000, 16_000)

    def phase(self, killed_at: float) -> str:
        """Where the call was when the server was killed, for the test's report."""
        consent = self.consent_sent()
        if consent is not None:
            began = self.confirmation_began()
            heard = f", {killed_at - began:.2f} s of the confirmation heard" if began else ""
            return f"{killed_at - consent:+.2f} s after the consent{heard}"
        if not self.replies_heard():
            return "in the greeting"
        return f"after {self.replies_heard() - 1} answered turn(s)"


async def dial(server: Server, steps: list[dict], params: dict[str, str]) -> Caller:
    """Place a call as Twilio would (the voice webhook, then its stream) and let it run."""
    call_sid = new_call_sid()
    config = SessionConfig(custom_parameters=await twiml_parameters(server.ws, call_sid, params),
                           response_timeout_s=15.0, quiet_period_s=1.5, max_drain_s=15.0,
                           max_call_s=150.0)
    session = Session(server.ws, scenario=parse({"name": "durability", "steps": steps},
                                                base_dir=FIXTURES),
                      config=config, identity=StreamIdentity(call_sid=call_sid))
    return Caller(call_sid, session, asyncio.create_task(session.run(), name=call_sid))


async def until(caller: Caller, moment: Callable[[], float | None], what: str,
                timeout: float = 240) -> float:
    """Wait for a moment of a call; the instant it happened."""
    deadline = time.perf_counter() + timeout
    while (at := moment()) is None:
        if caller.task.done() or time.perf_counter() > deadline:
            raise AssertionError(f"{caller.call_sid} never reached {what}: "
                                 f"{[e.kind for e in caller.session.result.events][-20:]}")
        await asyncio.sleep(0.01)
    return at


async def sleep_until(at: float) -> None:
    await asyncio.sleep(max(0.0, at - time.perf_counter()))


# -- the calls a server is killed during ----------------------------------------------
# Each places its calls and returns them at the instant the server is to be killed.

async def at_the_first_word_of_the_confirmation(server: Server) -> list[Caller]:
    """Jane's plan was just committed and she hears the first word of its confirmation;
    a second caller is mid-negotiation (verified, some 10 s either side of the end of
    the identity turns and of the consent) and a third is hearing the greeting."""
    jane = await dial(server, JANE_CALL, JANE)
    await until(jane, jane.greeted, "the end of the greeting")
    negotiating = await dial(server, JANE_CALL, JANE)
    await until(jane, jane.consent_started, "the consent")
    greeting = await dial(server, [{"wait": 30}], JANE)
    await until(jane, jane.confirmation_began, "the confirmation")
    return [jane, negotiating, greeting]


async def just_after_the_consent(server: Server) -> list[Caller]:
    """Three of Jane's calls, started 1.2 s and 2.7 s apart: the last is killed 0.3 s
    after its consent was sent, before the bot can have answered it; the others are
    then further on, into their confirmations (how far depends on how the three shared
    the speech recognizer on the way: reported, not asserted)."""
    first = await dial(server, JANE_CALL, JANE)
    await asyncio.sleep(1.2)
    second = await dial(server, JANE_CALL, JANE)
    await asyncio.sleep(1.5)
    last = await dial(server, JANE_CALL, JANE)
    await sleep_until(await until(last, last.consent_sent, "the consent") + 0.3)
    return [last, second, first]


class Servers:
    """The servers this test started, each stopped at the end whatever happens."""

    def __init__(self, twilio_api: str) -> None:
        self.twilio_api = twilio_api
        self.started: list[Server] = []

    async def start(self, data_dir: Path, log_name: str) -> Server:
        server = launch_server(free_port(), data_dir, self.twilio_api, log_name=log_name)
        self.started.append(server)
        # Servers load their models side by side on a small machine: give them time.
        return await asyncio.to_thread(wait_until_healthy, server, 240)

    def stop_all(self) -> None:
        for server in self.started:
            if server.process.poll() is None:
                server.process.kill()
                server.process.wait()


async def kill_during(calls: Callable[[Server], Awaitable[list[Caller]]], data_dir: Path,
                      servers: Servers) -> tuple[list[Caller], float]:
    """Start a server, place the calls and SIGKILL the server when they say so."""
    server = await servers.start(data_dir, "server.log")
    callers = await calls(server)
    os.kill(server.process.pid, signal.SIGKILL)
    killed_at = time.perf_counter()
    assert await asyncio.to_thread(server.process.wait, 10) == -signal.SIGKILL
    await asyncio.wait_for(asyncio.gather(*(c.task for c in callers)), timeout=30)
    return callers, killed_at


# -- after the kill -------------------------------------------------------------------

def check_records(data_dir: Path, callers: list[Caller], killed_at: float,
                  recognizer) -> list[dict]:  # type: ignore[no-untyped-def]
    """The database as the kill left it, opened as a restart opens it: whole, nothing
    half-written, and every plan a caller heard confirmed in it. The calls'
    arrangements, as found."""
    db = Database(f"sqlite:///{data_dir / 'voicebot.db'}")
    try:
        db.upgrade()
        with db.connect() as connection:
            assert connection.exec_driver_sql("PRAGMA integrity_check").scalar() == "ok"
        records = Records(db)
        for arrangement in records.arrangements(limit=1000):
            schedule = arrangement["schedule"]
            assert schedule and all(i["date"] and i["amount"] for i in schedule), arrangement
            assert sum(Decimal(i["amount"]) for i in schedule) == Decimal(arrangement["total"])
            assert arrangement["consent_words"].strip() and arrangement["readback"].strip()
            assert arrangement["currency"] and arrangement["agreed_at"], arrangement
            assert records.call(arrangement["call_id"]) is not None, arrangement
        kept = []
        for caller in callers:
            heard = caller.times("media_received")
            assert heard and heard[0] < killed_at, f"{caller.call_sid} was never greeted"
            # The call's row is written before its greeting is said.
            call = records.call(caller.call_sid)
            assert call is not None, f"{caller.call_sid} heard its greeting but has no record"
            # Each turn is its own write: none missing in the middle, and each reply heard
            # to its end (written as it began) is there with the caller's turn before it.
            seqs = [t["seq"] for t in call["turns"]]
            assert seqs == list(range(1, len(seqs) + 1)), seqs
            # A holding phrase ("one moment") is heard as a reply but is no turn.
            fillers = sum(d["kind"] == "filler" for d in call["decisions"])
            replies = caller.replies_heard() - fillers
            assert len(seqs) >= 2 * replies - 1, (seqs, caller.replies_heard(), fillers)
            kept += call["arrangements"]
            began = caller.confirmation_began()
            if began is None:
                continue
            # The caller heard (some of) the confirmation: the plan is kept, whole, and
            # so is the hand-off to the colleague it promises.
            [arrangement] = call["arrangements"]
            assert arrangement["total"] == "480.00" and arrangement["account"] == "100200"
            assert arrangement["schedule"][0]["amount"] == "48.00", arrangement
            assert "agree" in arrangement["consent_words"].lower(), arrangement
            assert "480" in arrangement["readback"], arrangement
            assert [(h["reason"], h["agreed"]) for h in call["handoffs"]] == [("payment", True)]
            audio = caller.audio_after(began)
            if len(audio) >= 1.5 * 16_000:  # long enough to tell what it was
                text = transcribe_recording(recognizer, audio, "en").lower()
                assert "agreed" in text or "thank" in text, text
        return kept
    finally:
        db.dispose()


async def test_a_killed_service_keeps_every_confirmed_plan_and_nothing_half_written(
        model_paths, recognizer, tmp_path, twilio_recorder):
    servers = Servers(twilio_recorder.url)

    async def case(calls: Callable[[Server], Awaitable[list[Caller]]]) -> str:
        data_dir = tmp_path / calls.__name__
        data_dir.mkdir()
        callers, killed_at = await kill_during(calls, data_dir, servers)
        report = [c.phase(killed_at) for c in callers]
        if calls is at_the_first_word_of_the_confirmation:
            jane, negotiating, greeting = callers
            assert jane.confirmation_began() is not None, report
            assert negotiating.replies_heard() > IDENTITY_TURNS, report
            assert negotiating.consent_started() is None, report
            assert not greeting.replies_heard(), report
            assert greeting.times("media_received")[-1] > killed_at - 0.5, "greeting over"
        else:
            assert callers[0].confirmation_began() is None, report
        kept = await asyncio.to_thread(check_records, data_dir, callers, killed_at, recognizer)

        # The service starts again on the killed database, and reads the same records.
        server = await servers.start(data_dir, "restart.log")
        try:
            assert server.health()["status"] == "ok"
            for caller in callers:
                found = server.api(f"/api/calls/{caller.call_sid}")["arrangements"]
                assert found == [a for a in kept if a["call_id"] == caller.call_sid]
            listed = {a["id"] for a in server.api("/api/arrangements?account=100200")}
            assert listed == {a["id"] for a in kept}
        finally:
            await asyncio.to_thread(server.stop)
        return (f"{calls.__name__}: " + "; ".join(report)
                + f"; {len(kept)} arrangement(s) kept")

    started = time.perf_counter()
    try:
        async with asyncio.TaskGroup() as group:
            cases = [group.create_task(case(calls)) for calls in
                     (at_the_first_word_of_the_confirmation, just_after_the_consent)]
    finally:
        servers.stop_all()
    print(f"\nkilled and restarted in {time.perf_counter() - started:.0f} s:",
          *(c.result() for c in cases), sep="\n  ")
