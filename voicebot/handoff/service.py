"""One call to hand a call over: store the packet, move the call, watch for a taker.

The call session builds the packet (``build_packet``) from what it knows and
calls ``HandoffService.hand_off``; the service never sees the session.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass

from voicebot.errors import EngineError
from voicebot.handoff.connect import AgentConnector
from voicebot.handoff.packet import HandoffPacket
from voicebot.handoff.store import HandoffError, HandoffStore
from voicebot.handoff.transfer import FallbackPolicy, Transfer, TransferResult

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class HandoffOutcome:
    packet: HandoffPacket
    transferred: bool  # the call now waits for (or rings) a person
    result: TransferResult | None = None
    error: str | None = None


class HandoffService:
    """The store, the carrier transfer (optional), the no-agent fallback (optional) and,
    in conference mode, the connector that calls the agent who accepts."""

    def __init__(self, store: HandoffStore, transfer: Transfer | None = None,
                 fallback: FallbackPolicy | None = None,
                 connector: AgentConnector | None = None) -> None:
        self.store = store
        self.transfer = transfer
        self.fallback = fallback
        self.connector = connector
        # Connectors of other carriers, each for the hand-offs it owns (Asterisk's).
        self.routes: list[tuple[Callable[[str], bool], AgentConnector]] = []

    async def accept(self, handoff_id: str, agent: str) -> HandoffPacket:
        """An agent takes a hand-off on the desktop (and, in conference mode or when its
        caller came through Asterisk, is called to take the caller). Raises HandoffError."""
        for owns, connector in self.routes:
            if owns(handoff_id):
                return await connector.accept(handoff_id, agent)
        if self.connector is not None:
            return await self.connector.accept(handoff_id, agent)
        return self.store.accept(handoff_id, agent)

    async def hand_off(self, packet: HandoffPacket, *, call_sid: str) -> HandoffOutcome:
        """Never raises for a carrier failure: the packet then waits as a callback."""
        return await self.move(self.store.add(packet), call_sid=call_sid)

    async def move(self, stored: HandoffPacket, *, call_sid: str,
                   in_store: bool = True) -> HandoffOutcome:
        """Transfer the call of an already kept packet (``in_store`` False: journaled)."""
        if not in_store:
            if self.transfer is None:
                return HandoffOutcome(stored, False, None, "no transfer is configured")
            try:
                result = await self.transfer.transfer(stored, call_sid=call_sid)
            except EngineError as exc:
                return HandoffOutcome(stored, False, None, f"the transfer failed: {exc}")
            return HandoffOutcome(stored, True, result)
        if self.transfer is None:
            return self._not_moved(stored, "no transfer is configured; call the person back")
        try:
            result = await self.transfer.transfer(stored, call_sid=call_sid)
        except EngineError as exc:
            log.error("hand-off %s: the transfer failed: %s", stored.id, exc)
            return self._not_moved(stored, f"the transfer failed: {exc}")
        if result.watch and self.fallback is not None:
            self.fallback.start(stored.id, call_sid)
        return HandoffOutcome(stored, True, result)

    def _not_moved(self, packet: HandoffPacket, why: str) -> HandoffOutcome:
        try:
            self.store.mark(packet.id, "fallback")
            packet = self.store.annotate(packet.id, f"[voicebot] Not transferred: {why}.")
        except HandoffError as exc:  # an agent took it meanwhile
            log.info("hand-off %s: %s", packet.id, exc)
        return HandoffOutcome(packet, False, None, why)

    async def aclose_transfer(self) -> None:
        """Stop the fallback timers and the transfer (its HTTP client, its listener)."""
        if self.fallback is not None:
            await self.fallback.aclose()
        aclose = getattr(self.transfer, "aclose", None)
        if aclose is not None:
            await aclose()

    async def aclose(self) -> None:
        """``aclose_transfer``, then close the store."""
        await self.aclose_transfer()
        self.store.close()
