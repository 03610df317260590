"""AudioSocket against the running service over real sockets: a peer written here speaks
the documented frames (1-byte kind, 2-byte big-endian length, payload) to the TCP
listener, the dialplan's announcement goes to ``POST /asterisk/calls``, and a call runs
on engines that need no models. Real Asterisk comes later, with the test rig."""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import os
import socket
import struct
import subprocess
import sys
import time
import uuid

import httpx
import numpy as np
import pytest
from asterisk_support import SECRET, caller_tone, eventually, running, tone_engines

from tests.conftest import free_port
from voicebot.errors import ConfigError
from voicebot.settings import PROJECT_ROOT, Settings
from voicebot.telephony.audiosocket import audio_frame, dtmf_frame, uuid_frame
from voicebot.web.app import create_app
from voicebot.web.audiosocket_server import AudioSocketServer
from voicebot.web.twilio_stream import DEFAULT_LIMITS

SILENCE = bytes(320)
HANGUP = b"\x00\x00\x00"
BEARER = {"Authorization": f"Bearer {SECRET}"}


class AsteriskPeer:
    """Asterisk's side of ``AudioSocket(uuid,host:port)``: the UUID first, then the
    caller's audio every 20 ms (silence unless told), keys as 0x03 frames; it reads the
    bot's frames as they come."""

    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.reader, self.writer = reader, writer
        self.frames: list[tuple[float, int, bytes]] = []  # (arrival, kind, payload)
        self.caller: list[bytes] = []
        self.eof = asyncio.Event()
        self._tasks: list[asyncio.Task[None]] = []

    @classmethod
    async def connect(cls, port: int, call: str | None = None) -> AsteriskPeer:
        peer = cls(*await asyncio.open_connection("127.0.0.1", port))
        if call is not None:
            peer.writer.write(uuid_frame(call))
            await peer.writer.drain()
        return peer

    def start(self, speak: bool = True) -> None:
        self._tasks.append(asyncio.create_task(self._read()))
        if speak:
            self._tasks.append(asyncio.create_task(self._speak()))

    def audio(self) -> list[tuple[float, bytes]]:
        return [(at, payload) for at, kind, payload in self.frames if kind == 0x10]

    def kinds(self) -> list[int]:
        return [kind for _, kind, _ in self.frames]

    async def send(self, data: bytes) -> None:
        self.writer.write(data)
        await self.writer.drain()

    async def _read(self) -> None:
        with contextlib.suppress(asyncio.IncompleteReadError, ConnectionError):
            while True:
                header = await self.reader.readexactly(3)
                payload = await self.reader.readexactly(int.from_bytes(header[1:], "big"))
                self.frames.append((time.monotonic(), header[0], payload))
        self.eof.set()

    async def _speak(self) -> None:
        next_at = time.monotonic()
        with contextlib.suppress(ConnectionError):
            while not self.eof.is_set():
                await self.send(audio_frame(self.caller.pop(0) if self.caller else SILENCE))
                next_at += 0.02
                await asyncio.sleep(max(0.0, next_at - time.monotonic()))

    async def close(self) -> None:
        for task in self._tasks:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task
        self.writer.close()


@pytest.fixture
async def service(tmp_path):
    """The app (for POST /asterisk/calls) and the AudioSocket listener on free loopback
    ports, in this event loop; the port's own defaults: Northwind Energy, in French."""
    settings = Settings(home=tmp_path, llm_backend="none", asterisk_secret=SECRET,  # type: ignore[arg-type]
                        max_calls=2, audiosocket_creditor="northwind-energy",
                        audiosocket_language="fr")
    engines = tone_engines()
    app = create_app(settings, engines=engines)
    state = app.state.service
    listener = AudioSocketServer(state, "127.0.0.1", 0,
                                 limits=dataclasses.replace(DEFAULT_LIMITS, start_timeout=0.5))
    await listener.start()
    async with running(app) as address:
        yield state, address, listener.port
    await listener.close()
    state.database.dispose()
    engines.stt_pool.shutdown()
    engines.tts_pool.shutdown()


async def announce(address: str, **fields: str) -> httpx.Response:
    async with httpx.AsyncClient() as client:
        return await client.post(f"http://{address}/asterisk/calls", headers=BEARER,
                                 data=fields)


