"""Glue between a Media Streams WebSocket and a call session.

Everything protocol-related happens in ``voicebot.telephony.twilio``; everything
call-related in ``voicebot.call.session``. This module only moves frames, turns
protocol errors into close codes with a log line, and writes outbound frames
from one task through a bounded queue.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable

from starlette.websockets import WebSocket, WebSocketDisconnect, WebSocketState

from voicebot.call.session import CallSession
from voicebot.errors import ProtocolError, VoicebotError
from voicebot.telephony.events import CallStarted
from voicebot.telephony.twilio import StreamState, TwilioStream

log = logging.getLogger(__name__)

CLOSE_NORMAL = 1000
CLOSE_INTERNAL_ERROR = 1011
CLOSE_TRY_AGAIN_LATER = 1013
OUTBOUND_QUEUE_FRAMES = 1500  # 30 s of 20 ms frames


class TwilioCallControl:
    """Outbound side of one stream: media, marks, clear and hang-up."""

    def __init__(self, ws: WebSocket, protocol: TwilioStream) -> None:
        self._ws = ws
        self._protocol = protocol
        self._queue: asyncio.Queue[str] = asyncio.Queue(OUTBOUND_QUEUE_FRAMES)
        self._writer = asyncio.create_task(self._write(), name="twilio-writer")
        self.closed = False

    async def send_audio(self, ulaw: bytes) -> None:
        await self._queue.put(self._protocol.media(ulaw))

    async def send_mark(self, name: str) -> None:
        await self._queue.put(self._protocol.mark(name))

    async def clear(self) -> None:
        # Audio still queued here was never sent: drop it, then ask the carrier
        # to drop what it buffered.
        while not self._queue.empty():
            self._queue.get_nowait()
            self._queue.task_done()
        await self._queue.put(self._protocol.clear())

    async def hangup(self, reason: str) -> None:
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._drain(), timeout=2.0)
        await self.close(CLOSE_NORMAL, reason)

    async def close(self, code: int, reason: str = "") -> None:
        if self.closed:
            return
        self.closed = True
        self._writer.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await self._writer
        if self._ws.application_state is WebSocketState.CONNECTED:
            with contextlib.suppress(Exception):
                await self._ws.close(code=code, reason=reason[:120])

    async def _drain(self) -> None:
        await self._queue.join()

    async def _write(self) -> None:
        try:
            while True:
                frame = await self._queue.get()
                try:
                    await self._ws.send_text(frame)
                finally:
                    self._queue.task_done()
        except (WebSocketDisconnect, RuntimeError, OSError) as exc:
            log.info("outbound stream closed: %s", exc)


SessionFactory = Callable[[CallStarted, TwilioCallControl], CallSession]


async def serve_stream(ws: WebSocket, make_session: SessionFactory, max_frame_bytes: int,
                       on_session_end: Callable[[CallSession], None] | None = None) -> None:
    """Run one Media Streams connection to its end. Never raises."""
    protocol = TwilioStream(max_frame_bytes=max_frame_bytes)
    control = TwilioCallControl(ws, protocol)
    session: CallSession | None = None
    end_reason = "stop"
    peer = f"{ws.client.host}:{ws.client.port}" if ws.client else "?"
    try:
        while True:
            message = await ws.receive()
            if message["type"] == "websocket.disconnect":
                code = message.get("code", 1005)
                if protocol.state is not StreamState.STOPPED:
                    end_reason = f"disconnected ({code})"
                    log.warning("stream %s from %s %s (close code %s)", protocol.stream_sid or "-",
                                peer, _disconnect_meaning(code, max_frame_bytes), code)
                break
            if message.get("bytes") is not None:
                events = protocol.receive_binary(message["bytes"])
            else:
                events = protocol.receive(message.get("text") or "")
            for event in events:
                if isinstance(event, CallStarted):
                    session = make_session(event, control)
                    log.info("call %s started (stream %s, params %s)", event.call_id,
                             event.stream_id, sorted(event.parameters))
                    await session.start()
                elif session is not None:
                    await session.handle(event)
            if protocol.state is StreamState.STOPPED or control.closed:
                break
    except ProtocolError as exc:
        end_reason = f"protocol error: {exc}"
        log.warning("stream %s from %s: %s; closing with %d", protocol.stream_sid or "-", peer,
                    exc, exc.close_code)
        await control.close(exc.close_code, str(exc))
    except WebSocketDisconnect as exc:
        end_reason = f"disconnected ({exc.code})"
        log.warning("stream %s from %s %s (close code %s)", protocol.stream_sid or "-", peer,
                    _disconnect_meaning(exc.code, max_frame_bytes), exc.code)
    except VoicebotError as exc:
        end_reason = f"error: {exc}"
        log.error("stream %s: %s", protocol.stream_sid or "-", exc)
        await control.close(CLOSE_INTERNAL_ERROR, "internal error")
    except Exception:
        end_reason = "internal error"
        log.exception("stream %s: unexpected failure", protocol.stream_sid or "-")
        await control.close(CLOSE_INTERNAL_ERROR, "internal error")
    finally:
        if session is not None:
            await session.close(end_reason)
            if on_session_end is not None:
                on_session_end(session)
        await control.close(CLOSE_NORMAL, "call ended")


def _disconnect_meaning(code: int, max_frame_bytes: int) -> str:
    if code == 1009:
        return f"sent a frame over the {max_frame_bytes}-byte limit and was closed"
    return "vanished mid-call"
