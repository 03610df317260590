"""Conference mode: the caller holds in the hand-off's own conference and the agent who
accepts is called into it. The REST requests go for real over HTTP to a loopback
recorder standing in for api.twilio.com; Twilio's reports are the connector's calls."""

from __future__ import annotations

import asyncio
import xml.etree.ElementTree as ET
from urllib.parse import parse_qs, urlsplit

import pytest
from handoff_support import ACCOUNT_SID, AUTH_TOKEN, CALL_SID

from voicebot.clock import FakeClock
from voicebot.handoff import (
    AgentCallError,
    AgentConnector,
    FallbackPolicy,
    HandoffService,
    HandoffStateError,
    TwilioTransfer,
    parse_agent_addresses,
)

CALLBACKS = "https://bot.example.com/twilio/handoff"
ADDRESSES = parse_agent_addresses("alice:client:alice,bob:+15557654321,"
                                  "carol:sip:carol@pbx.example.com")
CALLER_ID = "+15550001111"
AGENT_SID = "CA" + "a1" * 16
BOB_SID = "CA" + "b2" * 16


def transfer_for(recorder, **options) -> TwilioTransfer:
    options.setdefault("retries", 1)
    options.setdefault("status_callback_url", CALLBACKS)
    options.setdefault("caller_id", CALLER_ID)
    return TwilioTransfer(ACCOUNT_SID, AUTH_TOKEN, api_base=recorder.url, mode="conference",
                          dial_timeout=25, **options)


def query_of(url: str) -> dict[str, str]:
    return {k: v[0] for k, v in parse_qs(urlsplit(url).query).items()}


def created(recorder) -> list:
    """The requests that placed a new call (to an agent)."""
    return [r for r in recorder.requests
            if r.path == f"/2010-04-01/Accounts/{ACCOUNT_SID}/Calls.json"]


async def accept(connector, recorder, handoff_id: str, agent: str = "alice",
                 sid: str = AGENT_SID):
    recorder.reply(201, {"sid": sid, "status": "queued"})
    return await connector.accept(handoff_id, agent)


# -- the caller's side -------------------------------------------------------------------------


async def test_the_caller_holds_in_a_conference_of_the_handoff(recorder, make_packet):
    packet = make_packet(language="fr")
    transfer = transfer_for(recorder, hold_music_url="https://cdn.example.com/hold.mp3")
    result = await transfer.transfer(packet, call_sid=CALL_SID)
    await transfer.aclose()

    (request,) = recorder.requests
    assert request.path == f"/2010-04-01/Accounts/{ACCOUNT_SID}/Calls/{CALL_SID}.json"
    root = ET.fromstring(request.form["Twiml"][0])
    say, dial = list(root)
    assert say.tag == "Say" and say.get("language") == "fr-FR" and "patienter" in say.text
    assert dial.tag == "Dial" and dial.get("method") == "POST"
    assert dial.get("action").startswith(f"{CALLBACKS}/conference-result?")
    assert query_of(dial.get("action")) == {"handoff_id": packet.id, "language": "fr"}
    (room,) = list(dial)
    assert room.tag == "Conference" and room.text == f"handoff-{packet.id}"
    # The caller never starts the conference (they hear the hold music until an agent
    # joins) and ends it on leaving; joins and leaves are reported.
    assert room.get("startConferenceOnEnter") == "false"
    assert room.get("endConferenceOnExit") == "true"
    assert room.get("beep") == "false"
    assert room.get("statusCallback") == f"{CALLBACKS}/conference-events?handoff_id={packet.id}"
    assert room.get("statusCallbackEvent") == "start end join leave"
    assert room.get("waitUrl").startswith(f"{CALLBACKS}/wait?")
    assert (result.action, result.watch) == ("conference", True)


async def test_twilio_hold_music_without_a_configured_one(recorder, make_packet):
    transfer = transfer_for(recorder)
    await transfer.transfer(make_packet(), call_sid=CALL_SID)
    await transfer.aclose()
    room = ET.fromstring(recorder.requests[0].form["Twiml"][0]).find("Dial/Conference")
    assert room.get("waitUrl") is None


# -- accepting calls that agent ----------------------------------------------------------------


