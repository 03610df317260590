"""Run scenarios through the live call code: the service's own session, dialogue,
records and hand-off desk, a loopback carrier and a clock that skips idle waits.

Text turns enter the session where a transcript would (redaction, dialogue, reply), and
the bot's replies are timed as speech without being synthesized, so a text scenario runs
in milliseconds of work.
"""

from __future__ import annotations

import asyncio
import itertools
import time
import wave
from dataclasses import asdict, dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

import numpy as np

from voicebot.audio.framing import ULAW_FRAME_BYTES, to_telephony
from voicebot.call.session import CallSession
from voicebot.call.tasks import spawn
from voicebot.clock import Clock, SystemClock
from voicebot.engines.pool import WorkerPool
from voicebot.engines.registry import Engines, load_intents
from voicebot.engines.tts import Voice
from voicebot.errors import ConfigError
from voicebot.policy.schedule import rule_breaks
from voicebot.replay.clock import SkipClock
from voicebot.replay.line import LoopbackLine
from voicebot.replay.scenario import Scenario
from voicebot.replay.wer import normalised_errors, word_errors
from voicebot.settings import Settings
from voicebot.telephony.events import AudioReceived, CallStarted, DigitPressed

SPOKEN_CHARS_PER_SECOND = 15.0  # how long a reply would take to say, for text runs
END_OF_CALL_SECONDS = 60.0  # after the last turn, how long the call may go on by itself
_ids = itertools.count(1)


class TimedText:
    """A voice for text runs: no synthesis, silence as long as the words would take to say
    (so barge-in and marks behave as on a call)."""

    sample_rate = 8000
    identity = "timed-text"

    def synthesize(self, text: str) -> np.ndarray:
        return np.zeros(int(len(text) / SPOKEN_CHARS_PER_SECOND * self.sample_rate),
                        dtype=np.int16)


def text_engines(settings: Settings) -> Engines:
    """The engines a text replay needs: the voice activity model (the session's listener
    is built with it, though no audio comes), timed text for voices, and the same intent
    classifier calls use."""
    from voicebot.turns.vad import SileroVad

    return Engines(
        vad=SileroVad(), stt=None,  # type: ignore[arg-type]  # text turns skip recognition
        stt_pool=WorkerPool("stt", 1, 8),
        voices={lang: Voice(TimedText()) for lang in ("en", "fr")},
        tts_pool=WorkerPool("tts", 1, 64),
        intents=load_intents(settings),
    )


def voice_engines(settings: Settings) -> Engines:
    """The service's own engines (recognition, voices, classifier), without a language
    model: a replay measures the pipeline calls run, not a model's warm-up."""
    return Engines.load(settings.model_copy(update={"llm_backend": "none"}))


def caller_audio(path: Path) -> bytes:
    """A recorded caller turn (WAV, 16-bit mono) as 8 kHz mu-law."""
    try:
        with wave.open(str(path)) as wav:
            if wav.getsampwidth() != 2 or wav.getnchannels() != 1:
                raise ConfigError(f"{path}: caller audio must be 16-bit mono WAV")
            pcm = np.frombuffer(wav.readframes(wav.getnframes()), dtype="<i2")
            return to_telephony(pcm, wav.getframerate())
    except (OSError, wave.Error, EOFError) as exc:
        raise ConfigError(f"{path}: cannot read the caller audio: {exc}") from None


class LineFeed:
    """The caller's side of the line: a 20 ms frame every 20 ms of the call's clock,
    the caller's recording while they speak and silence otherwise, as a carrier sends."""

    SILENCE = b"\xff" * ULAW_FRAME_BYTES

    def __init__(self, session: CallSession, clock: Clock) -> None:
        self._session = session
        self._clock = clock
        self._pending = bytearray()
        self._sent_ms = 0
        self._done = asyncio.Event()
        self._task = spawn(self._run(), "replay-line-feed")

    def say(self, ulaw: bytes) -> None:
        self._pending += ulaw
        self._done.clear()

    async def say_and_wait(self, ulaw: bytes) -> None:
        self.say(ulaw)
        await self._done.wait()

    async def _run(self) -> None:
        while not self._session.ended:
            frame = bytes(self._pending[:ULAW_FRAME_BYTES])
            del self._pending[:ULAW_FRAME_BYTES]
            if not self._pending:
                self._done.set()
            frame = frame.ljust(ULAW_FRAME_BYTES, b"\xff") if frame else self.SILENCE
            await self._session.handle(AudioReceived(frame, self._sent_ms))
            self._sent_ms += 20
            await self._clock.sleep(0.02)

    async def close(self) -> None:
        from voicebot.call.tasks import cancel

        await cancel(self._task)


