"""Conference mode through the service's own app on loopback: agents accept over the
API, the service calls the one who accepted through a loopback stand-in for Twilio's
REST API, and Twilio's signed callbacks move the packet along."""

from __future__ import annotations

import datetime as dt
import socket
from urllib.parse import parse_qs, urlsplit

import pytest
from web_support import (
    CALLER_ID,
    CARD,
    PUBLIC,
    Conference,
    conference_settings,
    stand_in_service,
    waiting_packet,
)

from voicebot.errors import ConfigError
from voicebot.web.app import create_app


def test_the_agent_who_accepts_gets_the_caller(conference, make_packet):
    packet = waiting_packet(conference, make_packet, transcript=[
        {"speaker": "caller", "text": f"my card is {CARD}", "at": 50.0}])
    response = conference.accept(packet.id)
    assert response.status_code == 200, response.text
    taken = response.json()
    assert (taken["status"], taken["agent"]) == ("active", "alice")
    assert taken["connection"]["state"] == "ringing" and taken["connection"]["reach"] == "client"

    # The service called alice: her client, with the summary's URL and her call's reports.
    (request,) = conference.calls_to_agents(packet.id)
    form = request["form"]
    assert form["To"] == f"client:alice?handoff_id={packet.id}" and form["From"] == CALLER_ID
    answer = form["Url"]
    assert answer.startswith(f"{PUBLIC}/twilio/handoff/agent-answer?")
    attempt = parse_qs(urlsplit(answer).query)["attempt"][0]
    assert attempt == taken["connection"]["attempt"]
    agent_sid = taken["connection"]["call_sid"]
    assert agent_sid.startswith("CA")

    # Bob is too late: refused, and nobody calls him.
    response = conference.accept(packet.id, "bob")
    assert response.status_code == 409 and "already accepted by alice" in response.json()["detail"]
    assert len(conference.calls_to_agents(packet.id)) == 1

    # Alice answers: the summary, then the caller's conference.
    conference.callback(form["StatusCallback"], CallSid=agent_sid, CallStatus="ringing")
    root = conference.callback(answer, CallSid=agent_sid, CallStatus="in-progress")
    assert [c.tag for c in root] == ["Say", "Dial"]
    whisper = root[0].text
    assert whisper.startswith("Hand-off from the assistant. Ready to take the first payment. "
                              "Identity verified.")
    assert "secure payment line" in whisper
    assert "4111" not in whisper and "Jane" not in whisper and "100200" not in whisper
    room = root.find("Dial/Conference")
    assert room.text == f"handoff-{packet.id}"
    # Alice reports to the same place as the caller, should she be first in the room.
    assert room.get("statusCallback") == \
        f"{PUBLIC}/twilio/handoff/conference-events?handoff_id={packet.id}"

    conference.events(packet.id, "participant-join", agent_sid)
    shown = conference.api("GET", f"/api/handoffs/{packet.id}", "bob").json()
    assert shown["connection"]["state"] == "connected"
    connected = dt.datetime.fromisoformat(shown["connection"]["connected_at"])
    assert abs((dt.datetime.now(dt.UTC) - connected).total_seconds()) < 60

    conference.events(packet.id, "participant-leave", packet.call_id)
    conference.callback(form["StatusCallback"], CallSid=agent_sid, CallStatus="completed")
    done = conference.api("POST", f"/api/handoffs/{packet.id}/complete").json()
    assert done["status"] == "completed" and done["connection"]["state"] == "ended"
    assert conference.updates_of(agent_sid) == []  # the service never touched her call


