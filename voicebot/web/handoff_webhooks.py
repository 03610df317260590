"""What Twilio asks the service while a handed-off call waits, rings or leaves a message.

Mounted under ``/twilio/handoff`` (the ``status_callback_url`` a
``TwilioTransfer`` is given). Each request names the hand-off in its query;
every route answers TwiML, and none leaves the caller in silence.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from urllib.parse import parse_qs

from fastapi import APIRouter, Depends, Request, Response

from voicebot.handoff import twiml
from voicebot.handoff.packet import REASON_TEXT, HandoffPacket
from voicebot.handoff.store import HandoffError, HandoffStore

log = logging.getLogger(__name__)

# QueueResult values that mean the caller never reached anyone and is still there.
_QUEUE_FAILED = {"queue-full", "error", "system-error"}


def build_handoff_webhooks(
    store: HandoffStore,
    fallback_twiml: Callable[[HandoffPacket], str],
    *,
    verify: Callable | None = None,  # type: ignore[type-arg]
    hold_music_url: str | None = None,
    prefix: str = "/twilio/handoff",
) -> APIRouter:
    """Routes for the Enqueue/Dial action, the wait music, the whisper and the message.

    ``fallback_twiml`` is ``TwilioTransfer.fallback_twiml``; ``verify`` is the
    Twilio signature dependency (``TwilioSignatureCheck``).
    """
    router = APIRouter(prefix=prefix, dependencies=[Depends(verify)] if verify else [])

    async def context(request: Request) -> tuple[HandoffPacket | None, dict[str, str], str]:
        form: dict[str, str] = {}
        if request.method == "POST":
            body = (await request.body()).decode("utf-8", "replace")
            form = {k: v[0] for k, v in parse_qs(body, keep_blank_values=True).items()}
        handoff_id = request.query_params.get("handoff_id", "")
        language = request.query_params.get("language", "en")
        packet = None
        try:
            packet = store.get(handoff_id)
        except HandoffError:
            call_sid = form.get("CallSid", "")
            packet = store.find_by_call(call_sid) if call_sid else None
            if packet is None:
                log.warning("Twilio asked about unknown hand-off %r (call %r)", handoff_id,
                            call_sid)
        if packet is not None:
            language = packet.language
        return packet, form, language

    def xml(document: str) -> Response:
        return Response(document, media_type="application/xml")

    def mark(packet: HandoffPacket, status: str, note: str | None = None) -> None:
        try:
            if packet.status == "waiting":
                store.mark(packet.id, status)
            if note:
                store.annotate(packet.id, note)
        except HandoffError as exc:
            log.info("hand-off %s: %s", packet.id, exc)

    @router.post("/queue-result")
    async def queue_result(request: Request) -> Response:
        """The call left the queue: hung up, bridged (and over), redirected or failed."""
        packet, form, language = await context(request)
        result = form.get("QueueResult", "")
        log.info("hand-off %s: queue result %s after %s s", packet.id if packet else "?",
                 result, form.get("QueueTime", "?"))
        if packet is None:
            return xml(twiml.goodbye(language))
        if result == "hangup":
            mark(packet, "abandoned", f"[voicebot] Caller hung up after "
                                      f"{form.get('QueueTime', '?')} s in the queue.")
            return xml(twiml.hangup())
        if result in _QUEUE_FAILED:
            mark(packet, "fallback", f"[voicebot] The queue failed ({result}).")
            return xml(fallback_twiml(packet))
        if result == "bridged":  # the conversation with the agent is over
            return xml(twiml.hangup())
        # redirected: the call already runs the TwiML it was updated with (the fallback).
        return xml(twiml.document())

    @router.post("/dial-result")
    async def dial_result(request: Request) -> Response:
        """The agent's phone was answered and hung up, or nobody answered."""
        packet, form, language = await context(request)
        status = form.get("DialCallStatus", "")
        if packet is None:
            return xml(twiml.goodbye(language))
        if status == "completed":
            return xml(twiml.hangup())
        mark(packet, "fallback", f"[voicebot] Nobody answered the transfer ({status}).")
        return xml(fallback_twiml(packet))

    @router.post("/wait")
    async def wait(request: Request) -> Response:
        _, form, language = await context(request)
        position = form.get("QueuePosition", "")
        return xml(twiml.wait(language=language,
                              position=int(position) if position.isdecimal() else None,
                              hold_music_url=hold_music_url))

    @router.post("/whisper")
    async def whisper(request: Request) -> Response:
        """Said to the agent who picks up, before the caller is connected."""
        packet, _, _ = await context(request)
        if packet is None:
            return xml(twiml.document(twiml.say("Incoming hand-off.", "en")))
        account = packet.account or {}
        verified = "identity verified" if account.get("verified") else "identity not verified"
        text = f"Incoming hand-off. {REASON_TEXT.get(packet.reason, packet.reason)}. {verified}."
        return xml(twiml.document(twiml.say(text, "en")))

    @router.post("/message")
    async def message(request: Request) -> Response:
        """The caller left a message after the fallback: note where it is, say goodbye."""
        packet, form, language = await context(request)
        url = form.get("RecordingUrl", "")
        if packet is not None and url:
            seconds = form.get("RecordingDuration", "?")
            store.annotate(packet.id, f"[voicebot] Message left ({seconds} s): {url}")
        return xml(twiml.goodbye(language, "message_taken"))

    return router
