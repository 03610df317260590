"""Conference mode end to end: a real call (streamdouble, recorded voices) to the real
server ends in a payment hand-off; the caller is put on hold in the hand-off's own
conference through the loopback stand-in for Twilio's REST API; the agent who accepts
on the desktop is called, hears the summary when Twilio asks for it, and the desktop
shows who has the caller."""

from __future__ import annotations

import asyncio
import xml.etree.ElementTree as ET
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest

from tests.conftest import (
    AGENT,
    TWILIO_ACCOUNT,
    TWILIO_TOKEN,
    free_port,
    launch_server,
    wait_until_healthy,
)
from tests.e2e.desktop import desktop_shows
from tests.e2e.helpers import call, dialogue
from voicebot.web.security import twilio_signature

pytestmark = [pytest.mark.e2e, pytest.mark.models]

OTHER = ("other", "other-agent-token-0123456789")


@pytest.fixture(scope="module")
def server(model_paths, tmp_path_factory, twilio_recorder):
    """The service in conference mode: the test agent at a client, another at a number."""
    port, data_dir = free_port(), tmp_path_factory.mktemp("conference")
    srv = wait_until_healthy(launch_server(port, data_dir, twilio_recorder.url, env={
        "VOICEBOT_HANDOFF_MODE": "conference",
        "VOICEBOT_AGENT_TOKENS": f"{':'.join(AGENT)},{':'.join(OTHER)}",
        "VOICEBOT_AGENT_ADDRESSES": f"{AGENT[0]}:client:{AGENT[0]},{OTHER[0]}:+15557654321",
        "VOICEBOT_HANDOFF_CALLER_ID": "+15550001111",
        "VOICEBOT_HANDOFF_FALLBACK_SECONDS": "600",  # the test plays the agent: no hurry
    }))
    yield srv
    srv.stop()


def turn(clip: str) -> list[dict]:
    return [{"say": clip}, {"wait": 3.5}, {"wait_for": {"event": "quiet", "timeout": 60}}]


def signed(server, url: str, **form: str) -> ET.Element:
    """Twilio requesting one of the service's URLs, signed as Twilio signs."""
    assert url.startswith(server.http)
    signature = twilio_signature(TWILIO_TOKEN, url, form)
    response = httpx.post(url, data=form, timeout=10, headers={"X-Twilio-Signature": signature})
    assert response.status_code == 200, response.text
    return ET.fromstring(response.text)


async def test_the_agent_who_accepts_gets_the_caller(server, twilio_recorder, tmp_path):
    report = await call(server.ws, [
        {"wait": 2.0}, {"wait_for": {"event": "quiet", "timeout": 30}},
        *turn("en_jane_yes.wav"),
        *turn("en_jane_name.wav"),
        *turn("en_jane_zip.wav"),
        *turn("en_jane_100_a_month.wav"),
        {"say": "en_jane_agree.wav"}, {"wait": 12},
    ], {"creditor": "acme-telecom", "account": "100200"})
    assert not report.result.violations
    record = server.api("/api/calls/recent")[-1]
    assert record["agreed"] is True and record["handoff"] == "payment", dialogue(record)
    caller = record["call_id"]
    [packet] = [p for p in server.api("/api/handoffs")["handoffs"] if p["call_id"] == caller]

    # The caller holds alone in the hand-off's own conference.
    [hold] = [r for r in twilio_recorder.requests
              if r["path"] == f"/2010-04-01/Accounts/{TWILIO_ACCOUNT}/Calls/{caller}.json"]
    room = ET.fromstring(hold["form"]["Twiml"]).find("Dial/Conference")
    assert room.text == f"handoff-{packet['id']}"
    assert room.get("startConferenceOnEnter") == "false"
    assert room.get("statusCallback") == \
        f"{server.http}/twilio/handoff/conference-events?handoff_id={packet['id']}"

    # The test agent accepts: the service calls them; the other agent is refused.
    def accept(agent: tuple[str, str]) -> httpx.Response:
        return httpx.post(f"{server.http}/api/handoffs/{packet['id']}/accept", timeout=10,
                          headers={"Authorization": f"Bearer {agent[1]}"})

    taken = accept(AGENT)
    assert taken.status_code == 200, taken.text
    connection = taken.json()["connection"]
    assert connection["state"] == "ringing" and connection["agent"] == AGENT[0]
    assert accept(OTHER).status_code == 409
    [ring] = [r for r in twilio_recorder.requests
              if r["path"] == f"/2010-04-01/Accounts/{TWILIO_ACCOUNT}/Calls.json"
              and packet["id"] in r["form"]["Url"]]
    assert ring["form"]["To"] == f"client:{AGENT[0]}?handoff_id={packet['id']}"
    answer = ring["form"]["Url"]
    assert parse_qs(urlsplit(answer).query)["attempt"] == [connection["attempt"]]

    # Twilio: the agent answers and hears the summary, then joins the caller.
    root = signed(server, answer, AccountSid=TWILIO_ACCOUNT, CallSid=connection["call_sid"],
                  CallStatus="in-progress")
    whisper = root.find("Say").text
    assert whisper == ("Hand-off from the assistant. Ready to take the first payment. "
                       "Identity verified. Agreed plan: 6 monthly payments, 480 dollars in all: "
                       "48 dollars now, then 5 of 100 dollars, the last 32 dollars."), whisper
    assert root.find("Dial/Conference").text == f"handoff-{packet['id']}"
    signed(server, room.get("statusCallback"), AccountSid=TWILIO_ACCOUNT,
           CallSid=connection["call_sid"], StatusCallbackEvent="participant-join")
    shown = server.api(f"/api/handoffs/{packet['id']}")
    assert shown["connection"]["state"] == "connected" and shown["connection"]["connected_at"]

    # The desktop, in a real browser, says who has the caller.
    page = await asyncio.to_thread(desktop_shows, server.http, *AGENT, packet["id"],
                                   tmp_path / "desktop.png")
    assert "Connected to you at" in page and "Agent connected" in page
