"""Asterisk's side of the service over HTTP: ``POST /asterisk/calls`` (the dialplan
announces an AudioSocket call) and ``WS /asterisk/media`` (chan_websocket connects a
call: ``Dial(WebSocket/<client>/c(ulaw))`` with ``websocket_client.conf`` pointing here).

Both need the shared secret (``VOICEBOT_ASTERISK_SECRET``) as a bearer token or as the
Basic password Asterisk's WebSocket client sends; without it they refuse everything.
The protocol is ``voicebot.telephony.asterisk_ws``'s, the pacing and marks
``voicebot.web.paced_line``'s; this module moves frames and turns protocol errors into
close codes with a log line.
"""

from __future__ import annotations

import contextlib
import logging
import math
from typing import TYPE_CHECKING

from fastapi import APIRouter, Request, WebSocket
from fastapi.responses import JSONResponse
from starlette.types import Message
from starlette.websockets import WebSocketDisconnect, WebSocketState

from voicebot.clock import Clock, SystemClock
from voicebot.errors import ProtocolError, VoicebotError
from voicebot.telephony.asterisk_ws import AsteriskMediaStream, ControlFormat, StreamState
from voicebot.telephony.budget import CLOSE_POLICY_VIOLATION, StreamBudget
from voicebot.telephony.events import CallStarted, Carrier
from voicebot.telephony.pacing import Playout
from voicebot.web.asterisk_calls import (
    AnnouncementError,
    authorized,
    call_key,
    parse_announcement,
    uri_parameters,
)
from voicebot.web.handoffs import secret
from voicebot.web.media_call import MediaCall
from voicebot.web.paced_line import PacedLine
from voicebot.web.twilio_stream import (
    CLOSE_INTERNAL_ERROR,
    CLOSE_NORMAL,
    CLOSE_TRY_AGAIN_LATER,
    DEFAULT_LIMITS,
    StreamLimits,
    StreamSlot,
    unless_evicted,
)

if TYPE_CHECKING:
    from voicebot.web.app import ServiceState

log = logging.getLogger(__name__)

CARRIER = Carrier.ASTERISK_WS
SUBPROTOCOL = "media"  # what websocket_client.conf's ``protocols`` usually names
PROBE_MARK = "voicebot-probe"  # answered only by Asterisk releases that have MARK_MEDIA


class WebSocketTransport:
    """chan_websocket's connection as a ``LineTransport``: Asterisk queues and times the
    audio itself, drops its queue on ``FLUSH_MEDIA`` and answers ``MARK_MEDIA``."""

    recalls = True

    def __init__(self, ws: WebSocket, protocol: AsteriskMediaStream) -> None:
        self._ws = ws
        self._protocol = protocol

    def native_marks(self) -> bool:
        return self._protocol.native_marks is True

    async def send_audio(self, ulaw: bytes) -> None:
        await self._ws.send_bytes(self._protocol.media(ulaw))

    async def send_mark(self, name: str) -> None:
        await self._ws.send_text(self._protocol.mark(name))

    async def flush(self) -> None:
        await self._ws.send_text(self._protocol.flush())

    async def hangup(self) -> None:
        try:
            await self._ws.send_text(self._protocol.hangup())
        finally:
            await close_websocket(self._ws, CLOSE_NORMAL, "call ended")


async def close_websocket(ws: WebSocket, code: int, reason: str = "") -> None:
    if ws.application_state is WebSocketState.CONNECTED:
        with contextlib.suppress(Exception):
            await ws.close(code=code, reason=reason[:120])


