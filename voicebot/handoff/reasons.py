"""Why a call goes to a person: one list, with what the agent reads and the flag
the packet carries."""

from __future__ import annotations

import enum


class HandoffReason(enum.StrEnum):
    """A reason, its words for the agent (``text``) and the flag it implies (``flag``)."""

    IDENTITY_NOT_VERIFIED = "identity_not_verified"
    PAYMENT = "payment"
    HARDSHIP_APPROVAL = "hardship_approval"
    CALLER_ASKED_FOR_HUMAN = "caller_asked_for_human"
    DISPUTE = "dispute"
    VALIDATION = "validation"
    LAWYER = "lawyer"
    BANKRUPTCY = "bankruptcy"
    STOP_CONTACT = "stop_contact"
    VULNERABILITY = "vulnerability"
    HARDSHIP = "hardship"
    LANGUAGE = "language"
    REPEATED_MISUNDERSTANDING = "repeated_misunderstanding"
    REFERENCE_NOT_OBTAINED = "reference_not_obtained"
    INTERNAL_FAILURE = "internal_failure"
    ACCOUNT_FLAGGED = "account_flagged"
    SERVICE_RESTART = "service_restart"
    STREAM_LOST = "stream_lost"

    @property
    def text(self) -> str:
        return _TEXT[self]

    @property
    def flag(self) -> str | None:
        return _FLAG.get(self)

    @property
    def spoken(self) -> bool:
        """Whether the bot says this reason with a ``handoff_<reason>`` template (an agreed
        hardship plan has its own words)."""
        return self not in (HandoffReason.HARDSHIP_APPROVAL, HandoffReason.STREAM_LOST)


_TEXT = {
    HandoffReason.IDENTITY_NOT_VERIFIED: "Identity could not be verified",
    HandoffReason.PAYMENT: "Ready to take the first payment",
    HandoffReason.HARDSHIP_APPROVAL: "Hardship plan needs approval",
    HandoffReason.CALLER_ASKED_FOR_HUMAN: "Caller asked for a person",
    HandoffReason.DISPUTE: "Caller disputes the debt",
    HandoffReason.VALIDATION: "Caller asked for proof of the debt",
    HandoffReason.LAWYER: "Caller mentioned a lawyer",
    HandoffReason.BANKRUPTCY: "Caller mentioned bankruptcy",
    HandoffReason.STOP_CONTACT: "Caller asked to stop contact",
    HandoffReason.VULNERABILITY: "Caller may be vulnerable: take this call first",
    HandoffReason.HARDSHIP: "Caller in financial hardship",
    HandoffReason.LANGUAGE: "Caller speaks a language the assistant cannot use here",
    HandoffReason.REPEATED_MISUNDERSTANDING: "The bot misunderstood the caller repeatedly",
    HandoffReason.REFERENCE_NOT_OBTAINED: "Account reference not obtained",
    HandoffReason.INTERNAL_FAILURE: "The bot failed",
    HandoffReason.ACCOUNT_FLAGGED: "Account flagged on an earlier call: no collection by the bot",
    HandoffReason.SERVICE_RESTART: "The assistant was restarting: carry on where the call was",
    HandoffReason.STREAM_LOST: "The assistant lost the call's audio: carry on where it was",
}
_FLAG = {
    HandoffReason.HARDSHIP_APPROVAL: "hardship",
    HandoffReason.HARDSHIP: "hardship",
    HandoffReason.VALIDATION: "validation",
    HandoffReason.DISPUTE: "dispute",
    HandoffReason.LAWYER: "lawyer",
    HandoffReason.BANKRUPTCY: "bankruptcy",
    HandoffReason.STOP_CONTACT: "stop_contact",
    HandoffReason.VULNERABILITY: "vulnerability",
}