async def test_accepting_calls_the_agent_who_accepted(recorder, store, make_packet):
    packet = store.add(make_packet())
    transfer = transfer_for(recorder)
    connector = AgentConnector(store, transfer, ADDRESSES)
    async with store.subscribe() as changes:
        taken = await accept(connector, recorder, packet.id)
        kinds = [(await changes.get(1)).kind, (await changes.get(1)).kind]
    await transfer.aclose()

    assert kinds == ["accepted", "connection"]
    (request,) = created(recorder)
    form = request.form
    assert form["To"] == [f"client:alice?handoff_id={packet.id}"]
    assert form["From"] == [CALLER_ID]
    assert form["Method"] == ["POST"] and form["StatusCallbackMethod"] == ["POST"]
    assert form["StatusCallbackEvent"] == ["initiated", "ringing", "answered", "completed"]
    assert form["Timeout"] == ["25"]
    answer, status = form["Url"][0], form["StatusCallback"][0]
    assert answer.startswith(f"{CALLBACKS}/agent-answer?")
    assert status.startswith(f"{CALLBACKS}/agent-status?")
    attempt = query_of(answer)["attempt"]
    assert query_of(answer) == query_of(status) == {"handoff_id": packet.id, "attempt": attempt}

    assert (taken.status, taken.agent) == ("active", "alice")
    connection = taken.connection
    assert connection["attempt"] == attempt and connection["state"] == "ringing"
    assert connection["agent"] == "alice" and connection["reach"] == "client"
    assert connection["call_sid"] == AGENT_SID and connection["requested_at"]
    assert "+1555" not in str(connection)  # how to reach an agent is not on the packet


async def test_agents_at_a_number_or_a_pbx(recorder, store, make_packet):
    transfer = transfer_for(recorder, caller_id=None)
    connector = AgentConnector(store, transfer, ADDRESSES)
    sip = store.add(make_packet())
    await accept(connector, recorder, sip.id, "carol")
    assert created(recorder)[-1].form["To"] == ["sip:carol@pbx.example.com"]
    assert created(recorder)[-1].form["From"] == ["voicebot"]
    phone = store.add(make_packet())
    with pytest.raises(AgentCallError, match="needs a caller id"):
        await accept(connector, recorder, phone.id, "bob")
    assert len(created(recorder)) == 1  # nothing sent without a number to call from
    assert store.get(phone.id).status == "waiting"
    await transfer.aclose()


async def test_a_second_agent_is_refused_and_not_called(recorder, store, make_packet):
    packet = store.add(make_packet())
    transfer = transfer_for(recorder)
    connector = AgentConnector(store, transfer, ADDRESSES)
    await accept(connector, recorder, packet.id, "alice")
    with pytest.raises(HandoffStateError, match="already accepted by alice"):
        await accept(connector, recorder, packet.id, "bob", BOB_SID)
    await transfer.aclose()
    assert len(created(recorder)) == 1
    assert store.get(packet.id).connection["agent"] == "alice"


async def test_an_agent_with_no_address(recorder, store, make_packet):
    waiting = store.add(make_packet())
    transfer = transfer_for(recorder)
    connector = AgentConnector(store, transfer, ADDRESSES)
    with pytest.raises(HandoffStateError, match="VOICEBOT_AGENT_ADDRESSES"):
        await connector.accept(waiting.id, "dave")
    assert store.get(waiting.id).status == "waiting"
    # A call-back needs no call from the service: the agent calls the person.
    gone = store.add(make_packet())
    store.mark(gone.id, "abandoned")
    taken = await connector.accept(gone.id, "dave")
    assert (taken.status, taken.agent, taken.connection) == ("active", "dave", None)
    await transfer.aclose()
    assert recorder.requests == []


async def test_a_call_back_is_not_rung(recorder, store, make_packet):
    packet = store.add(make_packet())
    store.mark(packet.id, "fallback")
    transfer = transfer_for(recorder)
    taken = await AgentConnector(store, transfer, ADDRESSES).accept(packet.id, "alice")
    await transfer.aclose()
    assert taken.status == "active" and taken.connection is None and recorder.requests == []


async def test_the_call_cannot_be_placed(recorder, store, make_packet):
    packet = store.add(make_packet())
    transfer = transfer_for(recorder, retries=3, clock=FakeClock())
    connector = AgentConnector(store, transfer, ADDRESSES)
    recorder.reply(400, {"code": 21217, "message": "Phone number does not appear to be valid"})
    with pytest.raises(AgentCallError, match=r"could not call you.*21217") as caught:
        await connector.accept(packet.id, "alice")
    assert caught.value.__cause__ is not None
    assert len(created(recorder)) == 1  # a refusal is not tried again
    stored = store.get(packet.id)
    assert (stored.status, stored.agent) == ("waiting", None)
    assert stored.connection["state"] == "failed" and "21217" in stored.connection["detail"]
    assert "Could not call alice" in stored.notes

    # A new call is tried again only when Twilio surely did not take it (429/503).
    recorder.reply(503, {"message": "Service Unavailable"})
    recorder.reply(201, {"sid": AGENT_SID, "status": "queued"})
    taken = await connector.accept(packet.id, "alice")
    assert taken.connection["call_sid"] == AGENT_SID and len(created(recorder)) == 3
    recorder.requests.clear()
    other = store.add(make_packet())
    recorder.reply(500, {"message": "boom"})
    with pytest.raises(AgentCallError):
        await connector.accept(other.id, "bob")
    assert len(created(recorder)) == 1  # a 500 may have placed it: never twice
    await transfer.aclose()