async def serve_asterisk_media(ws: WebSocket, state: ServiceState, slot: StreamSlot,
                               uri: dict[str, str], *, limits: StreamLimits | None = None,
                               clock: Clock | None = None) -> None:
    """Run one chan_websocket connection to its end, then free its slot. Never raises."""
    limits = limits or DEFAULT_LIMITS
    clock = clock or SystemClock()
    protocol = AsteriskMediaStream(max_text=state.settings.max_frame_bytes)
    line = PacedLine(WebSocketTransport(ws, protocol), Playout(lead=math.inf), clock,
                     name="asterisk-ws")

    def parameters(started: CallStarted) -> dict[str, str]:
        # The dial string's URI parameters over the channel's variables over an
        # announcement the call names.
        named = uri.get("call") or started.parameters.get("call", "")
        announced = state.announced.take(named) if call_key(named) else None
        merged = {**(announced or {}), **started.parameters, **uri}
        merged.pop("call", None)
        return merged

    call = MediaCall(state, line, slot, parameters)
    budget = StreamBudget(clock.now(), limits.budget)
    peer = f"{ws.client.host}:{ws.client.port}" if ws.client else "?"
    accepted = clock.now()
    end_reason = "hangup"
    try:
        while True:
            started = protocol.state is not StreamState.AWAITING_START
            message = await _next_message(ws, limits, slot,
                                          None if started else clock.now() - accepted)
            if message["type"] == "websocket.disconnect":
                end_reason = call.ended or "hangup"
                break
            if message.get("bytes") is not None:
                events = protocol.receive_binary(message["bytes"])
            else:
                events = protocol.receive_text(message.get("text") or "")
                if not started and protocol.format is ControlFormat.PLAIN:
                    # Plain text: find out whether this Asterisk answers marks (22.8+).
                    await ws.send_text(protocol.mark(PROBE_MARK))
            wait = budget.charge(events, clock.now())
            await call.handle(events)
            if line.closed:
                end_reason = "hung up by the service"
                break
            if wait > 0:
                # Over its budget: not read again until it is back within it.
                await limits.hold_back(budget, wait, clock)
    except ProtocolError as exc:
        end_reason = f"protocol error: {exc}"
        state.metrics.refused(CARRIER, "protocol")
        log.warning("chan_websocket %s from %s: %s; closing with %d",
                    protocol.channel_id or "-", peer, exc, exc.close_code)
        await line.close()
        await close_websocket(ws, exc.close_code, str(exc))
    except WebSocketDisconnect:
        end_reason = call.ended or "hangup"
    except VoicebotError as exc:
        end_reason = f"error: {exc}"
        log.error("chan_websocket %s: %s", protocol.channel_id or "-", exc)
        await close_websocket(ws, CLOSE_INTERNAL_ERROR, "internal error")
    except Exception:
        end_reason = "internal error"
        log.exception("chan_websocket %s: unexpected failure", protocol.channel_id or "-")
        await close_websocket(ws, CLOSE_INTERNAL_ERROR, "internal error")
    finally:
        try:
            await call.finish(end_reason)
        finally:
            await close_websocket(ws, CLOSE_NORMAL, "call ended")


async def _next_message(ws: WebSocket, limits: StreamLimits, slot: StreamSlot,
                        elapsed: float | None) -> Message:
    """The next message; a ProtocolError (1008) when the connection goes quiet, or when
    it has not started its call (``elapsed`` seconds since it connected) and a newer
    connection needed its slot."""
    if elapsed is not None:
        return await unless_evicted(ws.receive(), slot, limits.start_timeout, elapsed,
                                    "MEDIA_START")
    return await limits.before_idle(ws.receive())


def build_asterisk_router(state: ServiceState) -> APIRouter:
    """``POST /asterisk/calls`` and ``WS /asterisk/media``."""
    router = APIRouter(include_in_schema=False)

    def shared_secret() -> str | None:
        return secret(state.settings.asterisk_secret)

    @router.post("/asterisk/calls")
    async def announce_call(request: Request) -> JSONResponse:
        """The dialplan announces an AudioSocket call: its creditor, account, language."""
        if not authorized(request.headers, shared_secret()):
            return JSONResponse({"error": "unauthorized"}, status_code=401,
                                headers={"WWW-Authenticate": "Bearer"})
        if state.draining:
            return JSONResponse({"error": "stopping: no new calls"}, status_code=503,
                                headers={"Retry-After": "5"})
        try:
            announcement = parse_announcement(await request.body(),
                                              request.headers.get("content-type", ""))
        except AnnouncementError as exc:
            return JSONResponse({"error": str(exc)}, status_code=422)
        if announcement.creditor and announcement.creditor not in state.policies:
            return JSONResponse({"error": f"no creditor {announcement.creditor!r}"},
                                status_code=422)
        state.announced.announce(announcement)
        return JSONResponse({"uuid": str(announcement.uuid),
                             "expires_in": state.settings.asterisk_call_seconds},
                            status_code=201)

    @router.websocket("/asterisk/media")
    async def asterisk_media(ws: WebSocket) -> None:
        if not authorized(ws.headers, shared_secret()):
            state.metrics.refused(CARRIER, "unauthorized")
            log.warning("refusing chan_websocket connection from %s: no valid secret",
                        ws.client.host if ws.client else "?")
            await ws.close(code=CLOSE_POLICY_VIOLATION)  # before accept: HTTP 403
            return
        offered = ws.scope.get("subprotocols") or []
        await ws.accept(subprotocol=SUBPROTOCOL if SUBPROTOCOL in offered else None)
        peer = ws.client.host if ws.client else ""
        slot = (state.calls.reserve(peer)
                if state.engines is not None and not state.draining else None)
        if slot is None:
            state.metrics.refused(CARRIER, "draining" if state.draining else "busy")
            log.warning("refusing chan_websocket connection: %d streams open (limit %d)%s",
                        state.calls.held, state.calls.max_calls,
                        "; stopping" if state.draining else "")
            await ws.close(code=CLOSE_TRY_AGAIN_LATER, reason="busy")
            return
        await serve_asterisk_media(ws, state, slot, uri_parameters(ws.query_params))

    return router
