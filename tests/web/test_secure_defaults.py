"""Secure by default: no public address without its locks, every stream bound to the
webhook that asked for it, no docs pages, TwiML that always parses, and forwarded
headers honoured only behind a proxy the operator named."""

from __future__ import annotations

import os
import subprocess
import sys
import time
import xml.etree.ElementTree as ET
from pathlib import Path

import httpx
import pytest
from fastapi.testclient import TestClient
from hypothesis import given
from hypothesis import strategies as st
from web_support import CONNECTED, TOKENS, answered, close_code, stand_in_service, start
from websockets.asyncio.client import connect

from tests.twilio_webhook import stream_parameters
from voicebot.errors import ConfigError
from voicebot.handoff.twiml import say
from voicebot.settings import PROJECT_ROOT, Settings
from voicebot.telephony.twiml import connect_stream
from voicebot.web.app import create_app
from voicebot.web.security import CallTokens, TwilioSignatureCheck, twilio_signature

AUTH_TOKEN = "twilio-auth-token-for-tests"
AGENTS = f"alice:{TOKENS['alice']}"


def settings(tmp_path: Path, **values: object) -> Settings:
    return Settings(home=tmp_path, llm_backend="none", **values)  # type: ignore[arg-type]


# -- start-up on an address others can reach ---------------------------------------------


@pytest.mark.parametrize("host", ["0.0.0.0", "::", "192.168.1.20", "10.0.0.5", "bot.example.org"])
def test_a_reachable_address_without_its_locks_is_refused(tmp_path, host):
    with pytest.raises(ConfigError) as refused:
        create_app(settings(tmp_path, host=host))
    message = str(refused.value)
    assert "TWILIO_AUTH_TOKEN" in message and "AGENT_TOKENS" in message and host in message
    # One lock is not enough.
    with pytest.raises(ConfigError, match="AGENT_TOKENS"):
        create_app(settings(tmp_path, host=host, twilio_auth_token=AUTH_TOKEN))
    with pytest.raises(ConfigError, match="TWILIO_AUTH_TOKEN"):
        create_app(settings(tmp_path, host=host, agent_tokens=AGENTS))


@pytest.mark.parametrize("host", ["0.0.0.0", "::"])
def test_a_reachable_address_starts_with_its_locks_or_the_development_flag(tmp_path, host,
                                                                            caplog):
    create_app(settings(tmp_path, host=host, twilio_auth_token=AUTH_TOKEN, agent_tokens=AGENTS))
    create_app(settings(tmp_path, host=host, insecure_dev=True))
    assert "INSECURE development mode" in caplog.text


@pytest.mark.parametrize("host", ["127.0.0.1", "127.0.0.2", "::1", "localhost"])
def test_loopback_needs_no_locks(tmp_path, host):
    create_app(settings(tmp_path, host=host))


def test_serve_refuses_a_public_address_before_loading_anything(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith("VOICEBOT_")}
    env["VOICEBOT_HOME"] = str(tmp_path)
    began = time.monotonic()
    run = subprocess.run([sys.executable, "-m", "voicebot", "serve", "--host", "0.0.0.0",
                          "--port", "9"], env=env, cwd=PROJECT_ROOT, capture_output=True,
                         text=True, timeout=60)
    assert run.returncode == 2
    assert "refusing to serve 0.0.0.0" in run.stderr and "VOICEBOT_INSECURE_DEV" in run.stderr
    assert time.monotonic() - began < 30  # no model was loaded


# -- docs pages ------------------------------------------------------------------------------


@pytest.mark.parametrize("path", ["/docs", "/redoc", "/openapi.json", "/docs/oauth2-redirect"])
def test_docs_pages_are_off_by_default(tmp_path, path):
    # (No lifespan: the routes are all that is looked at, no model is loaded.)
    assert TestClient(create_app(settings(tmp_path))).get(path).status_code == 404
    with_docs = TestClient(create_app(settings(tmp_path, api_docs=True)))
    assert with_docs.get("/openapi.json").status_code == 200


# -- a stream bound to its webhook -----------------------------------------------------------


def fetch_twiml(http: str, call_sid: str, query: str = "?creditor=acme-telecom&account=100200",
                form: dict[str, str] | None = None) -> dict[str, str]:
    """POST the voice webhook as Twilio would (signed); the <Stream> parameters it returns."""
    return stream_parameters(http, call_sid, query, AUTH_TOKEN, form)


@pytest.fixture
def signed(tmp_path):
    with stand_in_service(settings(tmp_path, twilio_auth_token=AUTH_TOKEN,
                                   verify_stream_signature=False,
                                   agent_tokens=AGENTS)) as service:
        yield service


async def stream_answer(service, call_sid: str, parameters: dict[str, str]) -> int | None:
    """Open a stream and start it: None when the call was answered, else the close code."""
    async with connect(service.ws) as ws:
        await ws.send(CONNECTED)
        await ws.send(start(call_sid, f"MZ{call_sid}", parameters))
        code = await close_code(ws, within=5.0)
        return code


async def test_a_stream_from_its_own_webhook_is_answered_once(signed):
    params = fetch_twiml(signed.http, "CA100")
    assert params["token"] and params["account"] == "100200"
    async with connect(signed.ws) as ws:
        await ws.send(CONNECTED)
        await ws.send(start("CA100", "MZ100", params))
        assert await answered(ws)
    assert signed.sessions[-1].started.call_id == "CA100"
    # The same start again (a captured handshake replayed after the call): refused.
    assert await stream_answer(signed, "CA100", params) == 1008
    assert len(signed.sessions) == 1


@pytest.mark.parametrize("change", ["callSid", "account", "creditor", "language", "caller",
                                    "token", "no token", "expiry"])
