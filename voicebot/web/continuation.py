"""What a call does when its media stream ends without it having been moved.

The TwiML that connects a call to the stream ends with a ``<Redirect>`` here
(``connect_stream(then=...)``): Twilio asks as soon as the stream closes. A call the
bot ended on purpose (a goodbye, the caller silent, its time up) is hung up. Any
other (the service stopped or crashed, the connection dropped, a transfer that failed)
goes to a person with the call's packet, or is promised a call-back when no carrier
transfer is configured: a caller is never left on a dead line. Another instance can
answer: the end of a call and its packet are in the shared records.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
from typing import Any

from voicebot.handoff import HandoffPacket
from voicebot.handoff import twiml as handoff_twiml
from voicebot.handoff.packet import build_packet
from voicebot.handoff.reasons import HandoffReason
from voicebot.handoff.transfer import TwilioTransfer
from voicebot.redaction import redact_obj

log = logging.getLogger(__name__)


def ended_on_purpose(end_reason: str | None) -> bool:
    """The bot closed the stream to end the call (not to hand it over)."""
    return bool(end_reason) and not str(end_reason).startswith("handoff:")


async def continuation(state: Any, call_sid: str) -> str:
    """The TwiML for a call whose stream has just ended (``state``: ``ServiceState``)."""
    call = await asyncio.to_thread(state.records.call, call_sid) if call_sid else None
    language = (call or {}).get("language") or state.settings.default_language
    if call is not None and ended_on_purpose(call.get("end_reason")):
        return handoff_twiml.document("<Hangup/>")
    store = state.handoffs.store
    packet = await asyncio.to_thread(store.find_by_call, call_sid) if call_sid else None
    if packet is None:
        packet = await asyncio.to_thread(store.add, _lost_call_packet(state, call_sid, call))
    log.warning("call %s: its stream ended with the caller still there (%s); hand-off %s",
                call_sid or "-", (call or {}).get("end_reason") or "no end on record",
                packet.id)
    transfer = state.handoffs.transfer
    if isinstance(transfer, TwilioTransfer):
        await asyncio.to_thread(store.annotate, packet.id,
                                "[voicebot] Moved to a person as the bot's stream ended.")
        return transfer.transfer_twiml(packet)
    await asyncio.to_thread(store.mark, packet.id, "fallback")
    await asyncio.to_thread(store.annotate, packet.id, "[voicebot] Call back: the call was "
                            "cut off from the bot and no transfer is configured.")
    return handoff_twiml.document(
        handoff_twiml.say(handoff_twiml.message(language, "callback"), language), "<Hangup/>")


def _lost_call_packet(state: Any, call_sid: str, call: dict[str, Any] | None
                      ) -> HandoffPacket:
    """A packet from what the records hold of the call (nothing, if it never started)."""
    call = call or {}
    language = call.get("language") or state.settings.default_language
    creditor = call.get("creditor") or state.settings.default_creditor
    policy = state.policies.get(creditor)
    outcome = call.get("outcome") or {}
    started = call.get("started_at")
    return build_packet(
        call_id=call_sid, creditor_id=creditor,
        creditor_name=policy.name if policy is not None else creditor,
        language=language, reason=HandoffReason.STREAM_LOST.value,
        account_reference=call.get("account"),
        agreed=bool(outcome.get("agreed")),
        transcript=[{"speaker": t["speaker"], "text": t["text"], "at": t["at_seconds"],
                     "interrupted": t["interrupted"]} for t in call.get("turns", [])],
        call_started=dt.datetime.fromisoformat(started) if isinstance(started, str) else started,
        handoff_requested=state.clock.wall(),
        turns=sum(1 for t in call.get("turns", []) if t["speaker"] == "caller"),
        redact=lambda value: redact_obj(value, language),
    )
