"""Warm transfers on Asterisk, over SIP: a caller asks the bot for a person; the bot
hangs up its leg (AudioSocket or chan_websocket) and the dialplan hands the caller to
the service's Stasis application (ARI). The agent who accepts the packet on the desktop
is called at their Asterisk endpoint (a second baresip) and bridged with that caller:
each hears the other. An agent who cannot be reached puts the packet back; nobody
taking it in time sends the caller on in the dialplan, to the fallback."""

from __future__ import annotations

import time

import httpx
import pytest

from tests.conftest import AGENT, FIXTURES, free_port, launch_server, wait_until_healthy
from tests.sip.conftest import heard
from tests.sip.phone import Call, agent_phone
from tests.sip.rig import Asterisk, missing

pytestmark = [pytest.mark.e2e, pytest.mark.models, pytest.mark.sip]

PERSON = FIXTURES / "en_speak_to_a_person.wav"  # "Can I speak to a real person, please?"
ACCOUNT = FIXTURES / "en_account_100200.wav"  # "My account number is one, zero, zero..."
AGENT_SAYS = FIXTURES / "en_interrupt.wav"  # "Sorry to interrupt, but I really need..."
FALLBACK_SECONDS = 12

# After the bot, the caller goes to the service's Stasis application, named by the
# call's id; a caller nobody took comes back with VOICEBOT_HANDOFF_RESULT=fallback.
AFTER_THE_BOT = """
 same => n,GotoIf($["${VOICEBOT_HANDOFF_RESULT}" = "fallback"]?fallback)
 same => n,Hangup()
 same => n(fallback),Log(NOTICE,rig: fallback for hand-off ${VOICEBOT_HANDOFF})
 same => n,Wait(1)
 same => n,Hangup()
"""
# Over AudioSocket the call is named by the UUID the dialplan makes; over chan_websocket
# by the caller's own channel, given to the service in the dial string.
DIALPLAN = """
exten => handoff,1,Answer()
 same => n,Set(ID=${UUID()})
 same => n,AudioSocket(${ID},127.0.0.1:AUDIOSOCKET_PORT)
 same => n,Stasis(voicebot,${ID})
""" + AFTER_THE_BOT + """
exten => handoff-ws,1,Answer()
 same => n,Dial(WebSocket/voicebot/c(ulaw)v(channel=${UNIQUEID}),,g)
 same => n,Stasis(voicebot,${UNIQUEID})
""" + AFTER_THE_BOT
# A second service hands off in queue mode: its callers go on at once to the agents'
# queue (a context of the operator's), carrying the hand-off's id.
QUEUE_DIALPLAN = """
exten => handoff-queue,1,Answer()
 same => n,Set(ID=${UUID()})
 same => n,AudioSocket(${ID},127.0.0.1:QUEUE_AUDIOSOCKET_PORT)
 same => n,Stasis(voicebot-queue,${ID})
 same => n,Hangup()

[agents-queue]
exten => agents,1,Log(NOTICE,rig: queue for ${VOICEBOT_HANDOFF} ${VOICEBOT_HANDOFF_RESULT})
 same => n,Dial(PJSIP/agent,20)
 same => n,Hangup()
"""
SECRET = "asterisk-secret-for-tests"


@pytest.fixture(scope="module")
def queue_audiosocket() -> int:
    """The AudioSocket port of the service in queue mode (Asterisk's dialplan names it)."""
    return free_port()


@pytest.fixture(scope="module")
def rig(model_paths, tmp_path_factory, twilio_recorder, queue_audiosocket):
    """Asterisk with the hand-off extension, and the service handing off through ARI."""
    if reason := missing():
        pytest.skip(reason)
    base = tmp_path_factory.mktemp("sip-transfer")
    audiosocket, port = free_port(), free_port()
    pbx = Asterisk(base / "asterisk",
                   dialplan=DIALPLAN.replace("AUDIOSOCKET_PORT", str(audiosocket))
                   + QUEUE_DIALPLAN.replace("QUEUE_AUDIOSOCKET_PORT", str(queue_audiosocket)),
                   websocket_uri=f"ws://127.0.0.1:{port}/asterisk/media",
                   websocket_password=SECRET).start()
    srv = None
    try:
        srv = wait_until_healthy(launch_server(port, base, twilio_recorder.url, env={
            "VOICEBOT_AUDIOSOCKET_PORT": str(audiosocket),
            "VOICEBOT_ASTERISK_SECRET": SECRET,
            "VOICEBOT_ASTERISK_ARI_URL": pbx.ari_url,
            "VOICEBOT_ASTERISK_ARI_USER": pbx.ari_auth[0],
            "VOICEBOT_ASTERISK_ARI_PASSWORD": pbx.ari_auth[1],
            "VOICEBOT_AGENT_ADDRESSES": f"{AGENT[0]}:PJSIP/agent",
            "VOICEBOT_HANDOFF_FALLBACK_SECONDS": str(FALLBACK_SECONDS),
            "VOICEBOT_HANDOFF_DIAL_TIMEOUT_SECONDS": "5",
        }))
        ari_ready(srv)
        yield srv, pbx
    finally:
        if srv is not None:
            srv.stop()
        pbx.stop()


