"""Wiring hand-offs into the service: store, transfer, agents, and the packet of a call."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable

from voicebot.call.record import CallRecord
from voicebot.clock import Clock, SystemClock
from voicebot.data import Database
from voicebot.errors import ConfigError
from voicebot.handoff import (
    REASON_FLAGS,
    AgentAddress,
    AgentConnector,
    FallbackPolicy,
    HandoffError,
    HandoffJournal,
    HandoffPacket,
    HandoffService,
    HandoffStore,
    Reach,
    TwilioTransfer,
    build_packet,
    parse_agent_addresses,
    twiml,
)
from voicebot.handoff.asterisk import AriClient, AsteriskHandoffs, parse_location
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


def build_handoff_service(settings: Settings, database: Database | None = None,
                          clock: Clock | None = None) -> HandoffService:
    """The hand-off service over the service's records (``database``); without one, a
    store of its own in ``VOICEBOT_HANDOFF_DB`` (tools and tests). ``clock`` dates the
    packets' changes and times the no-agent fallback."""
    clock = clock or SystemClock()
    addresses = agent_addresses(settings)
    if settings.handoff_mode == "conference":
        check_conference(settings, addresses)
    legacy = settings.handoff_db or settings.data_home / "handoffs.db"
    if database is not None:
        store = HandoffStore(database, redact=redact_obj, clock=clock)
        if legacy.is_file():  # a hand-off file of an earlier version: its packets move over
            store.import_legacy(legacy)
    else:
        legacy.parent.mkdir(parents=True, exist_ok=True)
        store = HandoffStore(legacy, redact=redact_obj, clock=clock)
    token = secret(settings.twilio_auth_token)
    transfer = fallback = connector = None
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
            if settings.public_url else None, clock=clock,
        )
        fallback = FallbackPolicy(store, transfer, timeout=settings.handoff_fallback_seconds,
                                  clock=clock)
        if transfer.calls_agents:
            connector = AgentConnector(store, transfer, {
                name: a for name, a in addresses.items() if a.reach is not Reach.ASTERISK})
        if not settings.public_url:
            log.warning("VOICEBOT_PUBLIC_URL is not set: transferred calls cannot report back "
                        "which hand-off they belong to")
    else:
        log.warning("no Twilio credentials: hand-offs are stored for agents, calls not transferred")
    return HandoffService(store, transfer, fallback, connector)


def build_asterisk_handoffs(settings: Settings, store: HandoffStore,
                            clock: Clock | None = None) -> AsteriskHandoffs | None:
    """Hand-offs of Asterisk callers through ARI, when ``VOICEBOT_ASTERISK_ARI_URL`` is set
    (ConfigError names what is missing); None otherwise."""
    if not settings.asterisk_ari_url:
        return None
    password = secret(settings.asterisk_ari_password)
    if not password:
        raise ConfigError("VOICEBOT_ASTERISK_ARI_URL needs VOICEBOT_ASTERISK_ARI_PASSWORD (the "
                          "ARI user's password in ari.conf)")
    ari = AriClient(settings.asterisk_ari_url, settings.asterisk_ari_user, password,
                    settings.asterisk_ari_app)
    return AsteriskHandoffs(
        ari, store, agent_addresses(settings), mode=settings.asterisk_handoff,
        queue=parse_location(settings.asterisk_queue, "VOICEBOT_ASTERISK_QUEUE"),
        fallback_to=parse_location(settings.asterisk_fallback, "VOICEBOT_ASTERISK_FALLBACK"),
        dial_timeout=settings.handoff_dial_timeout_seconds, clock=clock)


def agent_addresses(settings: Settings) -> dict[str, AgentAddress]:
    """``VOICEBOT_AGENT_ADDRESSES``, parsed (whatever the mode, so a mistake shows at
    once); ConfigError names the variable and the entry."""
    try:
        return parse_agent_addresses(settings.agent_addresses or "")
    except ConfigError as exc:
        raise ConfigError(f"VOICEBOT_AGENT_ADDRESSES: {exc}") from None


def check_conference(settings: Settings, addresses: dict[str, AgentAddress]) -> None:
    """Conference mode calls the agents at ``addresses``: ConfigError names the setting
    that stops it; agents who cannot be called are logged."""
    if not addresses:
        raise ConfigError("VOICEBOT_HANDOFF_MODE=conference calls the agent who accepts a "
                          "hand-off: set VOICEBOT_AGENT_ADDRESSES, e.g. "
                          '"alice:client:alice,bob:+15551234567"')
    phones = sorted(a.agent for a in addresses.values() if a.reach is Reach.PHONE)
    if phones and not settings.handoff_caller_id:
        raise ConfigError(f"VOICEBOT_AGENT_ADDRESSES reaches {', '.join(phones)} at phone "
                          "numbers: set VOICEBOT_HANDOFF_CALLER_ID to a Twilio number to call "
                          "from")
    agents = set(parse_agent_tokens(secret(settings.agent_tokens) or ""))
    if settings.agent_tokens_file:
        agents |= set(load_agent_tokens(settings.agent_tokens_file))
    if unknown := sorted(set(addresses) - agents):
        log.warning("VOICEBOT_AGENT_ADDRESSES names %s, who cannot sign in to the desktop",
                    ", ".join(unknown))
    if unreachable := sorted(agents - set(addresses)):
        log.warning("agents %s have no address in VOICEBOT_AGENT_ADDRESSES: they can take "
                    "call-backs but not a caller who is holding", ", ".join(unreachable))