@dataclass
class Check:
    name: str
    passed: bool
    detail: str


@dataclass
class CallResult:
    id: str
    name: str
    passed: bool
    checks: list[Check]
    outcome: dict[str, Any]
    transcript: list[dict[str, Any]]
    events: list[tuple[float, str, str]]
    turns: list[dict[str, Any]]
    call_seconds: float  # how long the call lasted on its own clock
    wall_seconds: float  # how long the replay took
    error: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    def as_json(self) -> dict[str, Any]:
        return asdict(self)


def replay_clock(engines: Engines, *, realtime: bool = False) -> Clock:
    """The clock replays run on: idle waits skipped, or the real clock (``realtime``)."""
    if realtime:
        return SystemClock()
    clock = SkipClock(busy=lambda: bool(engines.stt_pool.pending or engines.tts_pool.pending))
    clock.watch(asyncio.get_running_loop())
    return clock


async def replay_call(scenario: Scenario, state: Any, clock: Clock, *,
                      audio: Path | None = None) -> CallResult:
    """One scenario through a new session of ``state`` (a ``ServiceState``), on
    ``clock`` (see ``replay_clock``). With ``audio`` (a directory) and voices that speak,
    what the caller heard of the bot is written there, a WAV file per stretch of speech."""
    started_wall = time.perf_counter()
    engines = state.engines
    line = LoopbackLine(clock, keep_audio=audio is not None and engines.stt is not None)
    number = next(_ids)
    started = CallStarted(stream_id=f"MZreplay{number:06d}", call_id=f"CAreplay{number:06d}",
                          parameters=dict(scenario.parameters))
    session = state.make_session(started, line, clock=clock)
    line.session = session
    error = None
    voice = getattr(engines, "stt", None) is not None
    feed = None
    try:
        await session.start()  # the greeting is under way before the caller listens
        feed = LineFeed(session, clock) if voice else None
        caller = spawn(_caller(scenario, session, clock, feed), f"replay-{scenario.id}")
        if isinstance(clock, SkipClock):
            await clock.drive(caller)
        else:
            await asyncio.wait({caller})
        error = _failure(caller)
    finally:
        if not session.ended:
            await session.close("caller_hung_up")
        if feed is not None:
            await feed.close()
        await line.close()
        state.session_ended(session)
    result = _result(scenario, session, state, time.perf_counter() - started_wall, error)
    if audio is not None and line.played:
        result.extra["heard"] = _write_played(line, audio / scenario.id)
        result.extra["speech_gap_ms"] = round(1000 * speech_gap(line.played, [
            entry["at"] for entry in result.transcript if entry["speaker"] == "caller"]))
    return result


def speech_gap(played: list[Any], caller_at: list[float]) -> float:
    """The longest silence inside one of the bot's replies (seconds): between two
    stretches of its speech with no caller turn between them, and not after a cut."""
    longest = 0.0
    for before, after in itertools.pairwise(played):
        end = before.at + before.seconds
        if before.cut or any(end - 0.05 <= at <= after.at for at in caller_at):
            continue
        if after.at - end < 4.0:  # longer: the bot spoke again on its own (a nudge)
            longest = max(longest, after.at - end)
    return longest


def _write_played(line: LoopbackLine, folder: Path) -> list[dict[str, Any]]:
    """Each stretch of the bot's speech the caller heard, as 8 kHz 16-bit WAV."""
    from voicebot.audio.codec import ulaw_decode

    folder.mkdir(parents=True, exist_ok=True)
    out = []
    for number, played in enumerate(line.played, 1):
        path = folder / f"bot-{number:02d}.wav"
        with wave.open(str(path), "wb") as wav:
            wav.setnchannels(1)
            wav.setsampwidth(2)
            wav.setframerate(8000)
            wav.writeframes(ulaw_decode(bytes(played.audio)).astype("<i2").tobytes())
        out.append({"at": played.at, "seconds": round(played.seconds, 2), "cut": played.cut,
                    "file": str(path)})
    return out


def _failure(task: asyncio.Task[None]) -> str | None:
    if task.cancelled():
        return "the caller's script was cancelled"
    exc = task.exception()
    return f"{type(exc).__name__}: {exc}" if exc else None


def _answering(session: CallSession) -> bool:
    return session.speaker.speaking() or session.answering()