# -- the agent's call --------------------------------------------------------------------------


async def test_a_client_answers_hears_the_summary_and_joins(recorder, store, make_packet):
    packet = store.add(make_packet())
    transfer = transfer_for(recorder)
    connector = AgentConnector(store, transfer, ADDRESSES)
    attempt = (await accept(connector, recorder, packet.id)).connection["attempt"]
    connector.call_status(packet.id, attempt, "ringing", AGENT_SID)
    leg = connector.answered(packet.id, attempt)
    assert leg.action == "join" and leg.packet.connection["state"] == "joining"
    assert leg.packet.connection["answered_at"]
    connector.joined(packet.id, CALL_SID)  # the caller's own join changes nothing
    assert store.get(packet.id).connection["state"] == "joining"
    connector.joined(packet.id, AGENT_SID)
    stored = store.get(packet.id)
    assert stored.connection["state"] == "connected" and stored.connection["connected_at"]
    assert stored.status == "active" and not stored.agent_on_the_way
    await connector.left(packet.id, CALL_SID)  # the conversation is over
    connector.call_status(packet.id, attempt, "completed", AGENT_SID)
    stored = store.get(packet.id)
    assert (stored.status, stored.agent) == ("active", "alice")  # alice completes it
    assert stored.connection["state"] == "ended" and stored.connection["ended_at"]
    assert len(recorder.requests) == 1  # nothing else sent to Twilio
    await transfer.aclose()


async def test_a_phone_agent_presses_1_before_hearing_anything(recorder, store, make_packet):
    transfer = transfer_for(recorder)
    connector = AgentConnector(store, transfer, ADDRESSES)
    packet = store.add(make_packet())
    attempt = (await accept(connector, recorder, packet.id, "bob", BOB_SID)
               ).connection["attempt"]
    leg = connector.answered(packet.id, attempt)
    assert leg.action == "gate" and store.get(packet.id).connection["state"] == "answered"
    leg = connector.confirmed(packet.id, attempt, "1")
    assert leg.action == "join" and store.get(packet.id).connection["state"] == "joining"

    # A voicemail, or a key other than 1: not taken, the caller waits for another agent.
    other = store.add(make_packet(call_id="CA" + "8" * 32))
    attempt = (await accept(connector, recorder, other.id, "carol")).connection["attempt"]
    assert connector.answered(other.id, attempt).action == "gate"
    assert connector.confirmed(other.id, attempt, "").action == "not_taken"
    stored = store.get(other.id)
    assert (stored.status, stored.connection["state"]) == ("waiting", "missed")
    assert "carol did not take the call (declined at the prompt)" in stored.notes
    await transfer.aclose()


@pytest.mark.parametrize("status", ["no-answer", "busy", "failed", "completed"])
async def test_no_answer_puts_the_caller_back_for_any_agent(recorder, store, make_packet,
                                                           status):
    packet = store.add(make_packet())
    transfer = transfer_for(recorder)
    connector = AgentConnector(store, transfer, ADDRESSES)
    first = (await accept(connector, recorder, packet.id)).connection["attempt"]
    if status == "completed":  # answered, then hung up before joining
        connector.answered(packet.id, first)
    connector.call_status(packet.id, first, status, AGENT_SID)
    stored = store.get(packet.id)
    assert (stored.status, stored.agent, stored.accepted_at) == ("waiting", None, None)
    assert stored.connection["state"] == "missed" and stored.connection["ended_at"]
    assert "alice did not take the call" in stored.notes

    # Another agent takes it; a late report about alice's call changes nothing.
    second = (await accept(connector, recorder, packet.id, "bob", BOB_SID)
              ).connection["attempt"]
    assert second != first
    assert created(recorder)[-1].form["To"] == ["+15557654321"]
    connector.call_status(packet.id, first, "completed", AGENT_SID)
    assert connector.answered(packet.id, first).action == "stale"
    stored = store.get(packet.id)
    assert (stored.agent, stored.connection["state"], stored.connection["attempt"]) == \
        ("bob", "ringing", second)
    await transfer.aclose()


async def test_the_caller_hangs_up_while_the_agent_rings(recorder, store, make_packet):
    packet = store.add(make_packet())
    transfer = transfer_for(recorder)
    connector = AgentConnector(store, transfer, ADDRESSES)
    attempt = (await accept(connector, recorder, packet.id)).connection["attempt"]
    await connector.left(packet.id, CALL_SID)
    stored = store.get(packet.id)
    assert (stored.status, stored.agent) == ("active", "alice")  # alice calls them back
    assert stored.connection["state"] == "caller_gone"
    assert "caller hung up before alice joined" in stored.notes
    cancel = recorder.requests[-1]
    assert cancel.path == f"/2010-04-01/Accounts/{ACCOUNT_SID}/Calls/{AGENT_SID}.json"
    assert cancel.form == {"Status": ["canceled"]}
    # Answered all the same (the cancel crossed the answer): told, never joined.
    assert connector.answered(packet.id, attempt).action == "caller_gone"
    connector.call_status(packet.id, attempt, "canceled", AGENT_SID)
    assert store.get(packet.id).connection["state"] == "caller_gone"
    await transfer.aclose()