@pytest.fixture(scope="module")
def queue_service(rig, tmp_path_factory, twilio_recorder, queue_audiosocket):
    """A second service on the same Asterisk, handing off in queue mode."""
    _, pbx = rig
    base = tmp_path_factory.mktemp("sip-queue")
    srv = launch_server(free_port(), base, twilio_recorder.url, env={
        "VOICEBOT_AUDIOSOCKET_PORT": str(queue_audiosocket),
        "VOICEBOT_ASTERISK_SECRET": SECRET,
        "VOICEBOT_ASTERISK_ARI_URL": pbx.ari_url,
        "VOICEBOT_ASTERISK_ARI_USER": pbx.ari_auth[0],
        "VOICEBOT_ASTERISK_ARI_PASSWORD": pbx.ari_auth[1],
        "VOICEBOT_ASTERISK_ARI_APP": "voicebot-queue",
        "VOICEBOT_ASTERISK_HANDOFF": "queue",
        "VOICEBOT_ASTERISK_QUEUE": "agents-queue,agents,1",
    })
    try:
        ari_ready(wait_until_healthy(srv))
        yield srv
    finally:
        srv.stop()


def ari_ready(srv) -> None:
    """Once the service's ARI application is registered with Asterisk."""
    deadline = time.monotonic() + 20
    while httpx.get(f"{srv.http}/readyz", timeout=10).json()["checks"].get(
            "asterisk") != "ok":
        assert time.monotonic() < deadline, srv.log()[-3000:]
        time.sleep(0.2)


