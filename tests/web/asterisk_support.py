"""Shared by the Asterisk socket tests: engines that need no models (the bot speaks a
tone, voice activity is loudness), the service's app on a loopback uvicorn in the
test's own event loop, and peers that speak AudioSocket and chan_websocket byte for
byte as Asterisk's documentation describes them."""

from __future__ import annotations

import asyncio
import base64
import contextlib
import socket
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import uvicorn
from fastapi import FastAPI
from websockets.asyncio.client import ClientConnection
from websockets.exceptions import ConnectionClosed

from tests.unit.scripted_call import ToneVad  # voice activity from loudness
from voicebot.audio.codec import ulaw_encode
from voicebot.engines.pool import WorkerPool
from voicebot.engines.registry import Engines
from voicebot.engines.stt import Transcript
from voicebot.engines.tts import Voice

SECRET = "asterisk-shared-secret-0123"
RATE = 8000


class NoWords:
    """A recognizer that hears no words (the dialogue is not what these tests are about)."""

    def transcribe(self, audio: np.ndarray, language: str | None, hint: str | None = None
                   ) -> Transcript:
        return Transcript("", language or "en", len(audio) / 16_000, 0.0)

    def detect_language(self, audio: np.ndarray, candidates: Any) -> dict[str, float]:
        return {lang: (1.0 if lang == candidates[0] else 0.0) for lang in candidates}


class ToneVoice:
    """Speaks a 200 Hz tone, 40 ms a character, at once."""

    sample_rate = 8000
    identity = "asterisk-test-tone"

    def synthesize(self, text: str) -> np.ndarray:
        t = np.arange(int(0.04 * len(text) * self.sample_rate)) / self.sample_rate
        return (3000 * np.sin(2 * np.pi * 200 * t)).astype(np.int16)


def tone_engines() -> Engines:
    return Engines(vad=ToneVad(), stt=NoWords(),  # type: ignore[arg-type]
                   stt_pool=WorkerPool("test-stt", 1, 8),
                   voices={lang: Voice(ToneVoice()) for lang in ("en", "fr")},  # type: ignore[arg-type]
                   tts_pool=WorkerPool("test-tts", 1, 64))


def caller_tone(seconds: float, frequency: float = 700.0) -> np.ndarray:
    """A loud tone: the caller speaking, as the loudness VAD hears it."""
    t = np.arange(int(seconds * RATE)) / RATE
    return (12000 * np.sin(2 * np.pi * frequency * t)).astype(np.int16)


def ulaw_frames(pcm: np.ndarray) -> list[bytes]:
    data = ulaw_encode(pcm)
    return [data[i:i + 160].ljust(160, b"\xff") for i in range(0, len(data), 160)]


def basic_auth(password: str = SECRET, user: str = "asterisk") -> dict[str, str]:
    token = base64.b64encode(f"{user}:{password}".encode()).decode()
    return {"Authorization": f"Basic {token}"}


@asynccontextmanager
async def running(app: FastAPI) -> AsyncIterator[str]:
    """The app on a free loopback port in this event loop; yields ``127.0.0.1:port``."""
    sock = socket.socket()
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    config = uvicorn.Config(app, log_level="warning", lifespan="off", ws_ping_interval=None,
                            timeout_graceful_shutdown=2)
    server = uvicorn.Server(config)
    task = asyncio.create_task(server.serve(sockets=[sock]))
    deadline = time.monotonic() + 10
    while not server.started:
        if task.done() or time.monotonic() > deadline:
            raise RuntimeError("uvicorn did not start")
        await asyncio.sleep(0.01)
    try:
        yield f"127.0.0.1:{port}"
    finally:
        server.should_exit = True
        with contextlib.suppress(Exception):
            await asyncio.wait_for(task, 10)
        sock.close()


async def eventually(condition: Any, within: float = 5.0, step: float = 0.02) -> None:
    deadline = time.monotonic() + within
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError("condition not met in time")
        await asyncio.sleep(step)


async def hang_up(ws: ClientConnection) -> None:
    """Close from the client's side, reading on meanwhile: a client that stops reading
    (its buffer full of the bot's audio) never sees the server's closing frame."""
    async def drain() -> None:
        with contextlib.suppress(ConnectionClosed):
            async for _ in ws:
                pass

    reader = asyncio.create_task(drain())
    await ws.close()
    await reader


@dataclass
class FakeChanWebsocket:
    """Asterisk's side of a chan_websocket call, as documented: it queues the bot's
    audio and plays it at 20 ms a frame, answers ``MARK_MEDIA`` when the audio queued
    before the mark has played (``marks``: Asterisk 22.8 and later), drops its queue on
    ``FLUSH_MEDIA``, and sends the caller's audio every 20 ms."""

    ws: ClientConnection
    marks: bool = True
    json: bool = False
    audio: list[tuple[float, bytes]] = field(default_factory=list)  # (arrival, frame)
    commands: list[tuple[float, str]] = field(default_factory=list)
    caller: list[bytes] = field(default_factory=list)  # frames still to say
    closed: int | None = None  # the close code the service sent
    _playhead: float = 0.0
    _pending: list[asyncio.TimerHandle] = field(default_factory=list)
    _tasks: list[asyncio.Task[None]] = field(default_factory=list)

    def start(self) -> None:
        self._tasks = [asyncio.create_task(self._read()), asyncio.create_task(self._speak())]

    def names(self) -> list[str]:
        return [text for _, text in self.commands]

    async def _read(self) -> None:
        loop = asyncio.get_running_loop()
        try:
            async for message in self.ws:
                now = time.monotonic()
                if isinstance(message, bytes):
                    self.audio.append((now, message))
                    self._playhead = max(self._playhead, now) + len(message) / RATE
                    continue
                self.commands.append((now, message))
                command, correlation = self._command(message)
                if command == "MARK_MEDIA" and self.marks:
                    delay = max(0.0, self._playhead - now)
                    self._pending.append(loop.call_later(
                        delay, lambda c=correlation: asyncio.ensure_future(self._mark(c))))
                elif command == "FLUSH_MEDIA":
                    self._playhead = now
                    for handle in self._pending:
                        handle.cancel()
                    self._pending.clear()
        except ConnectionClosed:
            pass
        self.closed = self.ws.close_code

    def _command(self, message: str) -> tuple[str, str]:
        if self.json:
            import json

            body = json.loads(message)
            return body["command"], body.get("correlation_id", "")
        command, _, rest = message.partition(" ")
        return command, rest

    async def _mark(self, correlation: str) -> None:
        if self.json:
            import json

            text = json.dumps({"event": "MEDIA_MARK_PROCESSED", "channel_id": "x",
                               "correlation_id": correlation})
        else:
            text = f"MEDIA_MARK_PROCESSED {correlation}"
        with contextlib.suppress(ConnectionClosed):
            await self.ws.send(text)

    async def _speak(self) -> None:
        silence = b"\xff" * 160
        next_at = time.monotonic()
        with contextlib.suppress(ConnectionClosed):
            while True:
                frame = self.caller.pop(0) if self.caller else silence
                await self.ws.send(frame)
                next_at += 0.02
                await asyncio.sleep(max(0.0, next_at - time.monotonic()))

    async def stop(self) -> None:
        for handle in self._pending:
            handle.cancel()
        for task in self._tasks:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task
