"""The agent who accepts a waiting hand-off gets that caller (conference mode).

The caller holds alone in the hand-off's own conference (``twiml.conference_hold``).
When an agent accepts the packet on the desktop, the store records it (a second
agent's accept is refused there) together with the call about to be placed, and
the service calls that agent's address. When the agent answers, Twilio asks for
the agent's TwiML: a phone or a PBX first needs a key press (a voicemail hears
nothing), then the agent hears the whisper (``voicebot.dialogue.whisper``) and starts
the caller's conference. Twilio's reports then move the packet's ``connection``
along: connected when the agent joins; ended when either leaves.

What goes wrong is settled here too:

- the agent does not answer in time, is busy, declines or hangs up before joining:
  the connection is ``missed`` and the packet waits again for any agent (the caller
  never noticed; the no-agent fallback still counts from the transfer);
- the call cannot be placed: the same, ``failed``, and the accepting agent is told;
- the caller hangs up first: ``caller_gone``; the agent's call is cancelled (or told,
  if answered) and the packet stays with that agent, to call the person back.

Each call to an agent has an ``attempt`` id, carried in the URLs Twilio calls: a
report about an earlier attempt never changes a later one.
"""

from __future__ import annotations

import contextlib
import logging
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal, Protocol

from voicebot.errors import EngineError
from voicebot.handoff.agents import AgentAddress, Reach
from voicebot.handoff.packet import ON_THE_WAY, HandoffPacket, iso
from voicebot.handoff.store import HandoffError, HandoffStateError, HandoffStore

log = logging.getLogger(__name__)

# Twilio's CallStatus values once a call is over.
ENDED = frozenset({"completed", "busy", "no-answer", "failed", "canceled"})


class AgentCaller(Protocol):
    """Places and stops the call to an agent (``TwilioTransfer`` in conference mode)."""

    async def call_agent(self, packet: HandoffPacket, address: AgentAddress,
                         attempt: str) -> str:
        """Call ``address`` for ``packet``; the call's id. Raises EngineError."""
        ...

    async def end_agent_call(self, call_sid: str, *, ringing: bool, language: str) -> None:
        """Cancel the agent's call (ringing) or tell them the caller is gone. Raises
        EngineError."""
        ...


class AgentCallError(HandoffError):
    """The accepting agent could not be called; the hand-off waits again."""


@dataclass(frozen=True)
class AgentLeg:
    """What the agent's call does next, for the TwiML Twilio asks for.

    ``join``: the whisper, then the caller's conference; ``gate``: press 1 first;
    ``not_taken``: the agent did not press 1; ``caller_gone``: the caller hung up;
    ``stale``: the hand-off no longer waits for this call."""

    action: Literal["join", "gate", "not_taken", "caller_gone", "stale"]
    packet: HandoffPacket | None = None

    @property
    def language(self) -> str:
        return self.packet.language if self.packet is not None else "en"


