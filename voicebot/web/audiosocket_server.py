"""The AudioSocket listener: a TCP server Asterisk's ``AudioSocket(uuid,host:port)``
connects each call to (on when ``VOICEBOT_AUDIOSOCKET_PORT`` is set).

AudioSocket has no authentication: the listener serves loopback unless the operator
says otherwise (``refuse_insecure_exposure``). Each connection holds a call slot from
accept to close, must send its UUID within ``start_timeout`` and is read no faster than
line rate. Its creditor, account and language are those announced for its UUID
(``POST /asterisk/calls``), else the port's defaults. The protocol is
``voicebot.telephony.audiosocket``'s; the bot's audio goes out in real time through
``voicebot.web.paced_line`` (AudioSocket has no buffer to flush and no marks).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from typing import TYPE_CHECKING

from voicebot.audio.codec import slin_encode, ulaw_decode
from voicebot.call.tasks import cancel
from voicebot.clock import Clock, SystemClock
from voicebot.errors import ProtocolError, VoicebotError
from voicebot.telephony.audiosocket import AudioSocketStream, StreamState
from voicebot.telephony.budget import StreamBudget
from voicebot.telephony.events import CallStarted, Carrier
from voicebot.telephony.pacing import Playout
from voicebot.web.media_call import MediaCall
from voicebot.web.paced_line import PacedLine
from voicebot.web.twilio_stream import DEFAULT_LIMITS, StreamLimits, StreamSlot, unless_evicted

if TYPE_CHECKING:
    from voicebot.web.app import ServiceState

log = logging.getLogger(__name__)

CARRIER = Carrier.AUDIOSOCKET
READ_BYTES = 4096
WRITE_TIMEOUT = 2.0  # a peer that stops reading this long is gone
SILENCE_FRAME = b"\xff" * 160  # 20 ms of mu-law silence: the line is never dry


class AudioSocketTransport:
    """An AudioSocket connection as a ``LineTransport``: frames are played as they
    arrive, so nothing can be recalled and marks are emulated."""

    recalls = False

    def __init__(self, writer: asyncio.StreamWriter) -> None:
        self._writer = writer

    def native_marks(self) -> bool:
        return False

    async def send_audio(self, ulaw: bytes) -> None:
        # The speaker's mu-law, as the linear PCM AudioSocket carries.
        self._writer.write(AudioSocketStream.audio(slin_encode(ulaw_decode(ulaw))))
        await asyncio.wait_for(self._writer.drain(), WRITE_TIMEOUT)

    async def send_mark(self, name: str) -> None:
        raise RuntimeError("AudioSocket has no marks")  # never asked: native_marks is False

    async def flush(self) -> None:
        """Nothing to do: Asterisk holds no audio (what was sent is playing)."""

    async def hangup(self) -> None:
        await send_hangup(self._writer)


async def send_hangup(writer: asyncio.StreamWriter) -> None:
    """The hang-up frame, then close: Asterisk's AudioSocket() returns."""
    with contextlib.suppress(Exception):
        if not writer.is_closing():
            writer.write(AudioSocketStream.hangup())
            await asyncio.wait_for(writer.drain(), WRITE_TIMEOUT)
    writer.close()
    with contextlib.suppress(Exception):
        await asyncio.wait_for(writer.wait_closed(), WRITE_TIMEOUT)


