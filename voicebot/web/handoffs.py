"""Wiring hand-offs into the service: store, transfer, agents, and the packet of a call."""

from __future__ import annotations

import datetime as dt
import logging
import time

from voicebot.call.session import CallSession
from voicebot.dialogue.manager import NegotiationDialogue
from voicebot.handoff import (
    REASON_FLAGS,
    FallbackPolicy,
    HandoffError,
    HandoffPacket,
    HandoffService,
    HandoffStore,
    TwilioTransfer,
    build_packet,
)
from voicebot.redaction import redact_obj
from voicebot.settings import Settings
from voicebot.web.security import AgentAuth, load_agent_tokens, parse_agent_tokens

log = logging.getLogger(__name__)

# Dialogue events that become flags on the packet an agent sees.
EVENT_FLAGS = {
    "card_data": "card_data_detected",
    "identity_mismatch": "identity_mismatch",
    "language": "language_changed",
}


def secret(value: object) -> str | None:
    return value.get_secret_value() if value is not None else None  # type: ignore[attr-defined]


def build_handoff_service(settings: Settings) -> HandoffService:
    path = settings.handoff_db or settings.home / "handoffs.db"
    path.parent.mkdir(parents=True, exist_ok=True)
    store = HandoffStore(path, redact=redact_obj)
    token = secret(settings.twilio_auth_token)
    transfer = fallback = None
    if settings.twilio_account_sid and token:
        transfer = TwilioTransfer(
            settings.twilio_account_sid, token, api_base=settings.twilio_api_base,
            mode=settings.handoff_mode, queue_name=settings.handoff_queue,
            dial_number=settings.handoff_dial_number,
            dial_timeout=settings.handoff_dial_timeout_seconds,
            caller_id=settings.handoff_caller_id, workflow_sid=settings.handoff_workflow_sid,
            hold_music_url=settings.handoff_hold_music_url,
            hold_message=settings.handoff_hold_message,
            status_callback_url=f"{settings.public_url}/twilio/handoff"
            if settings.public_url else None,
        )
        fallback = FallbackPolicy(store, transfer, timeout=settings.handoff_fallback_seconds)
        if not settings.public_url:
            log.warning("VOICEBOT_PUBLIC_URL is not set: transferred calls cannot report back "
                        "which hand-off they belong to")
    else:
        log.warning("no Twilio credentials: hand-offs are stored for agents, calls not transferred")
    return HandoffService(store, transfer, fallback)


def build_agent_auth(settings: Settings) -> AgentAuth:
    tokens = parse_agent_tokens(secret(settings.agent_tokens) or "")
    if settings.agent_tokens_file:
        tokens |= load_agent_tokens(settings.agent_tokens_file)
    return AgentAuth(tokens, secret=secret(settings.agent_session_secret),
                     session_seconds=int(settings.agent_session_hours * 3600))


def session_packet(session: CallSession, reason: str, monotonic_now: float) -> HandoffPacket:
    """The packet of a call being handed off, built from what the call knows."""
    dialogue = session.dialogue
    assert isinstance(dialogue, NegotiationDialogue)  # the only dialogue calls get
    kinds = {kind for kind, _ in dialogue.record.events}
    flags = [flag for event, flag in EVENT_FLAGS.items() if event in kinds]
    flags += [flag for flag in dialogue.flags if flag not in flags]
    if reason in REASON_FLAGS and REASON_FLAGS[reason] not in flags:
        flags.append(REASON_FLAGS[reason])
    if dialogue.priority:
        flags.insert(0, "priority")
    account, policy = dialogue.account, dialogue.policy
    now = dt.datetime.now(dt.UTC)
    totals = [t.stages()["total"] for t in session.timings.turns if "total" in t.stages()]
    return build_packet(
        call_id=session.call_id,
        creditor_id=policy.id,
        creditor_name=policy.name,
        language=session.language,
        reason=reason,
        account_reference=account.reference if account else None,
        account_name=account.name if account else None,
        verified=dialogue.verified,
        decision=dialogue.decision,
        agreed=dialogue.agreed,
        transcript=session.transcript,
        transcript_origin=session.started_at,
        flags=flags,
        call_started=now - dt.timedelta(seconds=monotonic_now - session.started_at),
        handoff_requested=now,
        turns=len(session.timings.turns),
        turn_ms=totals,
        redact=lambda value: redact_obj(value, session.language),
    )


class HandOff:
    """What a call session calls to hand itself off; returns whether it was transferred."""

    def record_request(self, session: CallSession, request: str) -> None:
        """A request the bot acknowledged and ended the call on (a stop-contact, a
        request for proof): kept for staff to act on, with no caller waiting."""
        packet = self.service.store.add(session_packet(session, request, time.monotonic()))
        try:
            self.service.store.mark(packet.id, "fallback")
            self.service.store.annotate(
                packet.id, "[voicebot] The call ended as the creditor's policy says; record "
                "this request on the account and confirm it in writing.")
        except HandoffError as exc:
            log.info("hand-off %s: %s", packet.id, exc)
        log.info("%s: request %s recorded as %s", session.call_id, request, packet.id)

    def __init__(self, service: HandoffService) -> None:
        self.service = service
        self.last_transfer_ms: float | None = None

    async def __call__(self, session: CallSession, reason: str) -> bool:
        started = time.perf_counter()
        packet = session_packet(session, reason, time.monotonic())
        outcome = await self.service.hand_off(packet, call_sid=session.call_id)
        self.last_transfer_ms = (time.perf_counter() - started) * 1000
        log.info("%s: hand-off %s (%s) stored; transferred=%s in %.0f ms%s", session.call_id,
                 outcome.packet.id, reason, outcome.transferred, self.last_transfer_ms,
                 f" ({outcome.error})" if outcome.error else "")
        return outcome.transferred
