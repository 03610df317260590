"""Packets, stores and a loopback stand-in for Twilio's REST API."""

from __future__ import annotations

import datetime as dt
import json
import threading
import time
from collections.abc import Iterator
from decimal import Decimal
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from handoff_support import CALL_SID, Recorded, Recorder, card_redact

from tests.unit.virtual_time import VirtualClock
from voicebot.handoff import HandoffPacket, HandoffStore, build_packet
from voicebot.policy import Ask, decide, load_policies
from voicebot.settings import Settings


@pytest.fixture(scope="session")
def policy():
    return load_policies(Settings().policies_dir)["acme-telecom"]


@pytest.fixture(scope="session")
def decision(policy):
    return decide(policy, Decimal("480"), dt.date(2026, 11, 26), Ask(amount=Decimal("100")))


@pytest.fixture
def make_packet(decision):
    def make(**overrides: Any) -> HandoffPacket:
        values: dict[str, Any] = dict(
            call_id=CALL_SID, creditor_id="acme-telecom", creditor_name="Acme Telecom",
            language="en", reason="payment", account_reference="100200",
            account_name="Jane Doe", verified=True, decision=decision.as_dict(), agreed=True,
            transcript=[{"speaker": "bot", "text": "Hello.", "at": 0.5},
                        {"speaker": "caller", "text": "A hundred a month.", "at": 30.0}],
            call_started=dt.datetime(2026, 11, 26, 15, 0, 0, tzinfo=dt.UTC),
            handoff_requested=dt.datetime(2026, 11, 26, 15, 1, 15, tzinfo=dt.UTC),
            turns=9, turn_ms=[800.0, 900.0, 1000.0],
        )
        values.update(overrides)
        return build_packet(**values)

    return make


@pytest.fixture
def store(tmp_path) -> Iterator[HandoffStore]:
    store = HandoffStore(tmp_path / "handoffs.db", redact=card_redact)
    yield store
    store.close()


@pytest.fixture
def clock() -> VirtualClock:
    """Virtual time that passes only when a test passes it (``run_for``); its wall
    time starts at 2026-01-15 12:00 UTC."""
    return VirtualClock()


@pytest.fixture
def clocked_store(tmp_path, clock) -> Iterator[HandoffStore]:
    """A store dated by ``clock``; a fallback policy over it counts on that clock."""
    store = HandoffStore(tmp_path / "handoffs.db", redact=card_redact, clock=clock)
    yield store
    store.close()


# -- a loopback recorder standing in for api.twilio.com ----------------------------------------


@pytest.fixture
def recorder() -> Iterator[Recorder]:
    record = Recorder()
    lock = threading.Lock()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length", "0"))
            body = self.rfile.read(length)
            with lock:
                record.requests.append(Recorded(self.command, self.path, dict(self.headers),
                                                body, time.perf_counter()))
                status, payload = record.replies.pop(0) if record.replies else record.default
            if record.delay:
                time.sleep(record.delay)
            data = json.dumps(payload).encode()
            try:
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)
            except (BrokenPipeError, ConnectionResetError):
                pass  # the client gave up waiting (the timeout test)

        do_DELETE = do_GET = do_POST  # ARI's verbs too: recorded alike

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05},
                              daemon=True)
    thread.start()
    record.url = f"http://127.0.0.1:{server.server_address[1]}"
    yield record
    server.shutdown()
    server.server_close()