def wait_for_packet(srv, since: set[str], timeout: float = 60) -> dict:
    """The next hand-off packet not in ``since``."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        fresh = [p for p in srv.api("/api/handoffs")["handoffs"] if p["id"] not in since]
        if fresh:
            return fresh[0]
        time.sleep(0.2)
    raise AssertionError(f"no hand-off in {timeout} s:\n{srv.log()[-4000:]}")


def packet_ids(srv) -> set[str]:
    return {p["id"] for p in srv.api("/api/handoffs")["handoffs"]}


def accept(srv, handoff_id: str) -> httpx.Response:
    return httpx.post(f"{srv.http}/api/handoffs/{handoff_id}/accept", timeout=15,
                      headers={"Authorization": f"Bearer {AGENT[1]}"})


def holding(srv, handoff_id: str, timeout: float = 30) -> None:
    """Once the caller of ``handoff_id`` holds (ringing) in the Stasis application."""
    wait_until(lambda: f"hand-off {handoff_id}: caller " in srv.log(), timeout,
               f"the caller of {handoff_id} never reached Stasis")


def wait_until(check, timeout: float, what: str):  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while not (value := check()):
        assert time.monotonic() < deadline, what
        time.sleep(0.2)
    return value


@pytest.mark.parametrize("extension", ["handoff", "handoff-ws"])
def test_the_agent_who_accepts_is_bridged_with_the_caller(rig, extension, recognizer,
                                                          tmp_path):
    srv, pbx = rig
    before = packet_ids(srv)
    # The agent answers while the bot still says its last words and is bridged only when
    # the caller reaches Stasis, seconds later on a loaded machine: they say their line
    # three times, so that one is whole after the bridge whenever it comes.
    agent = agent_phone(pbx, tmp_path / "agent", seconds=60,
                        play=[(1.5, AGENT_SAYS), (7.5, AGENT_SAYS), (13.5, AGENT_SAYS)]).start()
    try:
        # The greeting, then the request for a person; the caller speaks again once
        # the agent has had time to answer, and hangs up last.
        with Call(pbx, extension, [(9.0, PERSON), (34.0, ACCOUNT)],
                  tmp_path / "caller.wav", seconds=60) as call:
            assert call.wait_answered()
            packet = wait_for_packet(srv, before)
            assert packet["reason"] == "caller_asked_for_human", packet
            # Taken at once, while the bot still speaks: the agent answers, and is bridged
            # with the caller as soon as the caller reaches Stasis.
            taken = accept(srv, packet["id"])
            assert taken.status_code == 200, taken.text
            assert taken.json()["connection"]["state"] == "ringing", taken.json()
            agent.wait_event("CALL_ESTABLISHED", timeout=15)
            connected = wait_until(
                lambda: (c := srv.api(f"/api/handoffs/{packet['id']}")["connection"])
                and c["state"] == "connected" and c, 10, "the agent was never connected")
            assert connected["agent"] == AGENT[0]
            time.sleep(max(0.0, call.answered_at + 41 - time.monotonic()))
            result = call.hangup()
        # The caller hanging up ends the agent's call too, and the connection.
        agent.wait_event("CALL_CLOSED", timeout=10)
        ended = wait_until(lambda: (p := srv.api(f"/api/handoffs/{packet['id']}"))
                           ["connection"]["state"] == "ended" and p, 10,
                           "the connection never ended")
        assert ended["status"] == "active" and ended["agent"] == AGENT[0]
    finally:
        agent.stop()
    assert result.established
    said_to_caller = heard(recognizer, result.heard)
    assert "colleague" in said_to_caller, said_to_caller  # the bot's hand-off sentence
    assert "interrupt" in said_to_caller or "bill" in said_to_caller, said_to_caller  # the agent
    said_to_agent = heard(recognizer, agent.record_to)
    assert "account" in said_to_agent, said_to_agent  # the caller, after the bridge
    assert pbx.wait_no_channels() == []
    assert "bridged with agent channel" in srv.log()


def test_an_unreachable_agent_puts_it_back_and_nobody_taking_it_falls_back(rig, tmp_path):
    srv, pbx = rig
    before = packet_ids(srv)
    # No phone answers at the agent's endpoint.
    with Call(pbx, "handoff", [(9.0, PERSON)], tmp_path / "caller.wav", seconds=70) as call:
        assert call.wait_answered()
        packet = wait_for_packet(srv, before)
        holding(srv, packet["id"])
        taken = accept(srv, packet["id"])
        assert taken.status_code == 200, taken.text
        # The call to the agent fails: the packet waits again for any agent.
        missed = wait_until(
            lambda: (p := srv.api(f"/api/handoffs/{packet['id']}"))["status"] == "waiting"
            and p, 20, "the packet never went back to waiting")
        assert missed["connection"]["state"] == "missed", missed
        # Nobody else takes it: the caller goes on to the dialplan's fallback.
        line = pbx.wait_for_log(f"rig: fallback for hand-off {packet['id']}",
                                timeout=FALLBACK_SECONDS + 20)
        assert line
        result = call.wait_closed(15)
    assert result.hung_up_by == "remote"
    assert srv.api(f"/api/handoffs/{packet['id']}")["status"] == "fallback"
    assert pbx.wait_no_channels() == []


def test_a_caller_who_hangs_up_while_holding_abandons_the_hand_off(rig, tmp_path):
    srv, pbx = rig
    before = packet_ids(srv)
    with Call(pbx, "handoff", [(9.0, PERSON)], tmp_path / "caller.wav", seconds=60) as call:
        assert call.wait_answered()
        packet = wait_for_packet(srv, before)
        holding(srv, packet["id"])
        call.hangup()
    gone = wait_until(lambda: (p := srv.api(f"/api/handoffs/{packet['id']}"))["status"]
                      == "abandoned" and p, 10, "the hand-off was not marked abandoned")
    assert "hung up while holding" in gone["notes"], gone
    assert pbx.wait_no_channels() == []
    # Nobody can be called for it any more: an agent taking it calls the person back.
    taken = accept(srv, packet["id"])
    assert taken.status_code == 200, taken.text
    assert taken.json()["connection"] is None, taken.json()


def test_in_queue_mode_the_caller_goes_on_to_the_queue_with_the_hand_off_id(
        rig, queue_service, recognizer, tmp_path):
    _, pbx = rig
    srv = queue_service
    before = packet_ids(srv)
    agent = agent_phone(pbx, tmp_path / "agent", play=[(1.5, AGENT_SAYS)], seconds=60).start()
    try:
        with Call(pbx, "handoff-queue", [(9.0, PERSON), (30.0, ACCOUNT)],
                  tmp_path / "caller.wav", seconds=50) as call:
            assert call.wait_answered()
            packet = wait_for_packet(srv, before)
            assert packet["reason"] == "caller_asked_for_human", packet
            # Nobody accepts anything: the caller goes straight on to the queue, which
            # knows the hand-off by its id, and the queue rings the agent.
            pbx.wait_for_log(f"rig: queue for {packet['id']} queue", timeout=40)
            agent.wait_event("CALL_ESTABLISHED", timeout=15)
            time.sleep(max(0.0, call.answered_at + 38 - time.monotonic()))
            result = call.hangup()
        agent.wait_event("CALL_CLOSED", timeout=10)
    finally:
        agent.stop()
    assert result.established
    said_to_caller = heard(recognizer, result.heard)
    assert "colleague" in said_to_caller, said_to_caller
    assert "interrupt" in said_to_caller or "bill" in said_to_caller, said_to_caller
    said_to_agent = heard(recognizer, agent.record_to)
    assert "account" in said_to_agent, said_to_agent
    assert pbx.wait_no_channels() == []
    # The packet is still on the desktop for whoever picks the call up from the queue.
    assert srv.api(f"/api/handoffs/{packet['id']}")["status"] == "waiting"
