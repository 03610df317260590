"""Twilio's signed callbacks in conference mode: the hold conference's events and result,
and the call to the agent who accepted (its TwiML and its progress)."""

from __future__ import annotations

import asyncio
import xml.etree.ElementTree as ET
from urllib.parse import parse_qs, urlsplit

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from handoff_support import ACCOUNT_SID, AUTH_TOKEN, CALL_SID, CARD, card_redact

from voicebot.handoff import AgentConnector, TwilioTransfer, parse_agent_addresses
from voicebot.web.handoff_webhooks import build_handoff_webhooks
from voicebot.web.security import TwilioSignatureCheck, twilio_signature

PUBLIC = "https://bot.example.com"
AGENT_SID = "CA" + "a1" * 16
ADDRESSES = parse_agent_addresses("alice:client:alice,bob:+15557654321")


class Twilio:
    """Signs and sends Twilio's callbacks to the hand-off webhooks."""

    def __init__(self, client: TestClient, transfer: TwilioTransfer,
                 connector: AgentConnector) -> None:
        self.client = client
        self.transfer = transfer
        self.connector = connector

    def post(self, path: str, query: dict[str, str] | None = None, sign: bool = True,
             **form: str):
        url = f"/twilio/handoff/{path}"
        if query:
            url += "?" + "&".join(f"{k}={v}" for k, v in query.items())
        params = {"AccountSid": ACCOUNT_SID, **form}
        headers = ({"X-Twilio-Signature": twilio_signature(AUTH_TOKEN, PUBLIC + url, params)}
                   if sign else {})
        response = self.client.post(url, data=params, headers=headers)
        root = ET.fromstring(response.text) if response.status_code == 200 else None
        return response, root

    def accept(self, handoff_id: str, agent: str = "alice") -> str:
        """The desktop's accept; the attempt id of the call to the agent."""
        packet = asyncio.run(self.connector.accept(handoff_id, agent))
        return packet.connection["attempt"]


@pytest.fixture
def twilio(store, recorder):
    recorder.default = (201, {"sid": AGENT_SID, "status": "queued"})
    transfer = TwilioTransfer(ACCOUNT_SID, AUTH_TOKEN, api_base=recorder.url,
                              mode="conference", caller_id="+15550001111",
                              status_callback_url=f"{PUBLIC}/twilio/handoff")
    connector = AgentConnector(store, transfer, ADDRESSES)
    app = FastAPI()
    app.include_router(build_handoff_webhooks(
        store, transfer.fallback_twiml, verify=TwilioSignatureCheck(AUTH_TOKEN, public_url=PUBLIC),
        connector=connector))
    yield Twilio(TestClient(app), transfer, connector)
    asyncio.run(transfer.aclose())


def of(packet, **extra: str) -> dict[str, str]:
    return {"handoff_id": packet.id, **extra}


def tags(root: ET.Element) -> list[str]:
    return [child.tag for child in root]


def test_unsigned_callbacks_are_refused(twilio, store, make_packet):
    packet = store.add(make_packet())
    attempt = twilio.accept(packet.id)
    for path, form in (("agent-answer", {"CallSid": AGENT_SID}),
                       ("agent-status", {"CallSid": AGENT_SID, "CallStatus": "no-answer"}),
                       ("conference-events", {"CallSid": CALL_SID,
                                              "StatusCallbackEvent": "participant-leave"})):
        response, _ = twilio.post(path, of(packet, attempt=attempt), sign=False, **form)
        assert response.status_code == 403
    stored = store.get(packet.id)
    assert (stored.status, stored.connection["state"]) == ("active", "ringing")


def test_a_client_agent_hears_the_summary_then_joins_the_caller(twilio, store, make_packet):
    packet = store.add(make_packet(
        transcript=[{"speaker": "caller", "text": f"card {CARD}", "at": 9.0}],
        redact=card_redact))
    attempt = twilio.accept(packet.id)
    response, root = twilio.post("agent-answer", of(packet, attempt=attempt),
                                 CallSid=AGENT_SID, CallStatus="in-progress")
    assert response.headers["content-type"].startswith("application/xml")
    assert tags(root) == ["Say", "Dial"]
    whisper = root[0].text
    assert whisper.startswith("Hand-off from the assistant. Ready to take the first payment.")
    assert "secure payment line" in whisper
    assert "4111" not in whisper and "Jane" not in whisper and "100200" not in whisper
    room = root.find("Dial/Conference")
    assert room.text == f"handoff-{packet.id}"
    assert (room.get("startConferenceOnEnter"), room.get("endConferenceOnExit")) == \
        ("true", "true")
    assert store.get(packet.id).connection["state"] == "joining"

    _, root = twilio.post("conference-events", of(packet), CallSid=AGENT_SID,
                          StatusCallbackEvent="participant-join", FriendlyName=room.text)
    assert tags(root) == []
    stored = store.get(packet.id)
    assert stored.connection["state"] == "connected" and stored.connection["connected_at"]

    # The agent hangs up: the conference ends, the caller's Dial asks what next.
    twilio.post("conference-events", of(packet), CallSid=AGENT_SID,
                StatusCallbackEvent="participant-leave")
    _, root = twilio.post("conference-result", of(packet, language="en"), CallSid=CALL_SID,
                          CallStatus="in-progress", DialCallStatus="completed")
    assert tags(root) == ["Hangup"]
    twilio.post("agent-status", of(packet, attempt=attempt), CallSid=AGENT_SID,
                CallStatus="completed")
    stored = store.get(packet.id)
    assert (stored.status, stored.connection["state"]) == ("active", "ended")


