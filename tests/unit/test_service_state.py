import datetime as dt
from pathlib import Path
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import pytest

from voicebot.clock import FakeClock
from voicebot.errors import ConfigError
from voicebot.settings import Settings
from voicebot.web.app import ServiceState


@pytest.fixture(scope="module")
def state():
    return ServiceState(Settings.from_env({}), engines=None)


def test_greeting_uses_the_creditor_name_from_its_policy(state):
    assert state.creditor_name("northwind-energy") == "Northwind Energy"
    assert state.creditor_name("unknown-co") == "Unknown Co"


@pytest.mark.parametrize(
    ("params", "language"),
    [
        ({"creditor": "northwind-energy"}, "fr"),  # the creditor's first language
        ({"creditor": "acme-telecom"}, "en"),
        ({"creditor": "acme-telecom", "account": "300400"}, "fr"),  # the account's language
        ({"creditor": "northwind-energy", "language": "en"}, "en"),  # asked for wins
        ({"creditor": "acme-telecom", "language": "de"}, "en"),  # unsupported: default
        ({}, "en"),
    ],
)
def test_call_language(state, params, language):
    assert state.call_language(params) == language


def test_broken_policy_stops_start_up_with_the_file_and_field(tmp_path: Path):
    (tmp_path / "bad.yaml").write_text("id: bad\nname: Bad\n")
    with pytest.raises(ConfigError, match=r"bad.yaml"):
        ServiceState(Settings.from_env({}, policies_dir=tmp_path), engines=None)


def _request(headers: dict[str, str]):
    from starlette.requests import Request

    return Request({"type": "http", "method": "POST", "path": "/twilio/voice", "scheme": "http",
                    "headers": [(k.lower().encode(), v.encode()) for k, v in headers.items()],
                    "query_string": b"", "server": ("127.0.0.1", 8080)})


def test_stream_url_behind_a_tls_proxy_and_with_a_public_url():
    from voicebot.web.app import stream_url

    behind_proxy = _request({"host": "127.0.0.1:8080", "x-forwarded-proto": "https",
                             "x-forwarded-host": "bot.example.com"})
    proxied = Settings.from_env({"VOICEBOT_TRUST_FORWARDED_HEADERS": "true"})
    assert stream_url(behind_proxy, proxied) == "wss://bot.example.com/twilio/stream"
    # Not told of a proxy: the forwarded headers are anyone's, and are ignored.
    assert stream_url(behind_proxy, Settings.from_env({})) == "ws://127.0.0.1:8080/twilio/stream"
    plain = _request({"host": "127.0.0.1:8080"})
    assert stream_url(plain, Settings.from_env({})) == "ws://127.0.0.1:8080/twilio/stream"
    public = Settings.from_env({}, public_url="https://voice.example.org/")
    assert stream_url(plain, public) == "wss://voice.example.org/twilio/stream"


def test_a_calls_today_is_the_debtors_date_on_the_service_clock(tmp_path):
    # Account 100200 lives in Los Angeles: 23:59:59 there on the 2nd is the 3rd in UTC.
    clock = FakeClock(wall=dt.datetime(2026, 12, 2, 23, 59, 59,
                                       tzinfo=ZoneInfo("America/Los_Angeles")))
    engines = SimpleNamespace(llm=None, intents=None)
    state = ServiceState(Settings.from_env({}, home=tmp_path), engines=engines,  # type: ignore[arg-type]
                         clock=clock)
    params = {"creditor": "acme-telecom", "account": "100200"}
    dialogue, _ = state.new_dialogue(dict(params))
    assert dialogue.today == dt.date(2026, 12, 2)
    clock.advance(2)
    dialogue, _ = state.new_dialogue(dict(params))
    assert dialogue.today == dt.date(2026, 12, 3)
    # A call on a clock of its own (a replay's) takes its date from that clock.
    own = FakeClock(wall=dt.datetime(2027, 6, 1, 12, 0, tzinfo=dt.UTC))
    dialogue, _ = state.new_dialogue(dict(params), clock=own)
    assert dialogue.today == dt.date(2027, 6, 1)
