"""Shared by the web tests: agent tokens, a stand-in redactor, a loopback uvicorn server."""

from __future__ import annotations

import asyncio
import base64
import datetime as dt
import json
import secrets
import socket
import threading
import time
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from decimal import Decimal
from types import SimpleNamespace
from typing import Any
from urllib.parse import urlsplit

import httpx
import uvicorn
from fastapi import FastAPI
from websockets.asyncio.client import ClientConnection
from websockets.exceptions import ConnectionClosed

from tests.conftest import TWILIO_ACCOUNT, TWILIO_TOKEN, TwilioRecorder
from voicebot.data import Records
from voicebot.data.records import Arrangement, CallStart, Instalment
from voicebot.handoff import HandoffStore
from voicebot.redaction import redact_obj
from voicebot.settings import Settings
from voicebot.telephony.events import AudioReceived, CallStarted
from voicebot.web.app import create_app
from voicebot.web.security import twilio_signature

TOKENS = {"alice": "alice-token-0123456789", "bob": "bob-token-9876543210"}
CARD = "4111 1111 1111 1111"


def fake_redact(value: Any) -> Any:
    """The service's own redaction (card numbers, security codes, IBANs)."""
    return redact_obj(value)


def free_socket() -> socket.socket:
    sock = socket.socket()
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    return sock


@contextmanager
def serve(app: FastAPI, **options: Any) -> Iterator[str]:
    """Run ``app`` with uvicorn in a thread on a free loopback port; yield its URL."""
    sock = free_socket()
    port = sock.getsockname()[1]
    config = uvicorn.Config(app, log_level="warning", lifespan="off",
                            timeout_graceful_shutdown=2, **options)
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("uvicorn did not start")
        time.sleep(0.02)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        sock.close()


# -- media streams against the service's own app, with a stand-in call session ----

CONNECTED = json.dumps({"event": "connected", "protocol": "Call", "version": "1.0.0"})
FRAME = base64.b64encode(b"\xff" * 160).decode()


def start(call_sid: str, stream_sid: str = "MZ1",
          parameters: dict[str, str] | None = None) -> str:
    return json.dumps({
        "event": "start", "sequenceNumber": "1", "streamSid": stream_sid,
        "start": {"streamSid": stream_sid, "accountSid": "AC1", "callSid": call_sid,
                  "tracks": ["inbound"], "customParameters": parameters or {},
                  "mediaFormat": {"encoding": "audio/x-mulaw", "sampleRate": 8000,
                                  "channels": 1}}})


def media(timestamp: int) -> str:
    return json.dumps({"event": "media", "streamSid": "MZ1",
                       "media": {"track": "inbound", "chunk": "1", "timestamp": str(timestamp),
                                 "payload": FRAME}})


@dataclass
class StandInSession:
    """Stands where a call session would be: greets with one frame, counts audio."""

    started: CallStarted
    control: object
    audio: int = 0
    ended: str | None = None
    events: list[object] = field(default_factory=list)

    @property
    def call_id(self) -> str:
        return self.started.call_id

    async def start(self) -> None:
        await self.control.send_audio(b"\xff" * 160)  # type: ignore[attr-defined]

    async def handle(self, event: object) -> None:
        self.audio += isinstance(event, AudioReceived)

    async def close(self, reason: str) -> None:
        self.ended = reason


@dataclass
class Service:
    app: FastAPI
    http: str
    sessions: list[StandInSession]

    @property
    def ws(self) -> str:
        return self.http.replace("http://", "ws://") + "/twilio/stream"

    def health(self) -> dict:
        return httpx.get(f"{self.http}/healthz", timeout=5).json()


@contextmanager
def stand_in_service(settings: Settings, **options: Any) -> Iterator[Service]:
    """The service's own app on loopback, each call session a ``StandInSession``."""
    engines = SimpleNamespace(stt_model="base", voices={}, intents=None)
    app = create_app(settings, engines=engines)  # type: ignore[arg-type]
    state = app.state.service
    sessions: list[StandInSession] = []

    def make_session(started: CallStarted, control: object) -> StandInSession:
        sessions.append(StandInSession(started, control))
        return sessions[-1]

    state.make_session = make_session
    state.session_ended = lambda session: None
    with serve(app, **options) as url:
        yield Service(app, url, sessions)


async def close_code(ws: ClientConnection, within: float = 5.0) -> int | None:
    """The close code the server sends next (None: it sent a frame instead)."""
    try:
        await asyncio.wait_for(ws.recv(), timeout=within)
    except ConnectionClosed as closed:
        return closed.rcvd.code if closed.rcvd else None
    return None


async def answered(ws: ClientConnection) -> bool:
    """True when the stand-in session greeted (one media frame)."""
    message = json.loads(await asyncio.wait_for(ws.recv(), timeout=5))
    return message["event"] == "media"


# -- a call's record, as the service writes it during a call --------------------------

RECORD_STARTED = dt.datetime(2026, 11, 26, 15, 0, tzinfo=dt.UTC)


