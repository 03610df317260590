"""X-Twilio-Signature: the algorithm, and the FastAPI dependency behind a proxy (which
the service is told about: forwarded headers count only then)."""

from __future__ import annotations

import hashlib

import pytest
from fastapi import Depends, FastAPI, Request, WebSocket
from fastapi.testclient import TestClient
from handoff_support import AUTH_TOKEN, CALL_SID
from starlette.websockets import WebSocketDisconnect

from voicebot.web.security import TwilioSignatureCheck, twilio_signature

# Computed with twilio.request_validator.RequestValidator (twilio 9.13.0).
DOCS_URL = "https://mycompany.com/myapp.php?foo=1&bar=2"
DOCS_PARAMS = {"CallSid": "CA1234567890ABCDE", "Caller": "+12349013030", "Digits": "1234",
               "From": "+12349013030", "To": "+18005551212"}
VOICE_URL = "https://bot.example.com/twilio/voice?creditor=acme-telecom&language=fr"
VOICE_PARAMS = {"CallSid": "CA" + "a" * 32, "From": "+15551234567", "To": "+15557654321",
                "AccountSid": "AC" + "b" * 32, "CallStatus": "ringing"}


def test_known_vectors():
    assert twilio_signature("12345", DOCS_URL, DOCS_PARAMS) == "0/KCTR6DLpKmkAf8muzZqo1nDgQ="
    assert twilio_signature("12345", VOICE_URL, VOICE_PARAMS) == "QT8gJ5szNb6WDEnhwvEc3ssyDJA="
    assert twilio_signature("12345", VOICE_URL, VOICE_PARAMS, "HMAC_SHA256") == \
        "tAYhe9YLHhCjgGnyJXWjcfVN8y8P9dX3v1r1spscMDo="


def test_matches_twilios_own_validator():
    validator_module = pytest.importorskip("twilio.request_validator")
    validator = validator_module.RequestValidator(AUTH_TOKEN)
    params = {"Digits": "1 2#", "Body": "é & = ?", "Empty": "", "CallSid": CALL_SID}
    for url in (VOICE_URL, "http://127.0.0.1:8080/twilio/voice", "https://h/p?a=%20b"):
        mine = twilio_signature(AUTH_TOKEN, url, params)
        assert mine == validator.compute_signature(url, params)
        assert validator.validate(url, params, mine)


def make_app(check: TwilioSignatureCheck) -> TestClient:
    app = FastAPI()

    @app.api_route("/twilio/voice", methods=["GET", "POST"], dependencies=[Depends(check)])
    async def voice(request: Request) -> dict[str, str]:
        # The route can still read the body the check read.
        return {"body": (await request.body()).decode()}

    return TestClient(app, base_url="http://127.0.0.1:8080")


PROXY = {"X-Forwarded-Proto": "https", "Host": "bot.example.com"}
PATH = "/twilio/voice?creditor=acme-telecom&language=fr"


def post(client: TestClient, signature: str | None, params=VOICE_PARAMS, headers=PROXY,
         path: str = PATH):
    extra = dict(headers)
    if signature is not None:
        extra["X-Twilio-Signature"] = signature
    return client.post(path, data=params, headers=extra)


def test_signed_requests_through_a_proxy_pass():
    client = make_app(TwilioSignatureCheck(AUTH_TOKEN, trust_forwarded=True))
    good = twilio_signature(AUTH_TOKEN, VOICE_URL, VOICE_PARAMS)
    response = post(client, good)
    assert response.status_code == 200
    assert "CallStatus=ringing" in response.json()["body"]


def test_forwarded_host_and_default_port_forms():
    client = make_app(TwilioSignatureCheck(AUTH_TOKEN, trust_forwarded=True))
    with_port = VOICE_URL.replace("bot.example.com", "bot.example.com:443")
    signature = twilio_signature(AUTH_TOKEN, with_port, VOICE_PARAMS)
    headers = {"X-Forwarded-Proto": "https", "X-Forwarded-Host": "bot.example.com",
               "Host": "10.0.0.5:8080"}
    assert post(client, signature, headers=headers).status_code == 200


@pytest.mark.parametrize("case", ["missing", "wrong_token", "tampered", "http_not_https",
                                  "other_query"])