async def test_an_announced_call_is_greeted_in_real_time_takes_keys_and_ends_on_hang_up(
        service):
    state, address, port = service
    call = str(uuid.uuid4())
    reply = await announce(address, uuid=call, creditor="contoso-bank", account="100200",
                           language="en")
    assert reply.status_code == 201 and reply.json()["uuid"] == call
    peer = await AsteriskPeer.connect(port, call)
    peer.start()
    await eventually(lambda: len(state.calls) == 1)
    session = next(iter(state.calls.values()))
    assert session.call_id == call and session.dialogue.policy.id == "contoso-bank"
    assert session.language == "en"

    # The greeting arrives as 20 ms frames of 8 kHz PCM, at the pace it plays: AudioSocket
    # has no buffer, so the service sends a frame every 20 ms (two frames ahead at most).
    await eventually(lambda: peer.audio(), within=10)
    first = peer.audio()[0][0]
    await asyncio.sleep(1.5)
    window = [payload for at, payload in peer.audio() if at <= first + 1.0]
    assert all(len(payload) == 320 for payload in window)
    assert 45 <= len(window) <= 56, len(window)
    pcm = np.frombuffer(b"".join(window[5:10]), dtype="<i2")
    assert np.abs(pcm).max() > 1000  # the tone, decoded from the speaker's mu-law
    # Marks are emulated: the pieces of the greeting count as heard as they play out.
    await eventually(lambda: any(p.played for p in session.speaker.current.pieces),
                     within=15)

    # Keys come as 0x03 frames.
    await peer.send(dtmf_frame("7") + dtmf_frame("#"))
    await eventually(lambda: any(kind == "keypad" for _, kind, _ in session.events))

    # Asterisk hangs up: a hang-up frame. The call ends and its slot is free.
    await peer.send(HANGUP)
    await eventually(lambda: session.ended and state.calls.held == 0)
    await asyncio.wait_for(peer.eof.wait(), 5)
    await peer.close()
    record = state.records.call(call)
    assert record is not None and record["carrier"] == "asterisk-audiosocket"
    async with httpx.AsyncClient() as client:
        metrics = (await client.get(f"http://{address}/metrics")).text
    assert 'voicebot_carrier_calls_total{carrier="asterisk-audiosocket"} 1.0' in metrics


async def test_a_call_never_announced_gets_the_ports_defaults_and_the_socket_closing_ends_it(
        service):
    state, _, port = service
    peer = await AsteriskPeer.connect(port, str(uuid.uuid4()))
    peer.start()
    await eventually(lambda: len(state.calls) == 1)
    session = next(iter(state.calls.values()))
    assert session.dialogue.policy.id == "northwind-energy" and session.language == "fr"
    await peer.close()  # the socket closes: a hang-up too
    await eventually(lambda: session.ended and state.calls.held == 0)


async def test_a_socket_reset_while_the_bot_speaks_is_a_hang_up(service):
    # Asterisk closes the socket when the caller hangs up; with the bot's audio unread in
    # its buffer the kernel sends a reset, not an end of stream: still a hang-up.
    state, _, port = service
    call = str(uuid.uuid4())
    peer = await AsteriskPeer.connect(port, call)
    peer.start(speak=False)
    await eventually(lambda: len(state.calls) == 1)
    session = next(iter(state.calls.values()))
    await eventually(lambda: len(peer.audio()) > 5, within=10)
    sock = peer.writer.get_extra_info("socket")
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    await peer.close()  # linger 0: the close resets the connection
    await eventually(lambda: session.ended and state.calls.held == 0)
    await eventually(lambda: (state.records.call(call) or {}).get("end_reason") is not None)
    assert state.records.call(call)["end_reason"] == "hangup"


async def test_barge_in_stops_the_bots_audio_at_once(service):
    state, _, port = service
    peer = await AsteriskPeer.connect(port, str(uuid.uuid4()))
    peer.start()
    await eventually(lambda: len(state.calls) == 1)
    session = next(iter(state.calls.values()))
    await eventually(lambda: len(peer.audio()) > 25, within=10)
    peer.caller += [caller_tone(1.5)[i:i + 160].astype("<i2").tobytes()
                    for i in range(0, 12000, 160)]
    await eventually(lambda: any(kind in ("hold", "barge_in") for _, kind, _ in session.events),
                     within=3)
    stopped = time.monotonic()
    # The caller talks on: it is a barge-in, and the bot stays quiet.
    await eventually(lambda: any(kind == "barge_in" for _, kind, _ in session.events),
                     within=3)
    await asyncio.sleep(0.5)
    # Nothing queued went out once the bot stopped: only what was already sent (the
    # frame playing and the two-frame lead) arrived after it.
    late = [at for at, pcm in peer.audio() if at > stopped + 0.1 and any(pcm)]
    assert late == [], f"{len(late)} frames of speech after the barge-in"
    # The line itself carries on: silence, every 20 ms.
    assert peer.audio()[-1][0] > time.monotonic() - 0.1
    await peer.send(HANGUP)
    await eventually(lambda: state.calls.held == 0)
    await peer.close()


