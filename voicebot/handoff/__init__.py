"""Warm transfer to a person: the packet an agent sees, its store, and the transfer."""

from voicebot.handoff.agents import AgentAddress, Reach, parse_agent_addresses
from voicebot.handoff.connect import AgentCallError, AgentConnector
from voicebot.handoff.journal import HandoffJournal
from voicebot.handoff.packet import REASON_FLAGS, REASONS, STATUSES, HandoffPacket, build_packet
from voicebot.handoff.service import HandoffOutcome, HandoffService
from voicebot.handoff.store import (
    HandoffError,
    HandoffEvent,
    HandoffNotFound,
    HandoffStateError,
    HandoffStore,
)
from voicebot.handoff.transfer import (
    FallbackPolicy,
    Transfer,
    TransferResult,
    TwilioError,
    TwilioTransfer,
)

__all__ = [
    "REASONS",
    "REASON_FLAGS",
    "STATUSES",
    "AgentAddress",
    "AgentCallError",
    "AgentConnector",
    "FallbackPolicy",
    "HandoffError",
    "HandoffEvent",
    "HandoffJournal",
    "HandoffNotFound",
    "HandoffOutcome",
    "HandoffPacket",
    "HandoffService",
    "HandoffStateError",
    "HandoffStore",
    "Reach",
    "Transfer",
    "TransferResult",
    "TwilioError",
    "TwilioTransfer",
    "build_packet",
    "parse_agent_addresses",
]
