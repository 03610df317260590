"""chan_websocket against the running service over real sockets: a peer written here
speaks the documented protocol to ``WS /asterisk/media`` (what ``Dial(WebSocket/...)``
connects) and a call runs on engines that need no models. Real Asterisk comes later,
with the test rig."""

from __future__ import annotations

import asyncio
import json
import time

import httpx
import pytest
from asterisk_support import (
    SECRET,
    FakeChanWebsocket,
    basic_auth,
    caller_tone,
    eventually,
    hang_up,
    running,
    tone_engines,
    ulaw_frames,
)
from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed, InvalidStatus

from voicebot.settings import Settings
from voicebot.web.app import create_app

PLAIN_START = ("MEDIA_START connection_id:0b5d6f7e-1111-4222-8333-944455556666 "
               "channel:WebSocket/voicebot/0x7f00 channel_id:pbx1-1767000000.7 format:ulaw "
               "optimal_frame_size:160 ptime:20")


@pytest.fixture
async def service(tmp_path):
    settings = Settings(home=tmp_path, llm_backend="none", asterisk_secret=SECRET,  # type: ignore[arg-type]
                        max_calls=2)
    engines = tone_engines()
    app = create_app(settings, engines=engines)
    async with running(app) as address:
        yield app.state.service, address
    await asyncio.sleep(0.1)
    app.state.service.database.dispose()
    engines.stt_pool.shutdown()
    engines.tts_pool.shutdown()


def media_url(address: str, query: str = "") -> str:
    return f"ws://{address}/asterisk/media{query}"


async def test_a_connection_without_the_secret_is_refused_before_the_upgrade(service):
    state, address = service
    for headers in ({}, basic_auth("wrong-secret-000000"), {"Authorization": "Bearer nope"}):
        with pytest.raises(InvalidStatus) as refused:
            await connect(media_url(address), additional_headers=headers)
        assert refused.value.response.status_code == 403
    assert state.calls.held == 0


async def test_without_a_secret_set_nothing_gets_in(tmp_path):
    app = create_app(Settings(home=tmp_path, llm_backend="none"),  # type: ignore[arg-type]
                     engines=tone_engines())
    async with running(app) as address:
        with pytest.raises(InvalidStatus):
            await connect(media_url(address), additional_headers=basic_auth())
        async with httpx.AsyncClient() as client:
            reply = await client.post(f"http://{address}/asterisk/calls",
                                      headers={"Authorization": f"Bearer {SECRET}"},
                                      data={"uuid": "0b5d6f7e-1111-4222-8333-944455556666"})
        assert reply.status_code == 401
    app.state.service.database.dispose()


async def test_a_call_plays_marks_barges_in_takes_keys_and_ends_when_asterisk_hangs_up(
        service):
    state, address = service
    ws = await connect(media_url(address, "?creditor=northwind-energy&language=fr"),
                       additional_headers=basic_auth(), subprotocols=["media"])
    assert ws.subprotocol == "media"
    asterisk = FakeChanWebsocket(ws)
    await ws.send(PLAIN_START)
    asterisk.start()
    # Plain text: the service asks whether this Asterisk answers marks.
    await eventually(lambda: "MARK_MEDIA voicebot-probe" in asterisk.names())
    await eventually(lambda: state.calls.held == 1 and len(state.calls) == 1)
    session = next(iter(state.calls.values()))
    assert session.call_id == "pbx1-1767000000.7"
    assert session.language == "fr" and session.dialogue.policy.id == "northwind-energy"

    # The greeting arrives in whole 160-byte frames, near real time (the speaker stays
    # 0.4 s ahead at most; Asterisk times the rest).
    await eventually(lambda: len(asterisk.audio) > 0, within=10)
    first = asterisk.audio[0][0]
    await asyncio.sleep(1.0)
    arrived = [frame for at, frame in asterisk.audio if at <= first + 1.0]
    assert all(len(frame) == 160 for frame in arrived)
    assert 40 <= len(arrived) <= 80, len(arrived)
    # Marks go to Asterisk and come back when the audio before them played.
    await eventually(lambda: any(c.startswith("MARK_MEDIA u1.") for c in asterisk.names()),
                     within=10)

    # The caller talks over the greeting: the service tells Asterisk to drop its queue.
    before = len(asterisk.names())
    asterisk.caller += ulaw_frames(caller_tone(1.5))
    await eventually(lambda: "FLUSH_MEDIA" in asterisk.names()[before:], within=3)
    assert any(kind == "barge_in" or kind == "hold" for _, kind, _ in session.events)

    # Keys (DTMF_END) are taken as an entry.
    await asyncio.sleep(1.0)
    await ws.send("DTMF_END digit:4 channel_id:pbx1-1767000000.7")
    await ws.send("DTMF_END digit:# channel_id:pbx1-1767000000.7")
    await eventually(lambda: any(kind == "keypad" for _, kind, _ in session.events))

    # Asterisk hangs up (it closes the WebSocket): the call ends, its slot is free.
    await asterisk.stop()
    await ws.close()
    await eventually(lambda: session.ended and state.calls.held == 0)
    assert state.finished[-1]["call_id"] == "pbx1-1767000000.7"
    record = state.records.call("pbx1-1767000000.7")
    assert record is not None and record["carrier"] == "asterisk-websocket"
    async with httpx.AsyncClient() as client:
        metrics = (await client.get(f"http://{address}/metrics")).text
    assert 'voicebot_carrier_calls_total{carrier="asterisk-websocket"} 1.0' in metrics


