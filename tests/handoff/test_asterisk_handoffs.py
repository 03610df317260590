"""Asterisk hand-offs through ARI, request by request: what the service asks of Asterisk
for each event, its settings and their mistakes. The ARI requests go over HTTP to the
loopback recorder; the whole flow with a real Asterisk and SIP phones is in
tests/sip/test_transfer_over_sip.py."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest

from voicebot.errors import ConfigError
from voicebot.handoff import AgentAddress, Reach, parse_agent_addresses
from voicebot.handoff.asterisk import (
    AriClient,
    AriError,
    AsteriskHandoffs,
    DialplanLocation,
)
from voicebot.settings import Settings
from voicebot.web.handoffs import build_asterisk_handoffs

ADDRESSES = parse_agent_addresses("alice:PJSIP/alice,bob:client:bob")


def handoffs(recorder, store, **options) -> AsteriskHandoffs:
    ari = AriClient(f"{recorder.url}/ari", "voicebot", "ari-secret", "voicebot")
    return AsteriskHandoffs(ari, store, ADDRESSES, **options)


def requests(recorder) -> list[tuple[str, str, dict[str, str]]]:
    """(method, path, query) of each ARI request."""
    out = []
    for r in recorder.requests:
        url = urlsplit(r.path)
        out.append((r.method, url.path.removeprefix("/ari"),
                    {k: v[-1] for k, v in parse_qs(url.query).items()}))
    return out


def test_asterisk_dial_strings_are_agent_addresses():
    assert ADDRESSES["alice"] == AgentAddress("alice", Reach.ASTERISK, "PJSIP/alice")
    assert parse_agent_addresses("c:Local/carol@agents")["c"].reach is Reach.ASTERISK
    assert not Reach.ASTERISK.may_be_voicemail  # the agent's own endpoint answers
    for wrong in ("PJSIP/", "PJSIP/al ice", "/alice"):
        with pytest.raises(ConfigError, match="Asterisk dial string"):
            parse_agent_addresses(f"alice:{wrong}")


def test_dialplan_locations():
    assert DialplanLocation.parse("agents,s,1", "X").params() == {
        "context": "agents", "extension": "s", "priority": "1"}
    assert DialplanLocation.parse("agents,s,waiting", "X").params() == {
        "context": "agents", "extension": "s", "label": "waiting"}
    assert DialplanLocation.parse("agents", "X").params() == {"context": "agents"}
    for wrong in ("", "a,b,c,d", "agents;s", "agents,s,1 2"):
        with pytest.raises(ConfigError, match="VOICEBOT_ASTERISK_QUEUE"):
            DialplanLocation.parse(wrong, "VOICEBOT_ASTERISK_QUEUE")


def test_the_settings_say_what_is_missing(store):
    base = {"asterisk_ari_url": "http://127.0.0.1:8088/ari"}
    assert build_asterisk_handoffs(Settings(), store) is None
    with pytest.raises(ConfigError, match="VOICEBOT_ASTERISK_ARI_PASSWORD"):
        build_asterisk_handoffs(Settings(**base), store)
    with pytest.raises(ConfigError, match="PJSIP/alice"):  # nobody to call
        build_asterisk_handoffs(Settings(**base, asterisk_ari_password="pw",
                                         agent_addresses="bob:client:bob"), store)
    with pytest.raises(ConfigError, match="VOICEBOT_ASTERISK_QUEUE"):
        build_asterisk_handoffs(Settings(**base, asterisk_ari_password="pw",
                                         asterisk_handoff="queue"), store)
    queue = build_asterisk_handoffs(Settings(**base, asterisk_ari_password="pw",
                                             asterisk_handoff="queue",
                                             asterisk_queue="agents,s,1"), store)
    assert queue is not None and queue.mode == "queue"


def test_an_ari_password_in_clear_across_the_network_is_an_exposure():
    def problems(url: str) -> list[str]:
        return Settings(asterisk_ari_url=url).exposure_problems()

    assert any("VOICEBOT_ASTERISK_ARI_URL" in p for p in problems("http://10.0.0.5:8088/ari"))
    assert problems("https://pbx.example.com/ari") == []
    assert problems("http://127.0.0.1:8088/ari") == []
    assert problems("http://localhost:8088/ari") == []


async def test_a_call_that_ended_without_a_hand_off_goes_on_in_the_dialplan(recorder, store):
    asterisk = handoffs(recorder, store)
    await asterisk.on_event({"type": "StasisStart", "args": ["call-1"],
                             "channel": {"id": "1700000000.1"}})
    await asterisk.aclose()
    assert requests(recorder) == [
        ("POST", "/channels/1700000000.1/variable",
         {"variable": "VOICEBOT_HANDOFF_RESULT", "value": "none"}),
        ("POST", "/channels/1700000000.1/continue", {}),
    ]
    assert recorder.requests[0].headers["Authorization"].startswith("Basic ")


async def test_a_handed_off_caller_rings_until_an_agent_answers(recorder, store, make_packet):
    asterisk = handoffs(recorder, store)
    packet = store.add(make_packet(call_id="call-2"))
    asterisk.expect(packet.id, "call-2")  # the bot is saying its last words
    assert asterisk.owns(packet.id)
    result = await asterisk.transfer(packet, call_sid="call-2")
    assert result.watch and result.action == "asterisk-agent"
    await asterisk.on_event({"type": "StasisStart", "args": ["call-2"],
                             "channel": {"id": "1700000000.2"}})
    assert requests(recorder) == [
        ("POST", "/channels/1700000000.2/variable",
         {"variable": "VOICEBOT_HANDOFF", "value": packet.id}),
        ("POST", "/channels/1700000000.2/ring", {}),
    ]
    # The agent who accepts is called at their endpoint, into the application.
    recorder.requests.clear()
    taken = await asterisk.connector.accept(packet.id, "alice")
    attempt = taken.connection["attempt"]
    [(method, path, query)] = requests(recorder)
    assert (method, path) == ("POST", "/channels")
    assert query["endpoint"] == "PJSIP/alice" and query["app"] == "voicebot"
    assert query["appArgs"] == f"agent,{packet.id},{attempt}"
    assert taken.connection["call_sid"] == query["channelId"]
    # They answer: both go in the hand-off's bridge, the ringing stops.
    recorder.requests.clear()
    await asterisk.on_event({"type": "StasisStart", "args": ["agent", packet.id, attempt],
                             "channel": {"id": query["channelId"]}})
    bridge = f"voicebot-{packet.id}"
    assert [(m, p) for m, p, _ in requests(recorder)] == [
        ("POST", "/bridges"), ("POST", f"/bridges/{bridge}/addChannel"),
        ("DELETE", "/channels/1700000000.2/ring")]
    assert requests(recorder)[1][2] == {"channel": f"1700000000.2,{query['channelId']}"}
    assert store.get(packet.id).connection["state"] == "connected"
    # The agent hangs up when they are done: so is the caller's call.
    recorder.requests.clear()
    await asterisk.on_event({"type": "StasisEnd", "channel": {"id": query["channelId"]}})
    assert store.get(packet.id).connection["state"] == "ended"
    assert ("DELETE", "/channels/1700000000.2", {"reason": "normal"}) in requests(recorder)
    await asterisk.aclose()


async def test_an_agent_who_does_not_answer_puts_it_back(recorder, store, make_packet):
    asterisk = handoffs(recorder, store)
    packet = store.add(make_packet(call_id="call-3"))
    await asterisk.transfer(packet, call_sid="call-3")
    taken = await asterisk.connector.accept(packet.id, "alice")
    await asterisk.on_event({"type": "ChannelDestroyed", "cause": 17,
                             "channel": {"id": taken.connection["call_sid"]}})
    again = store.get(packet.id)
    assert again.status == "waiting" and again.connection["state"] == "missed"
    assert again.connection["detail"] == "busy"
    await asterisk.aclose()


async def test_queue_mode_sends_the_caller_on_with_the_handoff_id(recorder, store, make_packet):
    asterisk = handoffs(recorder, store, mode="queue",
                        queue=DialplanLocation.parse("agents,s,1", "X"))
    packet = store.add(make_packet(call_id="call-4"))
    result = await asterisk.transfer(packet, call_sid="call-4")
    assert not result.watch  # the queue's own timeout is the fallback
    await asterisk.on_event({"type": "StasisStart", "args": ["call-4"],
                             "channel": {"id": "1700000000.4"}})
    assert requests(recorder) == [
        ("POST", "/channels/1700000000.4/variable",
         {"variable": "VOICEBOT_HANDOFF", "value": packet.id}),
        ("POST", "/channels/1700000000.4/variable",
         {"variable": "VOICEBOT_HANDOFF_RESULT", "value": "queue"}),
        ("POST", "/channels/1700000000.4/continue",
         {"context": "agents", "extension": "s", "priority": "1"}),
    ]
    # Its leaving Stasis on the service's word is no hang-up.
    await asterisk.on_event({"type": "StasisEnd", "channel": {"id": "1700000000.4"}})
    assert store.get(packet.id).status == "waiting"
    await asterisk.aclose()


async def test_a_caller_who_never_reached_stasis_cannot_fall_back(recorder, store, make_packet):
    asterisk = handoffs(recorder, store)
    packet = store.add(make_packet(call_id="call-5"))
    await asterisk.transfer(packet, call_sid="call-5")
    with pytest.raises(AriError, match="never reached Stasis") as error:
        await asterisk.fallback(packet, call_sid="call-5")
    assert not error.value.retryable
    await asterisk.aclose()


async def test_asterisk_refusing_or_unreachable_is_an_engine_error(recorder, store):
    recorder.reply(404, {"message": "Channel not found"})
    asterisk = handoffs(recorder, store)
    await asterisk.end_agent_call("gone", ringing=True, language="en")  # already gone: fine
    recorder.reply(409, {"message": "Channel not in Stasis application"})
    with pytest.raises(AriError, match="HTTP 409: Channel not in Stasis") as refused:
        await asterisk.ari.request("POST", "/channels/x/continue")
    assert not refused.value.retryable
    await asterisk.aclose()
    down = AriClient("http://127.0.0.1:9/ari", "u", "p", "voicebot")
    with pytest.raises(AriError, match="could not reach") as unreachable:
        await down.ping()
    assert unreachable.value.retryable
    await down.aclose()


async def test_callers_left_holding_by_an_earlier_run_are_sent_on(recorder, store):
    recorder.reply(200, {"name": "voicebot", "channel_ids": ["1700000000.9",
                                                              "voicebot-agent-abc"]})
    asterisk = handoffs(recorder, store,
                        fallback_to=DialplanLocation.parse("messages,s,1", "X"))
    await asterisk.adopt_orphans()
    await asterisk.aclose()
    assert requests(recorder) == [
        ("GET", "/applications/voicebot", {}),
        ("POST", "/channels/1700000000.9/variable",
         {"variable": "VOICEBOT_HANDOFF_RESULT", "value": "fallback"}),
        ("POST", "/channels/1700000000.9/continue",
         {"context": "messages", "extension": "s", "priority": "1"}),
        ("DELETE", "/channels/voicebot-agent-abc", {"reason": "normal"}),
    ]


async def test_what_is_over_is_forgotten(recorder, store, make_packet, clock):
    """A caller sent on, or who never reached Stasis (hung up during the bot's last
    words), is no longer the Asterisk side's: an agent who accepts calls them back."""
    asterisk = handoffs(recorder, store, clock=clock)
    gone = store.add(make_packet(call_id="call-6"))
    asterisk.expect(gone.id, "call-6")
    await clock.run_for(601)
    later = store.add(make_packet(call_id="call-7"))
    asterisk.expect(later.id, "call-7")
    assert not asterisk.owns(gone.id) and asterisk.owns(later.id)
    await asterisk.transfer(later, call_sid="call-7")
    await asterisk.on_event({"type": "StasisStart", "args": ["call-7"],
                             "channel": {"id": "1700000000.7"}})
    await asterisk.fallback(store.mark(later.id, "fallback"), call_sid="call-7")
    assert not asterisk.owns(later.id)
    await asterisk.aclose()