async def test_stopping_hands_the_call_over_and_hangs_up_with_the_hang_up_frame(service):
    state, _, port = service
    call = str(uuid.uuid4())
    peer = await AsteriskPeer.connect(port, call)
    peer.start()
    await eventually(lambda: len(state.calls) == 1)
    session = next(iter(state.calls.values()))
    await state.drain(1.0)
    await asyncio.wait_for(peer.eof.wait(), 10)
    assert peer.kinds()[-1] == 0x00  # the service's hang-up frame, then the socket closes
    assert state.calls.held == 0
    [packet] = state.handoffs.store.list()
    assert packet.call_id == call and packet.status == "fallback"  # kept for a call-back
    # Without ARI nobody can take the caller now: before the hang-up they are told a
    # person will call them back (the port's language, French), not left holding.
    *_, handing, promise = [e.text for e in session.transcript if e.speaker == "bot"]
    assert "conseiller" in handing and "rappellera" in promise, session.transcript
    assert any(kind == "call_back_promised" for _, kind, _ in session.events)
    # The call ended for the session's reason, though the reader saw the line close first.
    assert state.records.call(call)["end_reason"] == "handoff:service_restart"
    assert state.finished[-1]["events"][-1] == "end"
    await peer.close()


@pytest.mark.parametrize("data", [
    b"\x42\x00\x00",  # an unknown kind
    audio_frame(SILENCE),  # audio before the UUID
    b"\x01\x00\x04abcd",  # a UUID of 4 bytes
    b"\x10\xff\xff",  # 64 kB of audio announced
    b"\x11\x01\x40" + bytes(320),  # 16 kHz PCM
])
async def test_malformed_input_is_hung_up_on_and_the_next_call_is_served(service, data):
    state, _, port = service
    peer = await AsteriskPeer.connect(port)
    peer.start(speak=False)
    await peer.send(data)
    await asyncio.wait_for(peer.eof.wait(), 5)
    assert peer.kinds() == [0x00]
    await eventually(lambda: state.calls.held == 0)
    await peer.close()
    after = await AsteriskPeer.connect(port, str(uuid.uuid4()))
    after.start()
    await eventually(lambda: len(state.calls) == 1)
    await after.send(HANGUP)
    await eventually(lambda: state.calls.held == 0)
    await after.close()


async def test_a_connection_that_never_names_its_call_is_hung_up_on(service):
    state, _, port = service
    peer = await AsteriskPeer.connect(port)
    peer.start(speak=False)
    await asyncio.wait_for(peer.eof.wait(), 5)  # start_timeout is 0.5 s here
    assert peer.kinds() == [0x00] and state.calls.held == 0
    await peer.close()


async def test_when_every_slot_is_taken_a_new_connection_is_hung_up_on(service):
    state, _, port = service
    peers = [await AsteriskPeer.connect(port, str(uuid.uuid4())) for _ in range(2)]
    for peer in peers:
        peer.start()
    await eventually(lambda: len(state.calls) == 2)
    extra = await AsteriskPeer.connect(port, str(uuid.uuid4()))
    extra.start(speak=False)
    await asyncio.wait_for(extra.eof.wait(), 5)
    assert extra.kinds() == [0x00] and len(state.calls) == 2
    for peer in [*peers, extra]:
        await peer.send(HANGUP) if peer is not extra else None
        await peer.close()
    await eventually(lambda: state.calls.held == 0)


@pytest.mark.parametrize(("headers", "body", "status"), [
    ({}, {"uuid": "0b5d6f7e-1111-4222-8333-944455556666"}, 401),
    ({"Authorization": "Bearer wrong"}, {"uuid": "0b5d6f7e-1111-4222-8333-944455556666"}, 401),
    (BEARER, {"uuid": "not-a-uuid"}, 422),
    (BEARER, {"uuid": "0b5d6f7e-1111-4222-8333-944455556666", "creditor": "nobody"}, 422),
    (BEARER, {"uuid": "0b5d6f7e-1111-4222-8333-944455556666", "language": "de"}, 422),
    (BEARER, {"uuid": "0b5d6f7e-1111-4222-8333-944455556666", "extra": "x"}, 422),
    (BEARER, {"uuid": "0b5d6f7e-1111-4222-8333-944455556666", "account": "1 OR 1=1"}, 422),
])
async def test_announcements_need_the_secret_and_plain_values(service, headers, body, status):
    _, address, _ = service
    async with httpx.AsyncClient() as client:
        reply = await client.post(f"http://{address}/asterisk/calls", headers=headers,
                                  data=body)
    assert reply.status_code == status, reply.text