def seed_call_record(records: Records, call_id: str, *, account: str = "100200",
                     consent: str = "Yes, I agree to that.", flag_detail: str = "") -> None:
    """A finished English call on ``account``: two disclosures (the second cut short), a
    few decisions, an agreed plan read back to the end, a vulnerability flag set on this
    call and an attorney flag set and cleared before it."""
    at = RECORD_STARTED
    creditor = "acme-telecom"
    records.start_call(CallStart(
        call_id=call_id, carrier="twilio", creditor=creditor, language="en", started_at=at,
        account=account, prompt_version="en-7", policy_version="2026-11-01",
        policy_hash="ab" * 32))
    records.add_turn(call_id, 1, "bot", "Hello, this is Acme Telecom's automated assistant.",
                     0.4)
    records.add_turn(call_id, 2, "caller", "Yes, it's Jane.", 3.1)
    records.add_disclosure(call_id, "ai_assistant", "I am an automated assistant.", "m-1",
                           started_at=at + dt.timedelta(seconds=0.4),
                           played_at=at + dt.timedelta(seconds=3.0))
    records.add_disclosure(call_id, "us_debt_collector_notice",
                           "This is an attempt to collect a debt.", "m-2",
                           started_at=at + dt.timedelta(seconds=12), played_at=None)
    for seconds, kind, detail in ((0.0, "start", "language=en prompts=en-7"),
                                  (14.2, "right_party_check", ""),
                                  (52.5, "arrangement_kept", "arr_1"),
                                  (60.0, "handoff", "payment")):
        records.add_decision(call_id, seconds, kind, detail)
    records.set_flag(creditor, account, "attorney", at=at - dt.timedelta(days=30))
    records.clear_flag(creditor, account, "attorney", at=at - dt.timedelta(days=20), by="bob")
    records.set_flag(creditor, account, "vulnerability", at=at + dt.timedelta(seconds=45),
                     call_id=call_id, detail=flag_detail)
    records.save_arrangement(Arrangement(
        call_id=call_id, creditor=creditor, account=account, currency="USD",
        schedule=(Instalment(dt.date(2026, 11, 27), Decimal("48.00")),
                  Instalment(dt.date(2026, 12, 27), Decimal("100.00")),
                  Instalment(dt.date(2027, 1, 27), Decimal("332.00"))),
        kind="instalments", readback="48 dollars on November 27, then 100 dollars ...",
        consent_words=consent, agreed_at=at + dt.timedelta(seconds=50),
        policy_version="2026-11-01", readback_finished_at=at + dt.timedelta(seconds=49)))
    records.finish_call(call_id, at + dt.timedelta(seconds=61), "handoff", {"agreed": True})


# -- conference mode: the service's app with Twilio stood in for on loopback ----------

PUBLIC = "https://bot.example.com"
CALLER_ID = "+15550001111"
CREATE = f"/2010-04-01/Accounts/{TWILIO_ACCOUNT}/Calls.json"


def conference_settings(tmp_path, twilio_api: str, **changes: Any) -> Settings:
    values: dict[str, Any] = dict(
        home=tmp_path, llm_backend="none",
        agent_tokens=",".join(f"{name}:{token}" for name, token in TOKENS.items()),
        twilio_account_sid=TWILIO_ACCOUNT, twilio_auth_token=TWILIO_TOKEN,
        twilio_api_base=twilio_api, public_url=PUBLIC, handoff_mode="conference",
        agent_addresses="alice:client:alice,bob:+15557654321", handoff_caller_id=CALLER_ID)
    values.update(changes)
    return Settings(**values)


@dataclass
class Conference:
    url: str
    store: HandoffStore
    twilio: TwilioRecorder | None  # None: Twilio is out of reach

    def api(self, method: str, path: str, agent: str = "alice") -> httpx.Response:
        return httpx.request(method, f"{self.url}{path}", timeout=10,
                             headers={"Authorization": f"Bearer {TOKENS[agent]}"})

    def accept(self, handoff_id: str, agent: str = "alice") -> httpx.Response:
        return self.api("POST", f"/api/handoffs/{handoff_id}/accept", agent)

    def calls_to_agents(self, handoff_id: str) -> list[dict]:
        assert self.twilio is not None
        return [r for r in self.twilio.requests
                if r["path"] == CREATE and handoff_id in r["form"].get("Url", "")]

    def updates_of(self, call_sid: str) -> list[dict]:
        assert self.twilio is not None
        return [r for r in self.twilio.requests if r["path"].endswith(f"/Calls/{call_sid}.json")]

    def callback(self, url: str, **form: str) -> ET.Element:
        """Twilio requesting ``url`` (as given to it, on the public host), signed."""
        parts = urlsplit(url)
        path = parts.path + (f"?{parts.query}" if parts.query else "")
        signature = twilio_signature(TWILIO_TOKEN, PUBLIC + path, form)
        response = httpx.post(f"{self.url}{path}", data=form, timeout=10,
                              headers={"X-Twilio-Signature": signature})
        assert response.status_code == 200, response.text
        return ET.fromstring(response.text)

    def events(self, handoff_id: str, event: str, call_sid: str) -> None:
        self.callback(f"{PUBLIC}/twilio/handoff/conference-events?handoff_id={handoff_id}",
                      CallSid=call_sid, StatusCallbackEvent=event, AccountSid=TWILIO_ACCOUNT)


def new_call_sid() -> str:
    return "CA" + secrets.token_hex(16)


def waiting_packet(conference: Conference, make_packet, **overrides: Any):
    """A hand-off whose caller holds in its conference (as the bot's transfer left it)."""
    return conference.store.add(make_packet(call_id=new_call_sid(), **overrides))