async def test_a_stream_that_is_not_its_webhooks_is_refused(signed, change, caplog):
    params = fetch_twiml(signed.http, "CA200")
    call_sid = "CA200"
    if change == "callSid":
        call_sid = "CA201"  # someone else's call, to be moved by a transfer
    elif change == "no token":
        del params["token"]
    elif change == "token":
        params["token"] = params["token"][:-2] + "AA"
    elif change == "expiry":
        expires, _, mac = params["token"].partition(".")
        params["token"] = f"{int(expires) + 3600}.{mac}"
    else:
        params[change] = {"account": "500600", "creditor": "contoso-bank", "language": "fr",
                          "caller": "+15559999999"}[change]
    assert await stream_answer(signed, call_sid, params) == 1008
    assert not signed.sessions
    assert "refused" in caplog.text
    # The real call still gets in: a forged start did not take its callSid.
    good = fetch_twiml(signed.http, "CA201")
    async with connect(signed.ws) as ws:
        await ws.send(CONNECTED)
        await ws.send(start("CA201", "MZ201", good))
        assert await answered(ws)


def test_an_unsigned_webhook_gets_no_twiml(signed):
    response = httpx.post(f"{signed.http}/twilio/voice", data={"CallSid": "CA1"}, timeout=10)
    assert response.status_code == 403


def test_call_tokens_expire_and_are_spent():
    now = [1_000.0]
    tokens = CallTokens(AUTH_TOKEN, lifetime=120, clock=lambda: now[0])
    params = {"creditor": "acme-telecom", "account": "100200"}
    token = tokens.issue("CA1", params)
    assert AUTH_TOKEN not in token
    now[0] += 121
    assert tokens.check("CA1", {**params, "token": token}) == "an expired call token"
    now[0] -= 121
    assert tokens.check("CA1", {**params, "token": token}) is None
    assert tokens.check("CA1", {**params, "token": token}) == "a call token already used"
    # A token made with another auth token is worthless here.
    other = CallTokens("another-auth-token", clock=lambda: now[0]).issue("CA2", params)
    assert tokens.check("CA2", {**params, "token": other}) is not None
    for junk in ["", ".", "x.y", "²³.abc", "9" * 200, "1.2.3"]:
        assert tokens.check("CA3", {**params, "token": junk}) is not None


# -- TwiML that always parses ----------------------------------------------------------------


def test_control_characters_in_webhook_values_do_not_break_the_twiml(signed):
    params = fetch_twiml(signed.http, "CA300",
                         query="?creditor=acme%01-telecom&account=100%00200%0b&language=en%1b",
                         form={"From": "+1555\x08\x7f\ufffe0001"})
    assert params["account"] == "100200" and params["creditor"] == "acme-telecom"
    assert params["caller"] == "+1555\x7f0001"


@given(st.dictionaries(st.text(min_size=1, max_size=10), st.text(max_size=30), max_size=4),
       st.text(max_size=40))
def test_any_text_makes_twiml_that_parses(parameters, spoken):
    for document in (connect_stream("wss://bot.example.org/twilio/stream", parameters),
                     f"<Response>{say(spoken, 'en')}</Response>"):
        ET.fromstring(document.encode("utf-8"))


# -- forwarded headers -----------------------------------------------------------------------


def test_forwarded_host_counts_only_behind_a_named_proxy():
    from fastapi import Depends, FastAPI

    def app_with(check: TwilioSignatureCheck) -> TestClient:
        app = FastAPI()

        @app.post("/twilio/voice", dependencies=[Depends(check)])
        async def voice() -> dict[str, bool]:
            return {"ok": True}

        return TestClient(app)

    # Signed for a URL the client claims through X-Forwarded-Host.
    forged = "https://attacker.example/twilio/voice"
    headers = {"X-Forwarded-Host": "attacker.example", "X-Forwarded-Proto": "https",
               "X-Twilio-Signature": twilio_signature(AUTH_TOKEN, forged, {"a": "1"})}
    plain = app_with(TwilioSignatureCheck(AUTH_TOKEN))
    assert plain.post("/twilio/voice", data={"a": "1"}, headers=headers).status_code == 403
    proxied = app_with(TwilioSignatureCheck(AUTH_TOKEN, trust_forwarded=True))
    assert proxied.post("/twilio/voice", data={"a": "1"}, headers=headers).status_code == 200


def test_a_session_cookie_is_secure_only_by_what_the_service_knows(tmp_path):
    base = {"agent_tokens": AGENTS}
    for trust, secure in ((False, False), (True, True)):
        app = create_app(settings(tmp_path, trust_forwarded_headers=trust, **base))
        response = TestClient(app).post("/agent/login", follow_redirects=False,
                                        data={"agent": "alice", "token": TOKENS["alice"]},
                                        headers={"X-Forwarded-Proto": "https"})
        assert response.status_code == 303
        cookie = response.headers["set-cookie"].lower()
        assert ("; secure" in cookie) is secure


@pytest.mark.parametrize("depth", [100, 5_000, 30_000])
def test_deeply_nested_json_gets_a_clear_error(tmp_path, depth, caplog):
    app = create_app(settings(tmp_path, agent_tokens=AGENTS))
    body = '{"notes": ' + "[" * depth + "]" * depth + "}"
    response = TestClient(app, raise_server_exceptions=False).put(
        "/api/handoffs/h1/notes", content=body,
        headers={"Authorization": f"Bearer {TOKENS['alice']}",
                 "Content-Type": "application/json"})
    assert response.status_code in (400, 413, 422)
    assert "Traceback" not in caplog.text and not [
        r for r in caplog.records if r.levelname in ("ERROR", "CRITICAL")]