async def _speak(turn: Any, scenario: Scenario, session: CallSession, clock: Clock,
                 feed: LineFeed) -> None:
    """Play a recorded turn down the line, then wait for the bot to take it up."""
    await feed.say_and_wait(caller_audio(_audio_path(scenario, turn.audio)))
    for _ in range(150):  # up to 3 s for the end of the turn to be heard
        if session.answering() or session.ended:
            return
        await clock.sleep(0.02)


def _audio_path(scenario: Scenario, name: str) -> Path:
    here = scenario.path.parent if scenario.path else Path.cwd()
    for candidate in (here / name, here.parent / name, Path(name)):
        if candidate.is_file():
            return candidate
    raise ConfigError(f"{scenario.id}: no caller audio {name!r} beside the scenario or in "
                      f"{here.parent}")


async def _caller(scenario: Scenario, session: CallSession, clock: Clock,
                  feed: LineFeed | None = None) -> None:
    for turn in scenario.turns:
        if session.ended:
            return
        if turn.barge_in_ms is not None:
            while not session.speaker.speaking() and not session.ended:
                await clock.sleep(0.02)
            await clock.sleep(turn.barge_in_ms / 1000)
        else:
            while _answering(session) and not session.ended:
                await clock.sleep(0.02)
            await clock.sleep(turn.pause_ms / 1000)
        if session.ended:
            return
        if turn.audio is not None and feed is not None:
            await _speak(turn, scenario, session, clock, feed)
        elif turn.say is not None:
            await session.hear_text(turn.say)
        elif turn.keypad is not None:
            for key in turn.keypad:
                await session.handle(DigitPressed(key))
                await clock.sleep(0.2)
        elif turn.silence is not None:
            await clock.sleep(turn.silence)
        await clock.sleep(0.02)  # the turn is under way before the next waits on it
    waited = 0.0
    while not session.ended and waited < END_OF_CALL_SECONDS:
        if not _answering(session) and not session.dialogue.outcome().handoff:
            break  # nothing more to say: the caller hangs up
        await clock.sleep(0.1)
        waited += 0.1


def _result(scenario: Scenario, session: CallSession, state: Any, wall: float,
            error: str | None) -> CallResult:
    record = session.record()
    outcome = record.outcome
    decision = outcome.decision
    said = " ".join(line.text for line in record.transcript if line.speaker == "bot")
    events = {kind for _, kind, _ in record.events} | {kind for kind, _ in outcome.events}
    disclosed = {detail for kind, detail in outcome.events if kind == "disclosure"}
    checks = _checks(scenario, outcome, decision, said, disclosed, state, record.transcript)
    if error:
        checks.append(Check("script", False, error))
    plan = None
    if decision is not None:
        plan = {"kind": str(decision.kind), "total": str(decision.total),
                "count": decision.count,
                "instalment": str(decision.instalment_amount)
                if decision.instalment_amount is not None else None,
                "schedule": [{"due": row.due.isoformat(), "amount": str(row.amount)}
                             for row in decision.schedule]}
    heard = [line.text for line in record.transcript if line.speaker == "caller"]
    spoken = [turn for turn in scenario.turns if turn.say is not None or turn.keypad]
    language = outcome.language or "en"
    wer = [{"reference": turn.words, "heard": heard[n], "errors": errors, "words": words,
            "normalised_errors": norm, "normalised_words": norm_words}
           for n, turn in enumerate(spoken)
           if turn.audio and state.engines.stt is not None and n < len(heard)
           for errors, words in [word_errors(turn.words or "", heard[n])]
           for norm, norm_words in [normalised_errors(turn.words or "", heard[n], language)]]
    return CallResult(
        id=scenario.id, name=scenario.name, passed=all(c.passed for c in checks),
        checks=checks,
        outcome={"agreed": outcome.agreed, "plan": plan, "handoff": outcome.handoff,
                 "ended_request": outcome.ended_request, "flags": list(outcome.flags),
                 "language": outcome.language, "policy_version": outcome.policy_version,
                 "prompt_version": outcome.prompt_version, "verified": outcome.verified},
        transcript=[{"speaker": line.speaker, "text": line.text, "at": line.at,
                     "interrupted": line.interrupted, "via": line.via}
                    for line in record.transcript],
        events=list(record.events),
        turns=[{"text": t.text, "stages_ms": t.stages()} for t in session.timings.turns],
        call_seconds=round(record.seconds, 2), wall_seconds=round(wall, 3), error=error,
        extra={"event_kinds": sorted(events), "recognition": wer,
               "language": outcome.language},
    )


