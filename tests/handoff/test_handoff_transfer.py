"""The Twilio transfer, sent for real over HTTP to a loopback recorder."""

from __future__ import annotations

import asyncio
import base64
import json
import socket
import time
import xml.etree.ElementTree as ET
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from handoff_support import ACCOUNT_SID, AUTH_TOKEN, CALL_SID

from voicebot.clock import FakeClock
from voicebot.errors import ConfigError, EngineError
from voicebot.handoff import FallbackPolicy, HandoffStore, TwilioError, TwilioTransfer
from voicebot.handoff.transfer import Transfer

CALLBACKS = "https://bot.example.com/twilio/handoff"


def transfer_for(recorder, **options) -> TwilioTransfer:
    options.setdefault("retries", 1)
    return TwilioTransfer(ACCOUNT_SID, AUTH_TOKEN, api_base=recorder.url, **options)


def twiml_of(request) -> ET.Element:
    (document,) = request.form["Twiml"]
    return ET.fromstring(document)


def query_of(url: str) -> dict[str, str]:
    return {k: v[0] for k, v in parse_qs(urlsplit(url).query).items()}


async def test_enqueue_updates_the_live_call(recorder, make_packet):
    packet = make_packet()
    transfer = transfer_for(recorder, queue_name="acme-agents", status_callback_url=CALLBACKS)
    assert isinstance(transfer, Transfer)
    started = time.perf_counter()
    result = await transfer.transfer(packet, call_sid=CALL_SID)
    finished = time.perf_counter()
    await transfer.aclose()

    (request,) = recorder.requests
    assert request.method == "POST"
    assert request.path == f"/2010-04-01/Accounts/{ACCOUNT_SID}/Calls/{CALL_SID}.json"
    expected = base64.b64encode(f"{ACCOUNT_SID}:{AUTH_TOKEN}".encode()).decode()
    assert request.headers["Authorization"] == f"Basic {expected}"
    assert request.headers["Content-Type"] == "application/x-www-form-urlencoded"
    assert set(request.form) == {"Twiml"}

    root = twiml_of(request)
    assert root.tag == "Response"
    say, enqueue = list(root)
    assert say.tag == "Say" and say.get("language") == "en-US" and "hold" in say.text
    assert enqueue.tag == "Enqueue" and enqueue.text == "acme-agents"
    action = enqueue.get("action")
    assert action.startswith(f"{CALLBACKS}/queue-result?")
    assert query_of(action) == {"handoff_id": packet.id, "language": "en"}
    assert enqueue.get("waitUrl") is None  # Twilio's own hold music: never silence

    assert (result.action, result.status_code, result.call_status) == \
        ("enqueue", 200, "in-progress")
    assert result.handoff_id == packet.id and result.watch is True
    to_request_ms = (request.at - started) * 1000
    print(f"\ntransfer() to request on loopback: {to_request_ms:.1f} ms; "
          f"round trip {(finished - started) * 1000:.1f} ms")
    assert to_request_ms < 1000


async def test_french_callers_hear_french_and_wait_with_music(recorder, make_packet):
    packet = make_packet(language="fr")
    transfer = transfer_for(recorder, status_callback_url=CALLBACKS + "/",
                            hold_music_url="https://cdn.example.com/hold.mp3")
    await transfer.transfer(packet, call_sid=CALL_SID)
    await transfer.aclose()
    say, enqueue = list(twiml_of(recorder.requests[0]))
    assert say.get("language") == "fr-FR" and "patienter" in say.text
    assert enqueue.get("waitUrl").startswith(f"{CALLBACKS}/wait?")
    assert query_of(enqueue.get("waitUrl"))["handoff_id"] == packet.id


