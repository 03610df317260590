"""Twilio's callbacks while a handed-off call waits, rings or leaves a message."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from handoff_support import ACCOUNT_SID, AUTH_TOKEN, CALL_SID

from voicebot.dialogue.whisper import whisper_text
from voicebot.handoff import TwilioTransfer
from voicebot.web.handoff_webhooks import build_handoff_webhooks
from voicebot.web.security import TwilioSignatureCheck, twilio_signature

PUBLIC = "https://bot.example.com"


@pytest.fixture
def twilio(store):
    transfer = TwilioTransfer(ACCOUNT_SID, AUTH_TOKEN,
                              status_callback_url=f"{PUBLIC}/twilio/handoff")
    app = FastAPI()
    app.include_router(build_handoff_webhooks(
        store, transfer.fallback_twiml, verify=TwilioSignatureCheck(AUTH_TOKEN, public_url=PUBLIC),
        hold_music_url="https://cdn.example.com/hold.mp3"))
    client = TestClient(app)

    def call(path: str, packet=None, sign: bool = True, **form: str):
        query = f"?handoff_id={packet.id}&language={packet.language}" if packet else ""
        url = f"/twilio/handoff/{path}{query}"
        params = {"CallSid": CALL_SID, "AccountSid": ACCOUNT_SID, **form}
        headers = {"X-Twilio-Signature": twilio_signature(AUTH_TOKEN, PUBLIC + url, params)} \
            if sign else {}
        response = client.post(url, data=params, headers=headers)
        root = ET.fromstring(response.text) if response.status_code == 200 else None
        return response, root

    return call


def tags(root: ET.Element) -> list[str]:
    return [child.tag for child in root]


def test_unsigned_callbacks_are_refused(twilio, store, make_packet):
    packet = store.add(make_packet())
    response, _ = twilio("queue-result", packet, sign=False, QueueResult="hangup")
    assert response.status_code == 403
    assert store.get(packet.id).status == "waiting"


def test_caller_hangs_up_in_the_queue(twilio, store, make_packet):
    packet = store.add(make_packet())
    response, root = twilio("queue-result", packet, QueueResult="hangup", QueueTime="42")
    assert response.headers["content-type"].startswith("application/xml")
    assert tags(root) == ["Hangup"]
    stored = store.get(packet.id)
    assert stored.status == "abandoned"
    assert "hung up after 42 s" in stored.notes


def test_full_queue_falls_back_at_once(twilio, store, make_packet):
    packet = store.add(make_packet(language="fr"))
    _, root = twilio("queue-result", packet, QueueResult="queue-full")
    assert tags(root) == ["Say", "Record", "Say", "Hangup"]
    assert root[0].get("language") == "fr-FR"
    assert store.get(packet.id).status == "fallback"


def test_bridged_and_redirected_calls(twilio, store, make_packet):
    packet = store.add(make_packet())
    store.accept(packet.id, "alice")
    _, root = twilio("queue-result", packet, QueueResult="bridged", QueueTime="12")
    assert tags(root) == ["Hangup"]
    assert store.get(packet.id).status == "active"  # the agent completes it
    _, root = twilio("queue-result", packet, QueueResult="redirected")
    assert tags(root) == []  # the fallback TwiML already runs


def test_dial_results(twilio, store, make_packet):
    packet = store.add(make_packet())
    _, root = twilio("dial-result", packet, DialCallStatus="completed")
    assert tags(root) == ["Hangup"]
    assert store.get(packet.id).status == "waiting"
    _, root = twilio("dial-result", packet, DialCallStatus="no-answer")
    assert tags(root)[:2] == ["Say", "Record"]
    stored = store.get(packet.id)
    assert stored.status == "fallback" and "(no-answer)" in stored.notes


def test_message_left(twilio, store, make_packet):
    packet = store.add(make_packet())
    store.mark(packet.id, "fallback")
    _, root = twilio("message", packet, RecordingUrl="https://api.twilio.com/rec/RE1",
                     RecordingDuration="17")
    assert tags(root) == ["Say", "Hangup"] and "call you back" in root[0].text
    assert "Message left (17 s): https://api.twilio.com/rec/RE1" in store.get(packet.id).notes


def test_wait_music_and_whisper(twilio, store, make_packet):
    packet = store.add(make_packet(reason="dispute", verified=False))
    _, root = twilio("wait", packet, QueuePosition="3")
    assert tags(root) == ["Say", "Play"]
    assert "number 3 in line" in root[0].text
    assert root[1].text == "https://cdn.example.com/hold.mp3"
    _, root = twilio("whisper", packet)
    assert root[0].text == whisper_text(packet)
    assert root[0].text.startswith("Hand-off from the assistant. Caller disputes the debt. "
                                   "Identity not verified")
    assert "Jane" not in root[0].text and "100200" not in root[0].text


def test_unknown_handoff_found_by_call_sid(twilio, store, make_packet):
    packet = store.add(make_packet())
    # No hand-off id in the URL: the CallSid finds it.
    _, root = twilio("queue-result", None, QueueResult="hangup")
    assert tags(root) == ["Hangup"]
    assert store.get(packet.id).status == "abandoned"


def test_nothing_known_still_answers_twiml(twilio):
    _, root = twilio("queue-result", None, CallSid="CA" + "9" * 32, QueueResult="error")
    assert tags(root) == ["Say", "Hangup"]