class AgentConnector:
    """Accepting, calling the agent, and Twilio's reports about that call."""

    def __init__(self, store: HandoffStore, caller: AgentCaller,
                 addresses: Mapping[str, AgentAddress]) -> None:
        self.store = store
        self.caller = caller
        self.addresses = dict(addresses)

    def _now(self) -> str | None:
        return iso(self.store.clock.wall())

    # -- the desktop ------------------------------------------------------------------------

    async def accept(self, handoff_id: str, agent: str) -> HandoffPacket:
        """``agent`` takes the hand-off; if its caller is holding, the service calls the
        agent. HandoffStateError when it cannot be taken (or the agent has no address);
        AgentCallError when the call could not be placed."""
        address = self.addresses.get(agent)
        if address is None and self.store.get(handoff_id).status == "waiting":
            raise HandoffStateError(
                f"the service has no number or client to call you at, {agent} (an "
                "administrator adds you to VOICEBOT_AGENT_ADDRESSES); the caller still waits")
        attempt = uuid.uuid4().hex
        ring = {"attempt": attempt, "reach": address.reach.value} if address else None
        packet = self.store.accept(handoff_id, agent, ring=ring)
        if address is None or (packet.connection or {}).get("attempt") != attempt:
            return packet  # a call-back: the caller is gone, the agent calls them
        try:
            call_sid = await self.caller.call_agent(packet, address, attempt)
        except EngineError as exc:
            log.error("hand-off %s: could not call agent %s: %s", handoff_id, agent, exc)
            with contextlib.suppress(HandoffError):  # the caller hung up meanwhile
                self.store.release(handoff_id, attempt, state="failed", detail=str(exc)[:200],
                                   ended_at=self._now(),
                                   note=f"[voicebot] Could not call {agent} ({exc}); the "
                                        "caller waits for another agent.")
            raise AgentCallError(f"the service could not call you ({exc}); the caller "
                                 "waits for another agent") from exc
        try:
            packet = self.store.update_connection(handoff_id, attempt, call_sid=call_sid)
        except HandoffStateError:
            return self.store.get(handoff_id)
        if (packet.connection or {}).get("state") == "caller_gone":  # gone while we dialled
            await self._end_call(packet, call_sid, ringing=True)
        return packet

    # -- the agent's call: TwiML -----------------------------------------------------------------

    def answered(self, handoff_id: str, attempt: str) -> AgentLeg:
        """The agent picked up: a phone or a PBX must press 1 first; a client joins."""
        packet, leg = self._leg(handoff_id, attempt)
        if leg is not None:
            return leg
        assert packet is not None and packet.connection is not None
        gate = Reach(packet.connection.get("reach", "client")).may_be_voicemail
        packet = self._update(packet, attempt, state="answered" if gate else "joining",
                              answered_at=self._now())
        return AgentLeg("gate" if gate else "join", packet)

    def confirmed(self, handoff_id: str, attempt: str, digits: str) -> AgentLeg:
        """The agent at a phone pressed a key (1 takes the call) or none."""
        packet, leg = self._leg(handoff_id, attempt)
        if leg is not None:
            return leg
        assert packet is not None
        if digits.strip() != "1":
            self._missed(packet, attempt, "declined at the prompt")
            return AgentLeg("not_taken", packet)
        return AgentLeg("join", self._update(packet, attempt, state="joining"))

    def _leg(self, handoff_id: str, attempt: str
             ) -> tuple[HandoffPacket | None, AgentLeg | None]:
        try:
            packet = self.store.get(handoff_id)
        except HandoffError:
            return None, AgentLeg("stale")
        connection = packet.connection or {}
        if not attempt or connection.get("attempt") != attempt:
            return packet, AgentLeg("stale", packet)
        if connection.get("state") == "caller_gone":
            return packet, AgentLeg("caller_gone", packet)
        if not packet.agent_on_the_way:
            return packet, AgentLeg("stale", packet)
        return packet, None

    # -- Twilio's reports --------------------------------------------------------------------------

    def call_status(self, handoff_id: str, attempt: str, status: str, call_sid: str) -> None:
        """The agent's call progressed (its StatusCallback)."""
        packet = self._current(handoff_id, attempt)
        if packet is None:
            return
        connection = packet.connection or {}
        state = connection.get("state")
        if status not in ENDED:
            if call_sid and not connection.get("call_sid"):
                self._update(packet, attempt, call_sid=call_sid)
            return
        if state == "connected":
            self._update(packet, attempt, state="ended", ended_at=self._now())
        elif state in ON_THE_WAY:
            why = {"ringing": status, "answered": "answered but did not press 1"}.get(
                state, "hung up before joining the caller") if status == "completed" else status
            self._missed(packet, attempt, why)

    def joined(self, handoff_id: str, call_sid: str) -> None:
        """Someone joined the hand-off's conference: the agent, if it is not the caller."""
        packet = self._get(handoff_id)
        if packet is None or call_sid == packet.call_id or packet.connection is None:
            return
        connection = packet.connection
        if connection.get("state") in ON_THE_WAY and connection.get("call_sid") in (None,
                                                                                   call_sid):
            self._update(packet, connection["attempt"], state="connected", call_sid=call_sid,
                         connected_at=self._now())
            log.info("hand-off %s: agent %s connected to the caller", packet.id, packet.agent)

    async def left(self, handoff_id: str, call_sid: str) -> None:
        """Someone left the hand-off's conference: the caller (gone, or done talking), or
        the agent (done talking)."""
        packet = self._get(handoff_id)
        if packet is None:
            return
        connection = packet.connection or {}
        attempt = connection.get("attempt", "")
        if call_sid != packet.call_id:
            if connection.get("call_sid") == call_sid and connection.get("state") == "connected":
                self._update(packet, attempt, state="ended", ended_at=self._now())
            return
        if connection.get("state") == "connected":
            self._update(packet, attempt, state="ended", ended_at=self._now())
        elif packet.agent_on_the_way:
            ringing = connection.get("state") == "ringing"
            packet = self._update(
                packet, attempt, state="caller_gone", ended_at=self._now(),
                note=f"[voicebot] The caller hung up before {packet.agent} joined; call them "
                     "back.")
            if connection.get("call_sid"):
                await self._end_call(packet, connection["call_sid"], ringing=ringing)
        elif packet.status == "waiting":
            with contextlib.suppress(HandoffError):
                self.store.mark(packet.id, "abandoned")
                self.store.annotate(packet.id, "[voicebot] The caller hung up while holding "
                                               "for an agent.")

    # -- helpers ---------------------------------------------------------------------------------

    def _get(self, handoff_id: str) -> HandoffPacket | None:
        try:
            return self.store.get(handoff_id)
        except HandoffError:
            log.warning("Twilio reported on unknown hand-off %r", handoff_id)
            return None

    def _current(self, handoff_id: str, attempt: str) -> HandoffPacket | None:
        packet = self._get(handoff_id)
        if packet is None or not attempt or (packet.connection or {}).get("attempt") != attempt:
            return None  # an earlier call's late report
        return packet

    def _update(self, packet: HandoffPacket, attempt: str, *, note: str | None = None,
                **changes: object) -> HandoffPacket:
        try:
            return self.store.update_connection(packet.id, attempt, note=note, **changes)
        except HandoffStateError as exc:  # another report moved it on meanwhile
            log.info("hand-off %s: %s", packet.id, exc)
            return self.store.get(packet.id)

    def _missed(self, packet: HandoffPacket, attempt: str, why: str) -> None:
        """The agent did not take the call: the caller, still holding, waits for another."""
        agent = (packet.connection or {}).get("agent") or packet.agent
        changes = {"state": "missed", "detail": why, "ended_at": self._now()}
        note = f"[voicebot] {agent} did not take the call ({why}); it waits for another agent."
        try:
            if packet.status == "active":
                self.store.release(packet.id, attempt, note=note, **changes)
            else:
                self.store.update_connection(packet.id, attempt, **changes)
        except HandoffStateError as exc:
            log.info("hand-off %s: %s", packet.id, exc)
            return
        log.info("hand-off %s: agent %s did not take the call (%s)", packet.id, agent, why)

    async def _end_call(self, packet: HandoffPacket, call_sid: str, *, ringing: bool) -> None:
        try:
            await self.caller.end_agent_call(call_sid, ringing=ringing, language=packet.language)
        except EngineError as exc:
            log.warning("hand-off %s: could not stop agent call %s: %s", packet.id, call_sid,
                        exc)
