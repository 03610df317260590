"""Bad input from a carrier: a clear log line, the right close code, and the
process and every other call carry on."""

from __future__ import annotations

import asyncio
import base64
import json

import httpx
import numpy as np
import pytest
from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed

from tests.conftest import TWILIO_TOKEN
from tests.e2e.helpers import call, event_times, new_call_sid, twiml_parameters
from voicebot.web.security import twilio_signature

pytestmark = [pytest.mark.e2e]

START = {
    "event": "start", "sequenceNumber": "1", "streamSid": "MZbad",
    "start": {"streamSid": "MZbad", "accountSid": "AC1", "callSid": "CAbad",
              "tracks": ["inbound"], "customParameters": {"creditor": "acme-telecom"},
              "mediaFormat": {"encoding": "audio/x-mulaw", "sampleRate": 8000, "channels": 1}},
}


def media(payload: bytes = b"\xff" * 160) -> str:
    return json.dumps({"event": "media", "streamSid": "MZbad",
                       "media": {"track": "inbound", "chunk": "1", "timestamp": "20",
                                 "payload": base64.b64encode(payload).decode()}})


async def close_code_after(url: str, frames: list[str | bytes]) -> tuple[int, str]:
    async with connect(url, max_size=None) as ws:
        for frame in frames:
            await ws.send(frame)
        try:
            while True:
                await asyncio.wait_for(ws.recv(), timeout=10)
        except ConnectionClosed as closed:
            assert closed.rcvd is not None
            return closed.rcvd.code, closed.rcvd.reason
    raise AssertionError("connection stayed open")


CONNECTED = json.dumps({"event": "connected", "protocol": "Call", "version": "1.0.0"})
WRONG_FORMAT = json.loads(json.dumps(START))
WRONG_FORMAT["start"]["mediaFormat"]["sampleRate"] = 16000
SIGNED = "a start with the token its webhook made"  # filled in per test


async def signed_start(server, template: dict = START, name: str = "bad") -> str:
    """``template`` as a start Twilio would send for a call placed through the webhook."""
    call_sid = new_call_sid()
    frame = json.loads(json.dumps(template).replace("MZbad", f"MZ{name}"))
    frame["start"]["callSid"] = call_sid
    frame["start"]["customParameters"] = await twiml_parameters(server.ws, call_sid,
                                                          {"creditor": "acme-telecom"})
    return json.dumps(frame)


@pytest.mark.parametrize(
    ("frames", "code", "logged"),
    [
        ([CONNECTED, "{this is not json"], 1007, "frame is not valid JSON"),
        ([CONNECTED, media()], 1002, "'media' before 'start'"),
        ([CONNECTED, json.dumps(WRONG_FORMAT)], 1003, "unsupported media format"),
        ([CONNECTED, json.dumps(START)], 1008, "refused: no call token"),
        ([CONNECTED, SIGNED, b"\x00\x01binary"], 1003, "binary frame"),
        ([CONNECTED, SIGNED, media(b"\xff" * 20_000)], 1009, "byte limit"),
        ([CONNECTED, SIGNED, json.dumps({"event": "media", "media": {}})], 1007,
         "media.payload is missing"),
    ],
    ids=["malformed-json", "media-before-start", "wrong-format", "no-token", "binary",
         "oversized", "missing-payload"],
)
async def test_bad_frames_close_with_a_code_and_a_log_line(server, frames, code, logged):
    frames = [await signed_start(server) if frame is SIGNED else frame for frame in frames]
    got, _reason = await close_code_after(server.ws, frames)
    assert got == code
    if logged:
        await asyncio.sleep(0.2)
        assert logged in server.log()
    assert server.health()["status"] == "ok"


async def test_unknown_events_are_logged_and_the_call_goes_on(server):
    async with connect(server.ws) as ws:
        await ws.send(CONNECTED)
        await ws.send(await signed_start(server))
        await ws.send(json.dumps({"event": "mystery", "x": 1}))
        for _ in range(10):
            await ws.send(media())
        greeting = json.loads(await asyncio.wait_for(ws.recv(), timeout=10))
        assert greeting["event"] == "media"
    await asyncio.sleep(0.2)
    assert "ignoring unknown Media Streams event 'mystery'" in server.log()


async def test_a_vanishing_caller_and_a_flood_of_bad_clients_leave_other_calls_alone(server):
    good = asyncio.create_task(call(server.ws, [{"wait": 7.0}], {"creditor": "acme-telecom"}))
    await asyncio.sleep(1.0)

    # A caller who disappears mid-call without a stop frame or a close handshake.
    ws = await connect(server.ws)
    await ws.send(CONNECTED)
    gone = await signed_start(server, name="gone")
    await ws.send(gone)
    for _ in range(25):
        await ws.send(media())
    ws.transport.abort()

    bad = [close_code_after(server.ws, [CONNECTED, "{{{"]) for _ in range(5)]
    codes = await asyncio.gather(*bad)
    assert {code for code, _ in codes} == {1007}

    report = await good
    assert not report.result.violations
    media_times = np.array(event_times(report, "media_received"))
    # The good call's greeting played without a hiccup while all that went on.
    assert media_times.max() > 6.0
    assert np.max(np.diff(media_times[media_times > 1.0])) < 0.5
    await asyncio.sleep(0.5)
    gone_sid = json.loads(gone)["start"]["callSid"]
    assert gone_sid in server.log() and "vanished mid-call" in server.log()
    health = server.health()
    assert health["status"] == "ok" and health["active_calls"] == 0


async def test_odd_characters_in_the_call_parameters_still_get_a_greeting(server):
    # "²³" is a digit to str.isdigit() but not to int(): it once closed the call with 1011.
    report = await call(server.ws, [{"wait": 4.0}],
                        {"creditor": "acme-telecom", "account": "²³\u202e", "language": "e\x01n"})
    assert not report.result.violations
    assert report.result.time_to_first_audio_s is not None
    assert "unexpected failure" not in server.log()


def test_voice_webhook_answers_with_twiml(server):
    form = {"CallSid": "CA9", "From": "+15551230000", "To": "+15559870000"}
    path = "/twilio/voice?creditor=contoso-bank&account=500600"
    forwarded = {"X-Forwarded-Proto": "https", "X-Forwarded-Host": "bot.example.com"}
    # Twilio signs the URL it called: the service's public URL (set for the test server).
    signed = twilio_signature(TWILIO_TOKEN, f"{server.http}{path}", form)
    unsigned = httpx.post(f"{server.http}{path}", data=form, headers=forwarded)
    assert unsigned.status_code == 403  # a forged webhook gets nothing
    forged = httpx.post(f"{server.http}{path}", data={**form, "From": "+15550000000"},
                        headers={**forwarded, "X-Twilio-Signature": signed})
    assert forged.status_code == 403
    response = httpx.post(f"{server.http}{path}", data=form,
                          headers={**forwarded, "X-Twilio-Signature": signed})
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/xml")
    body = response.text
    # The public URL wins over forwarded headers for the stream's address.
    assert f'<Stream url="ws://127.0.0.1:{server.port}/twilio/stream">' in body
    assert '<Parameter name="creditor" value="contoso-bank"/>' in body
    assert '<Parameter name="account" value="500600"/>' in body
    assert '<Parameter name="language" value="en"/>' in body
