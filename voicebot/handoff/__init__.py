"""Warm transfer to a person: the packet an agent sees, its store, and the transfer."""

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
    "Transfer",
    "TransferResult",
    "TwilioError",
    "TwilioTransfer",
    "build_packet",
]