def test_bad_signatures_are_refused(case):
    client = make_app(TwilioSignatureCheck(AUTH_TOKEN, trust_forwarded=True))
    good = twilio_signature(AUTH_TOKEN, VOICE_URL, VOICE_PARAMS)
    if case == "missing":
        response = post(client, None)
    elif case == "wrong_token":
        response = post(client, twilio_signature("not-the-token", VOICE_URL, VOICE_PARAMS))
    elif case == "tampered":
        response = post(client, good, params=dict(VOICE_PARAMS, From="+15550000000"))
    elif case == "http_not_https":
        response = post(client, good, headers={"Host": "bot.example.com"})
    else:
        response = post(client, good, path="/twilio/voice?creditor=evil-corp&language=fr")
    assert response.status_code == 403


def test_public_url_wins_over_headers():
    check = TwilioSignatureCheck(AUTH_TOKEN, public_url="https://bot.example.com/")
    client = make_app(check)
    good = twilio_signature(AUTH_TOKEN, VOICE_URL, VOICE_PARAMS)
    assert post(client, good, headers={"Host": "internal:8080"}).status_code == 200


def test_forwarded_headers_can_be_distrusted():
    client = make_app(TwilioSignatureCheck(AUTH_TOKEN, trust_forwarded=False))
    good = twilio_signature(AUTH_TOKEN, VOICE_URL, VOICE_PARAMS)
    assert post(client, good).status_code == 403  # http://bot.example.com was signed? no


def test_get_requests_sign_the_query_only():
    client = make_app(TwilioSignatureCheck(AUTH_TOKEN, trust_forwarded=True))
    signature = twilio_signature(AUTH_TOKEN, VOICE_URL, {})
    response = client.get(PATH, headers={**PROXY, "X-Twilio-Signature": signature})
    assert response.status_code == 200


def test_json_bodies_are_signed_by_their_hash():
    client = make_app(TwilioSignatureCheck(AUTH_TOKEN, trust_forwarded=True))
    body = b'{"CallSid": "CA1"}'
    digest = hashlib.sha256(body).hexdigest()
    path = f"/twilio/voice?bodySHA256={digest}"
    signature = twilio_signature(AUTH_TOKEN, f"https://bot.example.com{path}", {})
    headers = {**PROXY, "X-Twilio-Signature": signature, "Content-Type": "application/json"}
    assert client.post(path, content=body, headers=headers).status_code == 200
    assert client.post(path, content=b'{"CallSid": "CA2"}', headers=headers).status_code == 403


def test_shared_key_sha256_signatures():
    check = TwilioSignatureCheck(AUTH_TOKEN, shared_keys={"webhooks_sharedkey_1": "shh-secret"},
                                 trust_forwarded=True)
    client = make_app(check)
    signature = twilio_signature("shh-secret", VOICE_URL, VOICE_PARAMS, "HMAC_SHA256")
    settings = {"X-Twilio-Webhooks-Signature-Settings":
                "key=webhooks_sharedkey_1,algorithm=HMAC_SHA256"}
    assert post(client, signature, headers={**PROXY, **settings}).status_code == 200
    unknown = {"X-Twilio-Webhooks-Signature-Settings": "key=other,algorithm=HMAC_SHA256"}
    assert post(client, signature, headers={**PROXY, **unknown}).status_code == 403
    odd = {"X-Twilio-Webhooks-Signature-Settings": "algorithm=HMAC_MD5"}
    assert post(client, signature, headers={**PROXY, **odd}).status_code == 403


def test_without_a_token_nothing_is_checked():
    check = TwilioSignatureCheck(None)
    assert not check.enabled
    assert post(make_app(check), None).status_code == 200


def test_media_stream_handshakes_are_checked():
    check = TwilioSignatureCheck(AUTH_TOKEN, trust_forwarded=True)
    app = FastAPI()

    @app.websocket("/twilio/stream", dependencies=[Depends(check.websocket)])
    async def stream(ws: WebSocket) -> None:
        await ws.accept()
        await ws.send_text("connected")
        await ws.close()

    client = TestClient(app)
    for url in ("wss://bot.example.com/twilio/stream", "https://bot.example.com/twilio/stream",
                "wss://bot.example.com:443/twilio/stream"):
        headers = {**PROXY, "X-Twilio-Signature": twilio_signature(AUTH_TOKEN, url)}
        with client.websocket_connect("/twilio/stream", headers=headers) as ws:
            assert ws.receive_text() == "connected"
    for headers in (PROXY, {**PROXY, "X-Twilio-Signature": twilio_signature(
            "wrong", "wss://bot.example.com/twilio/stream")}):
        with pytest.raises(WebSocketDisconnect) as refused, \
                client.websocket_connect("/twilio/stream", headers=headers):
            pass
        assert refused.value.code == 1008