async def test_taskrouter_task_carries_the_handoff(recorder, make_packet):
    packet = make_packet(reason="dispute")
    transfer = transfer_for(recorder, workflow_sid="WW" + "1" * 32)
    await transfer.transfer(packet, call_sid=CALL_SID)
    await transfer.aclose()
    root = twiml_of(recorder.requests[0])
    enqueue = root.find("Enqueue")
    assert enqueue.get("workflowSid") == "WW" + "1" * 32
    task = json.loads(enqueue.find("Task").text)
    assert task == {"handoff_id": packet.id, "call_id": CALL_SID, "reason": "dispute",
                    "language": "en"}
    # No action URL: when the call leaves the queue it ends politely.
    assert [child.tag for child in root] == ["Say", "Enqueue", "Say", "Hangup"]


async def test_dial_rings_the_agents_with_a_timeout(recorder, make_packet):
    packet = make_packet()
    transfer = transfer_for(recorder, mode="dial", dial_number="+15550001111", dial_timeout=25,
                            caller_id="+15559990000", status_callback_url=CALLBACKS)
    result = await transfer.transfer(packet, call_sid=CALL_SID)
    await transfer.aclose()
    say, dial = list(twiml_of(recorder.requests[0]))
    assert say.tag == "Say"
    assert dial.tag == "Dial" and dial.get("timeout") == "25"
    assert dial.get("callerId") == "+15559990000"
    assert query_of(dial.get("action"))["handoff_id"] == packet.id
    assert dial.get("action").startswith(f"{CALLBACKS}/dial-result?")
    number = dial.find("Number")
    assert number.text == "+15550001111"
    assert query_of(number.get("url"))["handoff_id"] == packet.id  # the whisper
    assert result.action == "dial" and result.watch is False


def test_dial_targets():
    from voicebot.handoff import twiml

    sip = ET.fromstring(twiml.dial("sip:agents@pbx.example.com", language="en", timeout=20,
                                   action_url="https://x/a"))
    assert sip.find("Dial/Sip").text == "sip:agents@pbx.example.com"
    client = ET.fromstring(twiml.dial("client:desk", language="en", timeout=20,
                                      action_url="https://x/a"))
    assert client.find("Dial/Client").text == "desk"


@pytest.mark.parametrize(("options", "message"), [
    ({"mode": "dial", "status_callback_url": CALLBACKS}, "needs the number"),
    ({"mode": "dial", "dial_number": "+15550001111"}, "needs status_callback_url"),
    ({"mode": "queue"}, "enqueue, dial or conference"),
    ({"mode": "conference"}, "conference mode needs status_callback_url"),
    ({"status_callback_url": "/twilio/handoff"}, "must be absolute"),
    ({"queue_name": "q" * 65}, "at most 64"),
])
def test_bad_configuration(options, message):
    with pytest.raises(ConfigError, match=message):
        TwilioTransfer(ACCOUNT_SID, AUTH_TOKEN, **options)
    with pytest.raises(ConfigError, match="account SID and the auth token"):
        TwilioTransfer(ACCOUNT_SID, "")


@pytest.mark.parametrize(("status", "body", "message", "code"), [
    (401, {"code": 20003, "message": "Authenticate", "status": 401},
     "rejected the account SID or auth token", 20003),
    (404, {"code": 20404, "message": "The requested resource was not found", "status": 404},
     f"no call {CALL_SID}", 20404),
    (400, {"code": 21220, "message": "Call is not in-progress. Cannot redirect.",
           "status": 400}, "has already ended", 21220),
])
async def test_refusals_are_engine_errors_and_not_retried(recorder, make_packet, status, body,
                                                          message, code):
    recorder.reply(status, body)
    transfer = transfer_for(recorder, retries=3)
    with pytest.raises(EngineError, match=message) as caught:
        await transfer.transfer(make_packet(), call_sid=CALL_SID)
    await transfer.aclose()
    assert isinstance(caught.value, TwilioError)
    assert (caught.value.status, caught.value.code, caught.value.retryable) == \
        (status, code, False)
    assert f"HTTP {status}" in str(caught.value) and body["message"] in str(caught.value)
    assert len(recorder.requests) == 1


