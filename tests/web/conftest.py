"""A real uvicorn server on loopback serving the agent router over a temporary store, or
the service's own app over temporary records."""

from __future__ import annotations

import contextlib
import datetime as dt
import itertools
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import pytest
from fastapi import FastAPI
from web_support import (
    CARD,
    TOKENS,
    Conference,
    conference_settings,
    fake_redact,
    serve,
    stand_in_service,
)

from voicebot.clock import Clock
from voicebot.data import Records
from voicebot.handoff import HandoffPacket, HandoffStore, build_packet
from voicebot.policy import Ask, decide, load_policies
from voicebot.settings import Settings
from voicebot.web.agent import build_agent_router
from voicebot.web.security import AgentAuth


@pytest.fixture(scope="session")
def acme_decision() -> dict[str, Any]:
    policy = load_policies(Settings().policies_dir)["acme-telecom"]
    return decide(policy, Decimal("480"), dt.date(2026, 11, 26),
                  Ask(amount=Decimal("100"))).as_dict()


@pytest.fixture
def make_packet(acme_decision):
    def make(**overrides: Any) -> HandoffPacket:
        values: dict[str, Any] = dict(
            call_id="CA" + "1" * 32, creditor_id="acme-telecom", creditor_name="Acme Telecom",
            language="en", reason="payment", account_reference="100200",
            account_name="Jane Doe", verified=True, decision=acme_decision, agreed=True,
            transcript=[
                {"speaker": "bot", "text": "Hello, this is Acme Telecom's automated assistant.",
                 "at": 0.4},
                {"speaker": "caller", "text": "A hundred dollars a month.", "at": 41.2},
                {"speaker": "caller", "text": f"my card is {CARD}", "at": 60.0},
                {"speaker": "bot", "text": "Let me pass you to a colleague.", "at": 61.0,
                 "interrupted": True},
            ],
            call_started=dt.datetime.now(dt.UTC) - dt.timedelta(seconds=75),
            handoff_requested=dt.datetime.now(dt.UTC), turns=9,
            turn_ms=[820.0, 910.5, 1003.0], redact=fake_redact,
        )
        values.update(overrides)
        return build_packet(**values)

    return make


@dataclass
class Desktop:
    url: str
    store: HandoffStore
    auth: AgentAuth
    tokens: dict[str, str]
    card: str = CARD


@pytest.fixture
def make_desktop(tmp_path) -> Iterator[Callable[..., Desktop]]:
    """Serves the agent router over a new temporary store, dated by ``clock`` (the
    system clock unless given); stopped at the end of the test."""
    numbers = itertools.count(1)
    with contextlib.ExitStack() as stack:
        def make(clock: Clock | None = None) -> Desktop:
            store = HandoffStore(tmp_path / f"handoffs-{next(numbers)}.db",
                                 redact=fake_redact, clock=clock)
            stack.callback(store.close)
            auth = AgentAuth(TOKENS, secret="test-session-secret-0123456789")
            app = FastAPI()
            app.include_router(build_agent_router(store, auth, keepalive_seconds=1.0))
            url = stack.enter_context(serve(app))
            return Desktop(url, store, auth, dict(TOKENS))

        yield make


@pytest.fixture
def desktop(make_desktop) -> Desktop:
    return make_desktop()


@dataclass
class ServiceDesktop:
    """The service's own app: the desktop, the hand-offs and the records in one database."""

    url: str
    records: Records
    store: HandoffStore
    tokens: dict[str, str]


@pytest.fixture
def service_desktop(tmp_path) -> Iterator[ServiceDesktop]:
    settings = Settings(home=tmp_path, llm_backend="none",  # type: ignore[arg-type]
                        agent_tokens=f"alice:{TOKENS['alice']}")
    with stand_in_service(settings) as service:
        state = service.app.state.service
        yield ServiceDesktop(service.http, state.records, state.handoffs.store,
                             {"alice": TOKENS["alice"]})
    state.database.dispose()


@pytest.fixture
def conference(tmp_path, twilio_recorder) -> Iterator[Conference]:
    """The service's own app in conference mode (alice at a client, bob at a number), its
    calls to agents sent to the loopback stand-in for Twilio's REST API."""
    with stand_in_service(conference_settings(tmp_path, twilio_recorder.url)) as service:
        state = service.app.state.service
        yield Conference(service.http, state.handoffs.store, twilio_recorder)
    state.database.dispose()