async def test_a_json_announcement_is_used_once(service):
    state, address, port = service
    call = str(uuid.uuid4())
    async with httpx.AsyncClient() as client:
        reply = await client.post(f"http://{address}/asterisk/calls", headers=BEARER,
                                  json={"uuid": call.upper(), "creditor": "acme-telecom"})
    assert reply.status_code == 201
    assert state.announced.take(call) == {"creditor": "acme-telecom"}
    assert state.announced.take(call) is None


def test_an_audiosocket_port_on_a_reachable_address_is_refused(tmp_path):
    settings = Settings(home=tmp_path, audiosocket_port=9092,  # type: ignore[arg-type]
                        audiosocket_host="0.0.0.0")
    with pytest.raises(ConfigError, match="AudioSocket has no authentication"):
        create_app(settings, engines=tone_engines())
    allowed = settings.changed(insecure_dev=True, llm_backend="none")
    app = create_app(allowed, engines=tone_engines())
    app.state.service.database.dispose()


def test_serve_takes_the_port_on_its_command_line_and_refuses_a_reachable_listener(tmp_path):
    """``voicebot serve --audiosocket-port`` is VOICEBOT_AUDIOSOCKET_PORT: checked before
    any model loads."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("VOICEBOT_")}
    env.update(VOICEBOT_HOME=str(tmp_path), VOICEBOT_AUDIOSOCKET_HOST="0.0.0.0")
    run = subprocess.run([sys.executable, "-m", "voicebot", "serve", "--port", "9",
                          "--audiosocket-port", "9092"], env=env, cwd=PROJECT_ROOT,
                         capture_output=True, text=True, timeout=60)
    assert run.returncode == 2, run.stderr
    assert "refusing to start" in run.stderr and "AUDIOSOCKET_HOST 0.0.0.0" in run.stderr


async def test_each_port_has_its_creditor_and_language(tmp_path):
    """Several listeners, one per creditor line, started with the service."""
    ports = [free_port(), free_port()]
    settings = Settings(home=tmp_path, llm_backend="none",  # type: ignore[arg-type]
                        audiosocket_port=ports[0],
                        audiosocket_ports=f"{ports[1]}:contoso-bank:en")
    assert settings.audiosocket_listeners() == [(ports[0], {}),
                                                (ports[1], {"creditor": "contoso-bank",
                                                            "language": "en"})]
    engines = tone_engines()
    app = create_app(settings, engines=engines)
    state = app.state.service
    async with app.router.lifespan_context(app):
        sessions = []
        for port in ports:
            peer = await AsteriskPeer.connect(port, str(uuid.uuid4()))
            peer.start()
            await eventually(lambda: len(state.calls) == 1)
            sessions.append(next(iter(state.calls.values())))
            await peer.send(HANGUP)
            await eventually(lambda: state.calls.held == 0)
            await peer.close()
    assert [s.dialogue.policy.id for s in sessions] == [settings.default_creditor,
                                                        "contoso-bank"]
    assert sessions[1].language == "en"
    state.database.dispose()
    engines.stt_pool.shutdown()
    engines.tts_pool.shutdown()


@pytest.mark.parametrize(("ports", "message"), [
    ("9093", "port:creditor"),
    ("9093:contoso-bank:de", "the language is en or fr"),
    ("99999:contoso-bank", "the port must be 1 to 65535"),
    ("9093:contoso-bank,9093:acme-telecom", "listed twice"),
    ("9092:contoso-bank", "listed twice"),  # VOICEBOT_AUDIOSOCKET_PORT's
])
def test_a_wrong_port_list_is_named(tmp_path, ports, message):
    with pytest.raises((ConfigError, ValueError), match=message):
        Settings(home=tmp_path, audiosocket_port=9092,  # type: ignore[arg-type]
                 audiosocket_ports=ports).audiosocket_listeners()


def test_a_port_for_a_creditor_without_a_policy_stops_the_start(tmp_path):
    settings = Settings(home=tmp_path, llm_backend="none",  # type: ignore[arg-type]
                        audiosocket_ports="9093:no-such-creditor")
    with pytest.raises(ConfigError, match="no policy for creditor 'no-such-creditor'"):
        create_app(settings, engines=tone_engines())