async def test_server_errors_are_retried(recorder, make_packet):
    recorder.reply(503, {"message": "Service Unavailable", "status": 503})
    clock = FakeClock()
    transfer = transfer_for(recorder, retries=1, clock=clock)
    result = await transfer.transfer(make_packet(), call_sid=CALL_SID)
    assert result.status_code == 200 and len(recorder.requests) == 2
    assert clock.now() == 0.25  # a pause on the clock before trying again

    recorder.requests.clear()
    recorder.reply(500, {"message": "boom"})
    recorder.reply(429, {"message": "Too Many Requests", "code": 20429})
    with pytest.raises(TwilioError, match="HTTP 429") as caught:
        await transfer.transfer(make_packet(), call_sid=CALL_SID)
    assert caught.value.retryable is True and len(recorder.requests) == 2
    await transfer.aclose()


async def test_unreachable_twilio(make_packet):
    with socket.socket() as sock:  # a port nobody listens on
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    transfer = TwilioTransfer(ACCOUNT_SID, AUTH_TOKEN, api_base=f"http://127.0.0.1:{port}",
                              retries=0)
    with pytest.raises(EngineError, match="could not reach Twilio") as caught:
        await transfer.transfer(make_packet(), call_sid=CALL_SID)
    assert caught.value.retryable is True
    await transfer.aclose()


async def test_slow_twilio_times_out(recorder, make_packet):
    recorder.delay = 0.5
    client = httpx.AsyncClient(timeout=0.1)
    transfer = transfer_for(recorder, client=client, retries=0)
    with pytest.raises(EngineError, match="ReadTimeout"):
        await transfer.transfer(make_packet(), call_sid=CALL_SID)
    await transfer.aclose()
    assert not client.is_closed  # a client passed in belongs to the caller
    await client.aclose()


async def test_refuses_odd_call_sids_and_oversized_twiml(recorder, make_packet):
    transfer = transfer_for(recorder)
    with pytest.raises(TwilioError, match="not a Twilio call SID"):
        await transfer.transfer(make_packet(), call_sid="../../Accounts")
    with pytest.raises(TwilioError, match="over Twilio's 4000"):
        await transfer.update_call(CALL_SID, "<Response>" + "x" * 4000 + "</Response>")
    await transfer.aclose()
    assert recorder.requests == []


# -- the fallback when nobody accepts ------------------------------------------------------------
# On virtual time: the deadline passes when the test moves the clock past it, never
# while the test waits. Only the loopback request to "Twilio" takes real time.


async def test_fallback_when_the_clock_reaches_the_deadline(recorder, clock, clocked_store,
                                                            make_packet):
    store = clocked_store
    packet = store.add(make_packet(language="fr"))
    transfer = transfer_for(recorder, status_callback_url=CALLBACKS)
    outcomes: list[tuple[str, str]] = []
    policy = FallbackPolicy(store, transfer, timeout=60.0,
                            on_outcome=lambda hid, outcome: outcomes.append((hid, outcome)))
    async with store.subscribe() as changes:
        task = policy.start(packet.id, CALL_SID)
        await clock.run_for(59.75)
        assert not task.done() and store.get(packet.id).status == "waiting"
        assert recorder.requests == [] and policy.watching == 1
        await clock.run_for(0.25)
        change = await changes.get(1)
        outcome = await asyncio.wait_for(task, 5)
    await transfer.aclose()

    assert outcome == "fallback" and outcomes == [(packet.id, "fallback")]
    assert (change.kind, change.status) == ("status", "fallback")
    assert change.at == "2026-01-15T12:01:00.000Z"  # the store's clock, 60 s on
    assert store.get(packet.id).status == "fallback"
    (request,) = recorder.requests
    assert request.path.endswith(f"/Calls/{CALL_SID}.json")
    root = twiml_of(request)
    assert [c.tag for c in root] == ["Say", "Record", "Say", "Hangup"]
    assert root[0].get("language") == "fr-FR" and "bip" in root[0].text
    record = root.find("Record")
    assert record.get("action").startswith(f"{CALLBACKS}/message?")
    assert query_of(record.get("action"))["handoff_id"] == packet.id
    assert record.get("maxLength") == "120" and record.get("finishOnKey") == "#"
    assert policy.watching == 0