def test_a_phone_agent_presses_1(twilio, store, make_packet):
    packet = store.add(make_packet(language="fr"))
    attempt = twilio.accept(packet.id, "bob")
    _, root = twilio.post("agent-answer", of(packet, attempt=attempt), CallSid=AGENT_SID)
    assert tags(root) == ["Gather", "Say", "Hangup"]
    gather = root[0]
    assert gather.get("numDigits") == "1"
    action = urlsplit(gather.get("action"))
    assert action.path == "/twilio/handoff/agent-confirm"
    assert {k: v[0] for k, v in parse_qs(action.query).items()} == of(packet, attempt=attempt)
    (prompt,) = list(gather)
    assert prompt.get("language") == "fr-FR" and "Appuyez sur 1" in prompt.text
    assert "paiement" not in prompt.text  # nothing about the caller before the key press

    _, root = twilio.post("agent-confirm", of(packet, attempt=attempt), CallSid=AGENT_SID,
                          Digits="1")
    assert tags(root) == ["Say", "Dial"] and root[0].text.startswith("Transfert de l'assistant")


def test_no_answer_and_the_caller_waits_again(twilio, store, make_packet):
    packet = store.add(make_packet())
    attempt = twilio.accept(packet.id)
    twilio.post("agent-status", of(packet, attempt=attempt), CallSid=AGENT_SID,
                CallStatus="ringing")
    _, root = twilio.post("agent-status", of(packet, attempt=attempt), CallSid=AGENT_SID,
                          CallStatus="no-answer")
    assert tags(root) == []
    stored = store.get(packet.id)
    assert (stored.status, stored.agent) == ("waiting", None)
    assert stored.connection["state"] == "missed" and stored.connection["detail"] == "no-answer"
    # A stale answer (the call reached the agent late) never joins the caller.
    _, root = twilio.post("agent-answer", of(packet, attempt=attempt), CallSid=AGENT_SID)
    assert tags(root) == ["Say", "Hangup"] and "no longer waiting" in root[0].text


def test_the_caller_hangs_up_on_hold(twilio, store, make_packet):
    packet = store.add(make_packet())
    attempt = twilio.accept(packet.id)
    twilio.post("conference-events", of(packet), CallSid=CALL_SID,
                StatusCallbackEvent="participant-leave")
    stored = store.get(packet.id)
    assert (stored.status, stored.agent, stored.connection["state"]) == \
        ("active", "alice", "caller_gone")
    _, root = twilio.post("conference-result", of(packet), CallSid=CALL_SID,
                          CallStatus="completed")
    assert tags(root) == ["Hangup"]
    _, root = twilio.post("agent-answer", of(packet, attempt=attempt), CallSid=AGENT_SID)
    assert tags(root) == ["Say", "Hangup"] and "hung up before you joined" in root[0].text

    nobody = store.add(make_packet(call_id="CA" + "5" * 32))
    _, root = twilio.post("conference-result", of(nobody), CallSid="CA" + "5" * 32,
                          CallStatus="completed", DialCallStatus="completed")
    assert tags(root) == ["Hangup"] and store.get(nobody.id).status == "abandoned"


def test_the_conference_ends_with_the_caller_still_there(twilio, store, make_packet):
    packet = store.add(make_packet())
    _, root = twilio.post("conference-result", of(packet), CallSid=CALL_SID,
                          CallStatus="in-progress", DialCallStatus="failed")
    assert tags(root) == ["Say", "Record", "Say", "Hangup"]
    stored = store.get(packet.id)
    assert stored.status == "fallback" and "ended without an agent (failed)" in stored.notes
    # Sent to the fallback already: the same message again, never silence.
    _, root = twilio.post("conference-result", of(packet), CallSid=CALL_SID,
                          CallStatus="in-progress")
    assert tags(root)[:2] == ["Say", "Record"]