def build_agent_auth(settings: Settings, clock: Clock | None = None) -> AgentAuth:
    """Agent sign-in; sessions and lock-outs expire by ``clock``'s wall time."""
    tokens = parse_agent_tokens(secret(settings.agent_tokens) or "")
    if settings.agent_tokens_file:
        tokens |= load_agent_tokens(settings.agent_tokens_file)
    clock = clock or SystemClock()
    return AgentAuth(tokens, secret=secret(settings.agent_session_secret),
                     session_seconds=int(settings.agent_session_hours * 3600),
                     trust_forwarded=settings.trust_forwarded_headers,
                     clock=lambda: clock.wall().timestamp())


def packet_for(record: CallRecord, reason: str) -> HandoffPacket:
    """The packet of a call being handed off, from the call's record and outcome; it
    is dated when the record was taken, on the call's clock."""
    outcome = record.outcome
    kinds = {kind for kind, _ in outcome.events}
    flags = [flag for event, flag in EVENT_FLAGS.items() if event in kinds]
    flags += [flag for flag in outcome.flags if flag not in flags]
    if reason in REASON_FLAGS and REASON_FLAGS[reason] not in flags:
        flags.append(REASON_FLAGS[reason])
    if outcome.priority:
        flags.insert(0, "priority")
    return build_packet(
        call_id=record.call_id,
        creditor_id=outcome.creditor_id,
        creditor_name=outcome.creditor_name,
        language=record.language,
        reason=reason,
        account_reference=outcome.account_reference,
        account_name=outcome.account_name,
        verified=outcome.verified,
        decision=outcome.decision,
        agreed=outcome.agreed,
        transcript=record.transcript,
        flags=flags,
        call_started=record.started,
        handoff_requested=record.at,
        turns=len(record.turn_ms),
        turn_ms=record.turn_ms,
        redact=lambda value: redact_obj(value, record.language),
    )


class Desk:
    """The web layer's hand-off desk (``voicebot.call.record.HandoffDesk``): packets
    kept in the store (or the journal when the store fails), calls moved by the
    carrier, call-backs when the caller is gone first."""

    def __init__(self, service: HandoffService, journal: HandoffJournal, *,
                 advise: Callable[[HandoffPacket], str | None] | None = None,
                 on_open: Callable[[str, str], None] | None = None,
                 promise_call_back: bool = False) -> None:
        self.service = service
        self.journal = journal
        # The carrier ends the call when the bot hangs up (Asterisk's): a caller the
        # transfer did not move hears the call-back promised before that.
        self.promise_call_back = promise_call_back
        # Told each stored packet's id and call id (the carrier expects that caller).
        self.on_open = on_open
        # When the contact rules allow the call-back promised to a caller who is gone.
        self.advise = advise
        self.last_transfer_ms: float | None = None
        self._journaled: dict[str, HandoffPacket] = {}  # id -> packet not in the store

    async def open(self, record: CallRecord, reason: str) -> str | None:
        packet = packet_for(record, reason)
        try:
            stored = self.service.store.add(packet).id
        except Exception:
            log.exception("%s: the hand-off store failed; journaling %s", record.call_id,
                          packet.id)
            self.journal.append(packet)
            self._journaled[packet.id] = packet
            return packet.id
        if self.on_open is not None:
            self.on_open(stored, record.call_id)
        return stored

    async def transfer(self, record: CallRecord, handoff_id: str | None, reason: str) -> bool:
        started = time.perf_counter()
        journaled = self._journaled.pop(handoff_id or "", None)
        if journaled is not None:
            packet, in_store = journaled, False
        elif handoff_id is not None:
            packet, in_store = self.service.store.get(handoff_id), True
        else:
            packet, in_store = packet_for(record, reason), False
        outcome = await self.service.move(packet, call_sid=record.call_id, in_store=in_store)
        self.last_transfer_ms = (time.perf_counter() - started) * 1000
        log.info("%s: hand-off %s (%s); transferred=%s in %.0f ms%s", record.call_id,
                 packet.id, reason, outcome.transferred, self.last_transfer_ms,
                 f" ({outcome.error})" if outcome.error else "")
        return outcome.transferred

    def not_moved(self, language: str) -> str | None:
        return twiml.message(language, "callback") if self.promise_call_back else None

    async def call_back(self, handoff_id: str | None, why: str) -> None:
        if handoff_id is None or handoff_id in self._journaled:
            return  # journaled: it is stored (waiting) at the next start
        try:
            self.service.store.mark(handoff_id, "fallback")
            packet = self.service.store.annotate(handoff_id, f"[voicebot] Call back: {why}.")
        except HandoffError as exc:
            log.info("hand-off %s: %s", handoff_id, exc)
            return
        if self.advise is not None:
            try:
                advice = self.advise(packet)
            except Exception:
                log.exception("hand-off %s: no call-back advice", handoff_id)
                advice = "the contact rules could not be checked: check them before calling"
            if advice:
                self.service.store.annotate(handoff_id, f"[voicebot] {advice}")

    async def keep(self, record: CallRecord, request: str) -> None:
        """A request the bot acknowledged and ended the call on (a stop-contact, a
        request for proof): kept for staff to act on, with no caller waiting."""
        packet = packet_for(record, request)
        try:
            stored = self.service.store.add(packet)
        except Exception:
            log.exception("%s: the hand-off store failed; journaling %s", record.call_id,
                          packet.id)
            self.journal.append(packet)
            return
        try:
            self.service.store.mark(stored.id, "fallback")
            self.service.store.annotate(
                stored.id, "[voicebot] The call ended as the creditor's policy says; record "
                "this request on the account and confirm it in writing.")
        except HandoffError as exc:
            log.info("hand-off %s: %s", stored.id, exc)
        log.info("%s: request %s kept as %s", record.call_id, request, stored.id)