async def test_fallback_without_callbacks_promises_a_call_back(recorder, store, make_packet):
    packet = store.add(make_packet())
    transfer = transfer_for(recorder)
    policy = FallbackPolicy(store, transfer, timeout=60.0, clock=FakeClock())
    assert await policy.watch(packet.id, CALL_SID) == "fallback"
    await transfer.aclose()
    say, hangup = list(twiml_of(recorder.requests[0]))
    assert "call you back" in say.text and hangup.tag == "Hangup"


async def test_an_accept_in_time_cancels_the_fallback(recorder, clock, clocked_store,
                                                      make_packet):
    store = clocked_store
    packet = store.add(make_packet())
    transfer = transfer_for(recorder)
    policy = FallbackPolicy(store, transfer, timeout=60.0)
    task = policy.start(packet.id, CALL_SID)
    await clock.run_for(59.0)
    store.accept(packet.id, "alice")
    assert await asyncio.wait_for(task, 5) == "accepted"
    assert clock.now() == 59.0  # woken by the change, not by the deadline
    await clock.run_for(60.0)
    assert recorder.requests == []
    assert store.get(packet.id).status == "active"
    await transfer.aclose()


async def test_a_caller_who_hung_up_gets_no_fallback(recorder, clock, clocked_store,
                                                     make_packet):
    store = clocked_store
    packet = store.add(make_packet())
    transfer = transfer_for(recorder)
    task = FallbackPolicy(store, transfer, timeout=60.0).start(packet.id, CALL_SID)
    await clock.run_for(30.0)
    store.mark(packet.id, "abandoned")  # the queue's action webhook said so
    assert await asyncio.wait_for(task, 5) == "abandoned"
    assert recorder.requests == []
    await transfer.aclose()


async def test_a_dropped_subscription_is_polled_on_the_clock(recorder, clock, tmp_path,
                                                             make_packet, caplog):
    # A subscription with room for one event: two changes in a row drop it.
    store = HandoffStore(tmp_path / "small.db", queue_size=1, clock=clock)
    packet = store.add(make_packet())
    transfer = transfer_for(recorder)
    task = FallbackPolicy(store, transfer, timeout=60.0, poll=5.0).start(packet.id, CALL_SID)
    await clock.run_for(1.0)
    store.annotate(packet.id, "first")
    store.annotate(packet.id, "second")
    assert "hand-off subscriber dropped" in caplog.text
    await clock.run_for(11.0)  # 12 s: the watcher looks again at 6, 11, 16
    store.accept(packet.id, "alice")
    await clock.run_for(3.5)
    assert not task.done()  # no subscription to wake it: it waits for its next look
    await clock.run_for(0.5)
    assert await asyncio.wait_for(task, 5) == "accepted"
    assert recorder.requests == []
    await transfer.aclose()
    store.close()


async def test_fallback_on_a_call_that_already_ended(recorder, store, make_packet):
    packet = store.add(make_packet())
    recorder.reply(400, {"code": 21220, "message": "Call is not in-progress. Cannot redirect."})
    transfer = transfer_for(recorder)
    policy = FallbackPolicy(store, transfer, timeout=60.0, clock=FakeClock())
    assert await policy.watch(packet.id, CALL_SID) == "fallback_failed"
    await transfer.aclose()
    stored = store.get(packet.id)
    assert stored.status == "fallback"
    assert "hung up before the fallback" in stored.notes


async def test_unknown_handoff_and_shutdown(recorder, clock, clocked_store, make_packet):
    store = clocked_store
    transfer = transfer_for(recorder)
    policy = FallbackPolicy(store, transfer, timeout=30)
    assert await policy.watch("missing", CALL_SID) == "missing"
    packet = store.add(make_packet())
    task = policy.start(packet.id, CALL_SID)
    await clock.run_for(1.0)
    assert policy.watching == 1
    await policy.aclose()
    assert task.cancelled()
    assert store.get(packet.id).status == "waiting" and recorder.requests == []
    await transfer.aclose()