def test_no_answer_and_the_next_agent_takes_the_caller(conference, make_packet):
    packet = waiting_packet(conference, make_packet)
    first = conference.accept(packet.id).json()["connection"]
    (alice,) = conference.calls_to_agents(packet.id)
    conference.callback(alice["form"]["StatusCallback"], CallSid=first["call_sid"],
                        CallStatus="no-answer")
    again = conference.api("GET", f"/api/handoffs/{packet.id}", "bob").json()
    assert (again["status"], again["agent"]) == ("waiting", None)
    assert again["connection"]["state"] == "missed"
    assert "alice did not take the call (no-answer)" in again["notes"]

    response = conference.accept(packet.id, "bob")
    assert response.status_code == 200
    bob = conference.calls_to_agents(packet.id)[-1]["form"]
    assert (bob["To"], bob["From"]) == ("+15557654321", CALLER_ID)
    gate = conference.callback(bob["Url"], CallSid=response.json()["connection"]["call_sid"])
    assert [c.tag for c in gate] == ["Gather", "Say", "Hangup"]
    confirm = gate[0].get("action")
    assert confirm.startswith(f"{PUBLIC}/twilio/handoff/agent-confirm?")
    root = conference.callback(confirm, Digits="1")
    assert root.find("Dial/Conference").text == f"handoff-{packet.id}"


def test_the_caller_hangs_up_while_the_agent_rings(conference, make_packet):
    packet = waiting_packet(conference, make_packet)
    ringing = conference.accept(packet.id).json()["connection"]
    conference.events(packet.id, "participant-leave", packet.call_id)
    (cancel,) = conference.updates_of(ringing["call_sid"])
    assert cancel["form"] == {"Status": "canceled"}
    shown = conference.api("GET", f"/api/handoffs/{packet.id}").json()
    assert (shown["status"], shown["agent"]) == ("active", "alice")  # she calls them back
    assert shown["connection"]["state"] == "caller_gone"


def test_an_agent_without_an_address_is_told(tmp_path, twilio_recorder, make_packet):
    settings = conference_settings(tmp_path, twilio_recorder.url,
                                   agent_addresses="bob:+15557654321")
    with stand_in_service(settings) as service:
        state = service.app.state.service
        conference = Conference(service.http, state.handoffs.store, twilio_recorder)
        packet = waiting_packet(conference, make_packet)
        response = conference.accept(packet.id, "alice")
        assert response.status_code == 409
        assert "no number or client to call you at" in response.json()["detail"]
        assert conference.store.get(packet.id).status == "waiting"
        assert conference.calls_to_agents(packet.id) == []
        # A call-back needs no call from the service: alice may take that one.
        conference.store.mark(packet.id, "abandoned")
        assert conference.accept(packet.id, "alice").json()["agent"] == "alice"
    state.database.dispose()


def test_twilio_out_of_reach_is_said_to_the_agent(tmp_path, make_packet):
    with socket.socket() as sock:  # a port nobody listens on
        sock.bind(("127.0.0.1", 0))
        nowhere = f"http://127.0.0.1:{sock.getsockname()[1]}"
    with stand_in_service(conference_settings(tmp_path, nowhere)) as service:
        state = service.app.state.service
        conference = Conference(service.http, state.handoffs.store, None)
        packet = waiting_packet(conference, make_packet)
        response = conference.accept(packet.id)
        assert response.status_code == 502
        assert "could not call you" in response.json()["detail"]
        assert "waits for another agent" in response.json()["detail"]
        shown = conference.store.get(packet.id)
        assert (shown.status, shown.connection["state"]) == ("waiting", "failed")
    state.database.dispose()


def test_start_up_refuses_a_conference_it_could_not_run(tmp_path, twilio_recorder):
    with pytest.raises(ConfigError, match="set VOICEBOT_AGENT_ADDRESSES"):
        create_app(conference_settings(tmp_path, twilio_recorder.url, agent_addresses=None))
    with pytest.raises(ConfigError, match="bob at phone numbers: set VOICEBOT_HANDOFF_CALLER_ID"):
        create_app(conference_settings(tmp_path, twilio_recorder.url, handoff_caller_id=None))
    with pytest.raises(ConfigError, match="conference mode needs status_callback_url"):
        create_app(conference_settings(tmp_path, twilio_recorder.url, public_url=None))
    with pytest.raises(ConfigError, match=r"VOICEBOT_AGENT_ADDRESSES: .*'bob'.*not an E\.164"):
        create_app(conference_settings(tmp_path, twilio_recorder.url,
                                       agent_addresses="alice:client:alice,bob:+1 555 765"))