def _checks(scenario: Scenario, outcome: Any, decision: Any, said: str, disclosed: set[str],
            state: Any, transcript: tuple[Any, ...]) -> list[Check]:
    expect = scenario.expect
    checks: list[Check] = []
    if decision is not None:
        problems = plan_breaks(decision, state, scenario.parameters)
        checks.append(Check("plan within the creditor's rules", not problems,
                            "; ".join(problems) or "every instalment rule holds"))
    if expect.plan is not None:
        agreed = bool(outcome.agreed)
        checks.append(Check(f"plan {expect.plan}", agreed == (expect.plan == "agreed"),
                            "a plan was agreed" if agreed else "no plan was agreed"))
    if expect.monthly is not None:
        got = decision.instalment_amount if decision is not None else None
        checks.append(Check(f"instalment {expect.monthly}",
                            got is not None and Decimal(got) == expect.monthly,
                            f"the plan's instalment is {got}"))
    if expect.count is not None:
        got_count = decision.count if decision is not None else None
        checks.append(Check(f"{expect.count} payments", got_count == expect.count,
                            f"the plan has {got_count} payments"))
    if expect.handoff is not None:
        want = None if expect.handoff == "none" else expect.handoff
        checks.append(Check(f"hand-off {expect.handoff}", outcome.handoff == want,
                            f"the call was handed off for {outcome.handoff}"
                            if outcome.handoff else "the call was not handed off"))
    if expect.flags is not None:
        checks.append(Check("flags " + (", ".join(expect.flags) or "none"),
                            sorted(outcome.flags) == sorted(expect.flags),
                            f"flags recorded: {', '.join(outcome.flags) or 'none'}"))
    for name in expect.disclosures:
        checks.append(Check(f"disclosure {name}", name in disclosed,
                            "said" if name in disclosed else
                            f"not said (said: {', '.join(sorted(disclosed)) or 'none'})"))
    checks += _reply_checks(scenario, transcript)
    lowered = said.lower()
    for words in expect.never_say:
        checks.append(Check(f"never says {words!r}", words.lower() not in lowered,
                            "never said" if words.lower() not in lowered else
                            f"said: ...{_around(said, words)}..."))
    for words in expect.say:
        checks.append(Check(f"says {words!r}", words.lower() in lowered,
                            "said" if words.lower() in lowered else "never said"))
    return checks


def _reply_checks(scenario: Scenario, transcript: tuple[Any, ...]) -> list[Check]:
    """Each turn's ``reply_has`` and ``reply_lacks``, against what the bot said after
    that turn and before the caller's next."""
    replies: list[str] = []
    for line in transcript:
        if line.speaker == "caller":
            replies.append("")
        elif replies:
            replies[-1] += " " + line.text
    checks = []
    spoken = [turn for turn in scenario.turns if turn.say is not None or turn.keypad]
    for number, turn in enumerate(spoken):
        reply = replies[number] if number < len(replies) else None
        label = f"turn {number + 1} ({(turn.say or turn.keypad or '')[:30]!r})"
        for words in turn.reply_has:
            ok = reply is not None and words.lower() in reply.lower()
            checks.append(Check(f"{label}: reply says {words!r}", ok,
                                "said" if ok else f"the reply was: {reply!r}"))
        for words in turn.reply_lacks:
            ok = reply is not None and words.lower() not in reply.lower()
            checks.append(Check(f"{label}: reply never says {words!r}", ok,
                                "not said" if ok else f"the reply was: {reply!r}"))
    return checks


def _around(text: str, words: str, width: int = 40) -> str:
    at = text.lower().find(words.lower())
    return text[max(0, at - width): at + len(words) + width]


def plan_breaks(decision: Any, state: Any, parameters: dict[str, str]) -> list[str]:
    """What in an agreed plan breaks the creditor's instalment rules (none, always, if
    the engine is right: a replay checks it independently of the dialogue)."""
    account = state.accounts.get(parameters.get("account", ""))
    policy = state.policies.get(decision.policy_id)
    if account is None or policy is None:
        return []
    problems = []
    if sum(row.amount for row in decision.schedule) != decision.total:
        problems.append("the payments do not add up to the total")
    if str(decision.kind) == "settlement" or getattr(decision, "requires_human", False) \
            or len(decision.schedule) == 1:
        return problems
    first = min(row.due for row in decision.schedule)
    today = min(first, state.clock.today(account.zone))  # the dialogue's "today"
    cents = [(row.due, int(row.amount * 100)) for row in decision.schedule]
    problems += rule_breaks(policy.instalments, balance=int(account.balance * 100), digits=2,
                            today=today, frequency=decision.frequency, rows=cents)
    return problems
