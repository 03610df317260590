"""One Asterisk media connection's call: what both Asterisk adapters do with the events
their protocol gives (the session made at the call's start, in a call slot, fed the
rest) and at the end (the session closed, the call listed, the slot freed)."""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Callable
from typing import TYPE_CHECKING

from voicebot.errors import ProtocolError
from voicebot.telephony.budget import CLOSE_POLICY_VIOLATION
from voicebot.telephony.events import CallEnded, CallStarted, CarrierEvent
from voicebot.web.paced_line import PacedLine

if TYPE_CHECKING:
    from voicebot.call.session import CallSession
    from voicebot.web.app import ServiceState
    from voicebot.web.twilio_stream import StreamSlot

log = logging.getLogger(__name__)


class MediaCall:
    """Feeds one connection's carrier events to its call session."""

    def __init__(self, state: ServiceState, line: PacedLine, slot: StreamSlot,
                 parameters: Callable[[CallStarted], dict[str, str]]) -> None:
        self._state = state
        self.line = line
        self._slot = slot
        self._parameters = parameters
        self.session: CallSession | None = None
        self.ended: str | None = None  # the carrier said the call is over, and why

    async def handle(self, events: list[CarrierEvent]) -> None:
        for event in events:
            if isinstance(event, CallStarted):
                await self._start(event)
            elif isinstance(event, CallEnded):
                self.ended = event.reason
                if self.session is not None:
                    await self.session.handle(event)
            elif self.session is not None:
                await self.session.handle(event)

    async def _start(self, started: CallStarted) -> None:
        if self.session is not None:
            raise ProtocolError("a second call on one connection")
        parameters = self._parameters(started)
        # The caller's own channel, when the dialplan names it (chan_websocket's
        # ``v(channel=${UNIQUEID})``): the call is known by it, to Asterisk's ARI too.
        channel = parameters.pop("channel", None)
        started = dataclasses.replace(started, parameters=parameters,
                                      call_id=channel or started.call_id)
        self._slot.claim(started.call_id)
        if self._state.draining:
            raise ProtocolError("refused: the service is stopping",
                                close_code=CLOSE_POLICY_VIOLATION)
        session = self._state.make_session(started, self.line)
        self.session = session
        self._slot.attach(session)
        self.line.deliver_to(session.handle)
        log.info("call %s started (%s, params %s)", started.call_id, started.carrier.value,
                 sorted(started.parameters))
        await session.start()

    async def finish(self, reason: str) -> None:
        """Close the session (if the call got that far) and the line; free the slot.

        When the session hung up, the reader may see the line close before the session
        has closed itself: the call still ends for the session's reason (a goodbye, a
        hand-off), not as a bare hang-up by the service."""
        reason = self.line.hung_up or reason
        try:
            if self.session is not None:
                await self.session.close(reason)
                self._state.session_ended(self.session)
        finally:
            try:
                await self.line.close()
            finally:
                self._slot.release()