async def test_json_control_messages_and_channel_variables(service):
    state, address = service
    ws = await connect(media_url(address), additional_headers={"Authorization":
                                                                f"Bearer {SECRET}"})
    asterisk = FakeChanWebsocket(ws, json=True)
    await ws.send(json.dumps({
        "event": "MEDIA_START", "connection_id": "0b5d6f7e-1111-4222-8333-944455556666",
        "channel": "WebSocket/voicebot/0x7f00", "channel_id": "pbx1-1767000000.8",
        "format": "ulaw", "optimal_frame_size": 160, "ptime": 20,
        "channel_variables": {"VOICEBOT_CREDITOR": "contoso-bank", "VOICEBOT_LANGUAGE": "en"},
    }))
    asterisk.start()
    await eventually(lambda: len(state.calls) == 1)
    session = next(iter(state.calls.values()))
    assert session.dialogue.policy.id == "contoso-bank"
    await eventually(lambda: any('"MARK_MEDIA"' in c for c in asterisk.names()), within=10)
    assert all(json.loads(c)["command"] for c in asterisk.names())  # no plain text, no probe
    await eventually(lambda: any(p.played for p in session.speaker.current.pieces), within=15)
    await asterisk.stop()
    await ws.close()
    await eventually(lambda: state.calls.held == 0)


@pytest.mark.parametrize(("first", "code"), [
    (b"\xff" * 160, 1002),  # media before MEDIA_START
    ("DTMF_END digit:1", 1002),
    (PLAIN_START.replace("format:ulaw", "format:alaw"), 1003),
    (PLAIN_START.replace("optimal_frame_size:160", "optimal_frame_size:320"), 1003),
    ("{broken json", 1007),
])
async def test_malformed_input_is_refused_with_a_close_code_and_frees_the_slot(
        service, first, code):
    state, address = service
    ws = await connect(media_url(address), additional_headers=basic_auth())
    await ws.send(first)
    with pytest.raises(ConnectionClosed) as closed:
        while True:
            await asyncio.wait_for(ws.recv(), 5)
    assert closed.value.rcvd is not None and closed.value.rcvd.code == code
    await eventually(lambda: state.calls.held == 0)
    assert state.calls.max_calls == 2  # and the service takes the next call
    ws = await connect(media_url(address), additional_headers=basic_auth())
    await ws.send(PLAIN_START)
    await eventually(lambda: len(state.calls) == 1)
    await hang_up(ws)
    await eventually(lambda: state.calls.held == 0)


async def test_the_service_hangs_up_with_hangup_when_it_stops(service):
    """SIGTERM: the call in progress is handed over (here: kept for a call-back, as
    Asterisk calls cannot be transferred yet), then the service sends HANGUP."""
    state, address = service
    ws = await connect(media_url(address), additional_headers=basic_auth())
    asterisk = FakeChanWebsocket(ws)
    await ws.send(PLAIN_START)
    asterisk.start()
    await eventually(lambda: len(state.calls) == 1)
    started = time.monotonic()
    await state.drain(1.0)
    assert time.monotonic() - started < 30
    assert "HANGUP" in asterisk.names()
    await eventually(lambda: asterisk.closed == 1000)
    assert state.calls.held == 0
    [packet] = state.handoffs.store.list()
    assert packet.call_id == "pbx1-1767000000.7" and packet.status == "fallback"
    # The call ended for the session's reason, though the reader saw the line close first.
    assert state.records.call("pbx1-1767000000.7")["end_reason"] == "handoff:service_restart"
    await asterisk.stop()
