"""What Twilio asks the service while a handed-off call waits, rings or leaves a message.

Mounted under ``/twilio/handoff`` (the ``status_callback_url`` a
``TwilioTransfer`` is given). Each request names the hand-off in its query;
every route answers TwiML, and none leaves the caller in silence.

In conference mode the caller's hold conference reports who joins and leaves
(``conference-events``) and asks what next when the caller's time in it ends
(``conference-result``); the call to the agent who accepted asks for its TwiML when
answered (``agent-answer``, then ``agent-confirm`` after a phone's key press) and
reports its progress (``agent-status``). The decisions are the ``AgentConnector``'s.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from urllib.parse import parse_qs

from fastapi import APIRouter, Depends, Request, Response

from voicebot.dialogue.whisper import whisper_text
from voicebot.handoff import twiml
from voicebot.handoff.connect import ENDED, AgentConnector, AgentLeg
from voicebot.handoff.packet import HandoffPacket
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
    connector: AgentConnector | None = None,
    callbacks_url: str | None = None,
) -> APIRouter:
    """Routes for the Enqueue/Dial action, the wait music, the whisper and the message;
    with ``connector`` (conference mode), the hold conference's and the agent's call's.

    ``fallback_twiml`` is ``TwilioTransfer.fallback_twiml``; ``verify`` is the
    Twilio signature dependency (``TwilioSignatureCheck``); ``callbacks_url`` is these
    routes' public base (the transfer's ``status_callback_url``), for the URLs in TwiML
    that Twilio calls later.
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
            return xml(twiml.document(twiml.say("Hand-off from the assistant.", "en")))
        return xml(twiml.document(twiml.say(whisper_text(packet), packet.language)))

    @router.post("/message")
    async def message(request: Request) -> Response:
        """The caller left a message after the fallback: note where it is, say goodbye."""
        packet, form, language = await context(request)
        url = form.get("RecordingUrl", "")
        if packet is not None and url:
            seconds = form.get("RecordingDuration", "?")
            store.annotate(packet.id, f"[voicebot] Message left ({seconds} s): {url}")
        return xml(twiml.goodbye(language, "message_taken"))

    if connector is not None:
        _conference_routes(router, connector, context, fallback_twiml, mark,
                           callbacks_url or prefix)
    return router


def _conference_routes(router: APIRouter, connector: AgentConnector, context: Callable,  # type: ignore[type-arg]
                       fallback_twiml: Callable[[HandoffPacket], str],
                       mark: Callable[..., None], base: str) -> None:
    def xml(document: str) -> Response:
        return Response(document, media_type="application/xml")

    @router.post("/conference-result")
    async def conference_result(request: Request) -> Response:
        """The caller's time in the hold conference ended: the conversation with the agent
        is over, the caller hung up, or the conference ended with the caller still there."""
        packet, form, language = await context(request)
        if packet is None:
            return xml(twiml.goodbye(language))
        state = (packet.connection or {}).get("state")
        if state in ("connected", "ended"):
            return xml(twiml.hangup())
        if form.get("CallStatus", "") in ENDED:  # the caller hung up
            await connector.left(packet.id, packet.call_id)
            return xml(twiml.hangup())
        if packet.agent_on_the_way:  # the agent's call would find nobody: stop it
            await connector.left(packet.id, packet.call_id)
        if packet.status == "waiting":
            mark(packet, "fallback", "[voicebot] The hold conference ended without an agent "
                                     f"({form.get('DialCallStatus', '?')}).")
        return xml(fallback_twiml(packet))

    @router.post("/conference-events")
    async def conference_events(request: Request) -> Response:
        """Who joined or left the hand-off's conference (its statusCallback)."""
        packet, form, _ = await context(request)
        event, call_sid = form.get("StatusCallbackEvent", ""), form.get("CallSid", "")
        log.info("hand-off %s: conference %s (call %s)", packet.id if packet else "?", event,
                 call_sid)
        if packet is not None and call_sid:
            if event == "participant-join":
                connector.joined(packet.id, call_sid)
            elif event == "participant-leave":
                await connector.left(packet.id, call_sid)
        return xml(twiml.document())

    def leg_twiml(leg: AgentLeg, attempt: str) -> str:
        language = leg.language
        if leg.action == "join":
            assert leg.packet is not None
            return twiml.agent_join(
                leg.packet.id, whisper=whisper_text(leg.packet), language=language,
                events_url=twiml.callback_url(base, "conference-events", leg.packet.id))
        if leg.action == "gate":
            assert leg.packet is not None
            action = twiml.callback_url(base, "agent-confirm", leg.packet.id, attempt=attempt)
            return twiml.agent_gate(language=language, action_url=action)
        key = {"not_taken": "agent_not_taken", "caller_gone": "agent_caller_gone"}.get(
            leg.action, "agent_stale")
        return twiml.goodbye(language, key)

    @router.post("/agent-answer")
    async def agent_answer(request: Request) -> Response:
        """The agent who accepted picked up: what they hear before the caller."""
        attempt = request.query_params.get("attempt", "")
        leg = connector.answered(request.query_params.get("handoff_id", ""), attempt)
        return xml(leg_twiml(leg, attempt))

    @router.post("/agent-confirm")
    async def agent_confirm(request: Request) -> Response:
        """The agent at a phone pressed a key: 1 takes the call."""
        _, form, _ = await context(request)
        attempt = request.query_params.get("attempt", "")
        leg = connector.confirmed(request.query_params.get("handoff_id", ""), attempt,
                                  form.get("Digits", ""))
        return xml(leg_twiml(leg, attempt))

    @router.post("/agent-status")
    async def agent_status(request: Request) -> Response:
        """The agent's call progressed: ringing, answered, or over (and how)."""
        _, form, _ = await context(request)
        connector.call_status(request.query_params.get("handoff_id", ""),
                              request.query_params.get("attempt", ""),
                              form.get("CallStatus", ""), form.get("CallSid", ""))
        return xml(twiml.document())