class AudioSocketServer:
    """The listener and the connections it serves."""

    def __init__(self, state: ServiceState, host: str, port: int, *,
                 defaults: dict[str, str] | None = None,
                 limits: StreamLimits | None = None, clock: Clock | None = None) -> None:
        self._state = state
        # The creditor and language of its calls not announced (None: the settings').
        self.defaults = defaults
        self.host = host
        self.requested_port = port
        self.limits = limits or DEFAULT_LIMITS
        self._clock = clock or SystemClock()  # a connection's limits and pacing: real time
        self._server: asyncio.Server | None = None
        self._connections: set[asyncio.Task[None]] = set()

    @property
    def port(self) -> int:
        """The port listened on (the one asked for, or the one given for 0)."""
        assert self._server is not None and self._server.sockets
        return int(self._server.sockets[0].getsockname()[1])

    async def start(self) -> None:
        self._server = await asyncio.start_server(self._accept, self.host,
                                                  self.requested_port)
        log.info("AudioSocket listening on %s:%d", self.host, self.port)

    async def close(self) -> None:
        """Stop listening and end the connections still open (drain first to hand the
        calls over)."""
        if self._server is not None:
            self._server.close()
        for task in list(self._connections):
            await cancel(task)
        if self._server is not None:
            with contextlib.suppress(Exception):
                await asyncio.wait_for(self._server.wait_closed(), 5)

    async def _accept(self, reader: asyncio.StreamReader,
                      writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        assert task is not None
        self._connections.add(task)
        try:
            await self._serve(reader, writer)
        except asyncio.CancelledError:
            # The listener is closing: the call was ended and hung up on (``finally`` in
            # ``serve_audiosocket``). This task is the connection's root: it ends here.
            pass
        finally:
            self._connections.discard(task)

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        state = self._state
        peer = writer.get_extra_info("peername") or ("?", 0)
        slot = (state.calls.reserve(str(peer[0]))
                if state.engines is not None and not state.draining else None)
        if slot is None:
            state.metrics.refused(CARRIER, "draining" if state.draining else "busy")
            log.warning("refusing AudioSocket connection from %s: %d streams open (limit "
                        "%d)%s", peer[0], state.calls.held, state.calls.max_calls,
                        "; stopping" if state.draining else "")
            await send_hangup(writer)
            return
        await serve_audiosocket(reader, writer, state, slot, limits=self.limits,
                                clock=self._clock, defaults=self.defaults)


async def serve_audiosocket(reader: asyncio.StreamReader, writer: asyncio.StreamWriter,
                            state: ServiceState, slot: StreamSlot, *,
                            limits: StreamLimits | None = None,
                            clock: Clock | None = None,
                            defaults: dict[str, str] | None = None) -> None:
    """Run one AudioSocket connection to its end, then free its slot. Never raises.
    ``defaults``: the creditor and language of a call not announced (by default the
    settings' ``audiosocket_creditor`` and ``audiosocket_language``)."""
    limits = limits or DEFAULT_LIMITS
    clock = clock or SystemClock()
    settings = state.settings
    protocol = AudioSocketStream()
    line = PacedLine(AudioSocketTransport(writer), Playout(), clock, name="audiosocket")
    if defaults is None:
        defaults = settings.audiosocket_defaults()

    def parameters(started: CallStarted) -> dict[str, str]:
        announced = state.announced.take(started.call_id)
        if announced is None:
            log.info("AudioSocket call %s was not announced: the port's defaults apply",
                     started.call_id)
        return {**defaults, **(announced or {})}

    call = MediaCall(state, line, slot, parameters)
    budget = StreamBudget(clock.now(), limits.budget)
    peer = writer.get_extra_info("peername") or ("?", 0)
    accepted = clock.now()
    end_reason = "hangup"
    try:
        while True:
            if protocol.state is StreamState.AWAITING_UUID:
                data = await unless_evicted(reader.read(READ_BYTES), slot,
                                            limits.start_timeout, clock.now() - accepted,
                                            "UUID")
            else:
                data = await limits.before_idle(reader.read(READ_BYTES))
            if line.closed:
                end_reason = "hung up by the service"
                break
            events = protocol.receive_data(data) if data else protocol.connection_lost()
            # Charged per event: TCP may split a frame over reads, or join several.
            wait = budget.charge(events, clock.now()) if events else 0.0
            await call.handle(events)
            if call.session is not None and line.playout.fill is None:
                line.fill_with(SILENCE_FRAME)  # a call: the line carries sound from now on
            if protocol.state is StreamState.ENDED:
                end_reason = call.ended or "hangup"
                break
            if wait > 0:
                await limits.hold_back(budget, wait, clock)
    except ProtocolError as exc:
        end_reason = f"protocol error: {exc}"
        state.metrics.refused(CARRIER, "protocol")
        log.warning("AudioSocket %s from %s: %s; hanging up", protocol.call_uuid or "-",
                    peer[0], exc)
        await line.close()
        await send_hangup(writer)
    except (ConnectionResetError, BrokenPipeError):
        # Asterisk closed the socket with the bot's audio still unread (the caller hung
        # up while it spoke): the kernel resets rather than ends the connection. For
        # AudioSocket a closed socket is the hang-up, however it closed.
        end_reason = call.ended or "hangup"
    except (ConnectionError, OSError) as exc:
        end_reason = f"disconnected ({exc.__class__.__name__})"
    except VoicebotError as exc:
        end_reason = f"error: {exc}"
        log.error("AudioSocket %s: %s", protocol.call_uuid or "-", exc)
        await send_hangup(writer)
    except Exception:
        end_reason = "internal error"
        log.exception("AudioSocket %s: unexpected failure", protocol.call_uuid or "-")
        await send_hangup(writer)
    finally:
        try:
            await call.finish(end_reason)
        finally:
            await send_hangup(writer)