async def test_the_caller_hangs_up_while_the_agent_hears_the_summary(recorder, store,
                                                                     make_packet):
    packet = store.add(make_packet(language="fr"))
    transfer = transfer_for(recorder)
    connector = AgentConnector(store, transfer, ADDRESSES)
    attempt = (await accept(connector, recorder, packet.id)).connection["attempt"]
    connector.answered(packet.id, attempt)
    await connector.left(packet.id, CALL_SID)
    told = recorder.requests[-1]
    assert told.path.endswith(f"/Calls/{AGENT_SID}.json")
    say, hangup = list(ET.fromstring(told.form["Twiml"][0]))
    assert say.get("language") == "fr-FR" and "raccroché" in say.text
    assert hangup.tag == "Hangup"
    await transfer.aclose()


async def test_the_caller_hangs_up_before_anyone_accepts(recorder, store, make_packet):
    packet = store.add(make_packet())
    transfer = transfer_for(recorder)
    connector = AgentConnector(store, transfer, ADDRESSES)
    await connector.left(packet.id, CALL_SID)
    stored = store.get(packet.id)
    assert stored.status == "abandoned" and "hung up while holding" in stored.notes
    # Sent to the fallback by the service: leaving the conference is not hanging up.
    other = store.add(make_packet(call_id="CA" + "9" * 32))
    store.mark(other.id, "fallback")
    await connector.left(other.id, "CA" + "9" * 32)
    assert store.get(other.id).status == "fallback"
    await transfer.aclose()
    assert recorder.requests == []


async def test_the_service_accepts_through_the_connector(recorder, store, make_packet):
    packet = store.add(make_packet())
    transfer = transfer_for(recorder)
    service = HandoffService(store, transfer, None, AgentConnector(store, transfer, ADDRESSES))
    recorder.reply(201, {"sid": AGENT_SID})
    taken = await service.accept(packet.id, "alice")
    assert taken.connection["state"] == "ringing" and len(created(recorder)) == 1
    plain = HandoffService(store)
    other = store.add(make_packet())
    assert (await plain.accept(other.id, "bob")).connection is None
    await transfer.aclose()


# -- the no-agent fallback, on virtual time ----------------------------------------------------


async def test_the_fallback_waits_for_a_ringing_agent(recorder, clock, clocked_store,
                                                      make_packet):
    store = clocked_store
    packet = store.add(make_packet())
    transfer = transfer_for(recorder)
    connector = AgentConnector(store, transfer, ADDRESSES)
    task = FallbackPolicy(store, transfer, timeout=60.0).start(packet.id, CALL_SID)
    await clock.run_for(50.0)
    attempt = (await accept(connector, recorder, packet.id)).connection["attempt"]
    await clock.run_for(40.0)  # 90 s: past the deadline, but alice's phone rings
    assert not task.done() and store.get(packet.id).status == "active"
    connector.call_status(packet.id, attempt, "no-answer", AGENT_SID)
    assert await asyncio.wait_for(task, 5) == "fallback"
    assert clock.now() == 90.0  # at once: the deadline had passed
    stored = store.get(packet.id)
    assert stored.status == "fallback" and stored.connection["state"] == "missed"
    fallback = recorder.requests[-1]
    assert fallback.path.endswith(f"/Calls/{CALL_SID}.json")
    assert [c.tag for c in ET.fromstring(fallback.form["Twiml"][0])][:2] == ["Say", "Record"]
    await transfer.aclose()


async def test_the_fallback_ends_when_the_agent_joins(recorder, clock, clocked_store,
                                                      make_packet):
    store = clocked_store
    packet = store.add(make_packet())
    transfer = transfer_for(recorder)
    connector = AgentConnector(store, transfer, ADDRESSES)
    task = FallbackPolicy(store, transfer, timeout=60.0).start(packet.id, CALL_SID)
    await clock.run_for(20.0)
    attempt = (await accept(connector, recorder, packet.id)).connection["attempt"]
    await clock.run_for(10.0)
    assert not task.done()
    connector.answered(packet.id, attempt)
    connector.joined(packet.id, AGENT_SID)
    assert await asyncio.wait_for(task, 5) == "accepted"
    assert clock.now() == 30.0
    await clock.run_for(60.0)
    assert len(recorder.requests) == 1  # the call to alice; no fallback
    await transfer.aclose()
