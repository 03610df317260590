"""A restart callers do not notice: SIGTERM to a real server process during a live call.

The service stops taking calls at once (health, readiness and the voice webhook say so),
lets the caller hear the sentence in progress to its end, then hands them to a person
with the call's packet, and exits once the call has been moved.
"""

from __future__ import annotations

import asyncio
import json
import signal
import sqlite3
import time

import httpx
import pytest

from tests.conftest import (
    TWILIO_TOKEN,
    free_port,
    launch_server,
    wait_until_healthy,
)
from tests.e2e.helpers import call, new_call_sid, transcribe
from voicebot.web.security import twilio_signature

pytestmark = [pytest.mark.e2e, pytest.mark.models]

DRAIN_SECONDS = 20


@pytest.fixture
def stopping_server(model_paths, tmp_path, twilio_recorder, monkeypatch):
    monkeypatch.setenv("VOICEBOT_DRAIN_SECONDS", str(DRAIN_SECONDS))
    srv = wait_until_healthy(launch_server(free_port(), tmp_path, twilio_recorder.url))
    yield srv
    if srv.process.poll() is None:
        srv.process.kill()
        srv.process.wait()


def _signed_voice_webhook(srv) -> httpx.Response:
    url = f"{srv.http}/twilio/voice?creditor=acme-telecom&account=100200"
    form = {"CallSid": new_call_sid(), "From": "+15551230000", "To": "+15559870000"}
    return httpx.post(url, data=form, timeout=10, headers={
        "X-Twilio-Signature": twilio_signature(TWILIO_TOKEN, url, form)})


async def _wait_for_log(srv, text: str, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while text not in srv.log():
        assert time.monotonic() < deadline, f"never logged {text!r}:\n{srv.log()[-3000:]}"
        await asyncio.sleep(0.05)


async def test_sigterm_during_a_call_hands_the_caller_over_without_cutting_a_sentence(
        stopping_server, twilio_recorder, recognizer, tmp_path):
    srv = stopping_server
    transfers_before = len(twilio_recorder.requests)
    reply = tmp_path / "reply.wav"
    # The caller listens and says nothing; the greeting (with the reference read back)
    # takes about eight seconds to say.
    call_sid = new_call_sid()
    caller = asyncio.create_task(call(srv.ws, [{"wait": 45}],
                                      {"creditor": "acme-telecom", "account": "100200"},
                                      out=reply, call_sid=call_sid))
    await _wait_for_log(srv, f"call {call_sid} started")
    await asyncio.sleep(2.0)  # the greeting is being said
    signalled = time.monotonic()
    srv.process.send_signal(signal.SIGTERM)
    await _wait_for_log(srv, "SIGTERM received")

    # Taking no new calls, and saying so, while the call goes on.
    async with httpx.AsyncClient(base_url=srv.http, timeout=5) as http:
        health = await http.get("/healthz")
        assert health.status_code == 503 and health.json()["status"] == "draining"
        ready = await http.get("/readyz")
        assert ready.status_code == 503 and ready.json()["status"] == "draining"
        assert (await http.get("/livez")).status_code == 200
    refused = await asyncio.to_thread(_signed_voice_webhook, srv)
    assert refused.status_code == 503 and refused.headers["Retry-After"]

    # The call was moved to a person, through the carrier, well within the deadline.
    await asyncio.wait_for(caller, timeout=60)
    exit_code = await asyncio.to_thread(srv.process.wait, DRAIN_SECONDS + 30)
    assert exit_code == 0, srv.log()[-3000:]
    assert time.monotonic() - signalled < DRAIN_SECONDS + 10
    moved = [r for r in twilio_recorder.requests[transfers_before:]
             if r["path"].endswith(f"/Calls/{call_sid}.json")]
    assert moved and "<Enqueue" in moved[0]["form"]["Twiml"], twilio_recorder.requests

    # What the caller heard: the whole greeting, then the hand-over.
    heard = transcribe(recognizer, reply, "en").lower()
    assert "is that right" in heard, heard
    assert "colleague" in heard and heard.index("colleague") > heard.index("is that right")

    # The packet and the call's record were kept before the process exited.
    with sqlite3.connect(tmp_path / "voicebot.db") as db:
        [(packet, status)] = db.execute(
            "SELECT packet, status FROM handoffs WHERE call_id = ?", (call_sid,)).fetchall()
        [(end_reason,)] = db.execute("SELECT end_reason FROM calls WHERE id = ?",
                                     (call_sid,)).fetchall()
    assert json.loads(packet)["reason"] == "service_restart", status
    assert end_reason == "handoff:service_restart"
    log = srv.log()
    assert "every call handed over or ended; stopping" in log
    assert "1012" not in log  # no stream closed by uvicorn's own shutdown
