"""Agent tokens, session cookies, CSRF and login throttling; no anonymous debtor data."""

from __future__ import annotations

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from voicebot.errors import ConfigError
from voicebot.web.agent import build_agent_router
from voicebot.web.security import AgentAuth, load_agent_tokens, parse_agent_tokens

TOKENS = {"alice": "alice-token-0123456789", "bob": "bob-token-9876543210"}
SECRET = "test-session-secret-0123456789"


class Clock:
    def __init__(self) -> None:
        self.now = 1_800_000_000.0

    def __call__(self) -> float:
        return self.now


def test_parse_tokens():
    assert parse_agent_tokens("alice:s3cret, bob:t0ken ,") == {"alice": "s3cret", "bob": "t0ken"}
    assert parse_agent_tokens("") == {}
    assert parse_agent_tokens("carol:a:b") == {"carol": "a:b"}  # only the first colon splits


@pytest.mark.parametrize(("spec", "message"), [
    ("alice", "not name:token"),
    ("alice:", "not name:token"),
    ("al ice:tok", "letters, digits"),
    ("alice:one,alice:two", "listed twice"),
    ("alice:same,bob:same", "same token"),
])
def test_bad_token_specs(spec, message):
    with pytest.raises(ConfigError, match=message):
        parse_agent_tokens(spec)


def test_tokens_file(tmp_path):
    path = tmp_path / "agents"
    path.write_text("# desk agents\nalice:alice-token-0123456789\n\nbob:bob-token-9876543210\n")
    assert load_agent_tokens(path) == TOKENS
    with pytest.raises(ConfigError, match="cannot read"):
        load_agent_tokens(tmp_path / "missing")


def test_tokens_and_logins():
    auth = AgentAuth(TOKENS, secret=SECRET)
    assert auth.agent_for_token("bob-token-9876543210") == "bob"
    assert auth.agent_for_token("bob-token-987654321") is None
    assert auth.agent_for_token("") is None
    assert auth.check_login("alice", TOKENS["alice"])
    assert not auth.check_login("alice", TOKENS["bob"])
    assert not auth.check_login("mallory", TOKENS["alice"])
    with pytest.raises(ConfigError, match="at least 16"):
        AgentAuth(TOKENS, secret="short")


def test_sessions():
    clock = Clock()
    auth = AgentAuth(TOKENS, secret=SECRET, session_seconds=60, clock=clock)
    cookie = auth.issue_session("alice")
    assert auth.session_agent(cookie) == "alice"
    assert auth.issue_session("alice") != cookie  # each login its own session

    body, _, mac = cookie.rpartition(".")
    forged_body = body.replace(body.split(".")[1], "Ym9i")  # "bob"
    assert auth.session_agent(f"{forged_body}.{mac}") is None
    assert auth.session_agent(cookie[:-2] + "AA") is None
    assert auth.session_agent("garbage") is None
    assert auth.session_agent(None) is None
    assert AgentAuth(TOKENS, secret="another-secret-0123456789").session_agent(cookie) is None

    clock.now += 61
    assert auth.session_agent(cookie) is None  # expired

    fresh = auth.issue_session("alice")
    rotated = AgentAuth({**TOKENS, "alice": "a-new-token-for-alice"}, secret=SECRET, clock=clock)
    assert rotated.session_agent(fresh) is None  # a new token ends old sessions
    removed = AgentAuth({"bob": TOKENS["bob"]}, secret=SECRET, clock=clock)
    assert removed.session_agent(fresh) is None

    auth.revoke_session(fresh)
    assert auth.session_agent(fresh) is None
    with pytest.raises(ValueError):
        auth.issue_session("mallory")


# -- over HTTP ------------------------------------------------------------------------------


@pytest.fixture
def client(store):
    auth = AgentAuth(TOKENS, secret=SECRET, max_failures=3)
    app = FastAPI()
    app.include_router(build_agent_router(store, auth))
    return TestClient(app, base_url="http://127.0.0.1")


def bearer(agent: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {TOKENS[agent]}"}


def login(client: TestClient, agent: str = "alice", token: str | None = None,
          next_path: str = "/agent"):
    return client.post("/agent/login", data={"agent": agent, "token": token or TOKENS[agent],
                                             "next": next_path}, follow_redirects=False)


def test_no_anonymous_access_to_anything_with_data(client, store, make_packet):
    packet = store.add(make_packet())
    for method, path in [("GET", "/api/handoffs"), ("GET", f"/api/handoffs/{packet.id}"),
                         ("GET", "/api/handoffs/events"),
                         ("POST", f"/api/handoffs/{packet.id}/accept"),
                         ("POST", f"/api/handoffs/{packet.id}/complete"),
                         ("PUT", f"/api/handoffs/{packet.id}/notes")]:
        response = client.request(method, path, json={"notes": "x"})
        assert response.status_code == 401, path
        assert response.headers["www-authenticate"].startswith("Bearer")
        assert "100200" not in response.text
    wrong = client.get("/api/handoffs", headers={"Authorization": "Bearer nope"})
    assert wrong.status_code == 401
    page = client.get("/agent", follow_redirects=False)
    assert page.status_code == 303
    assert page.headers["location"] == "/agent/login?next=/agent"
    assert "Jane" not in page.text
    # The login page and the static files have nothing to hide.
    assert client.get("/agent/login").status_code == 200
    assert client.get("/agent/static/desktop.js").status_code == 200
    assert client.get("/agent/static/../agent.py").status_code == 404
    assert client.get("/agent/static/desktop.html").status_code == 404


def test_bearer_api(client, store, make_packet):
    packet = store.add(make_packet())
    listed = client.get("/api/handoffs?status=waiting", headers=bearer("alice"))
    assert listed.status_code == 200
    assert listed.headers["cache-control"] == "no-store"
    assert [h["id"] for h in listed.json()["handoffs"]] == [packet.id]
    assert client.get("/api/handoffs?status=active,completed",
                      headers=bearer("alice")).json()["handoffs"] == []
    assert client.get("/api/handoffs?status=lost", headers=bearer("alice")).status_code == 422
    assert client.get(f"/api/handoffs/{packet.id}", headers=bearer("bob")).json()["id"] == \
        packet.id
    assert client.get("/api/handoffs/nope", headers=bearer("bob")).status_code == 404

    early = client.post(f"/api/handoffs/{packet.id}/complete", headers=bearer("alice"))
    assert early.status_code == 409 and "accept it first" in early.json()["detail"]
    accepted = client.post(f"/api/handoffs/{packet.id}/accept", headers=bearer("alice"))
    assert accepted.json()["status"] == "active" and accepted.json()["agent"] == "alice"
    again = client.post(f"/api/handoffs/{packet.id}/accept", headers=bearer("bob"))
    assert again.status_code == 409 and "already accepted by alice" in again.json()["detail"]
    stolen = client.put(f"/api/handoffs/{packet.id}/notes", headers=bearer("bob"),
                        json={"notes": "mine"})
    assert stolen.status_code == 409
    notes = client.put(f"/api/handoffs/{packet.id}/notes", headers=bearer("alice"),
                       json={"notes": "Card 4111 1111 1111 1111 given."})
    assert notes.json()["notes"] == "Card [card number] given."
    too_long = client.put(f"/api/handoffs/{packet.id}/notes", headers=bearer("alice"),
                          json={"notes": "x" * 10_001})
    assert too_long.status_code == 422
    done = client.post(f"/api/handoffs/{packet.id}/complete", headers=bearer("alice"),
                       json={"notes": "Paid 48.00 USD."})
    assert (done.json()["status"], done.json()["notes"]) == ("completed", "Paid 48.00 USD.")


def test_login_cookie_and_csrf(client, store, make_packet):
    packet = store.add(make_packet())
    response = login(client)
    assert response.status_code == 303 and response.headers["location"] == "/agent"
    cookie = response.headers["set-cookie"]
    assert "HttpOnly" in cookie and "SameSite=strict" in cookie and "Path=/" in cookie
    assert "Secure" not in cookie  # plain http on loopback
    page = client.get("/agent")
    assert page.status_code == 200
    assert "default-src 'none'" in page.headers["content-security-policy"]
    assert page.headers["x-frame-options"] == "DENY"
    csrf = page.text.split('name="csrf-token" content="')[1].split('"')[0]
    assert len(csrf) == 32

    assert client.get("/api/handoffs").status_code == 200  # reading needs no CSRF token
    refused = client.post(f"/api/handoffs/{packet.id}/accept")
    assert refused.status_code == 403 and "CSRF" in refused.json()["detail"]
    wrong = client.post(f"/api/handoffs/{packet.id}/accept", headers={"X-CSRF-Token": "x"})
    assert wrong.status_code == 403
    ok = client.post(f"/api/handoffs/{packet.id}/accept", headers={"X-CSRF-Token": csrf})
    assert ok.json()["agent"] == "alice"
    assert client.get("/agent/login", follow_redirects=False).status_code == 303

    client.post("/agent/logout", follow_redirects=False)
    assert client.get("/api/handoffs").status_code == 401


def test_secure_cookie_behind_an_https_proxy(store):
    auth = AgentAuth(TOKENS, secret=SECRET, trust_forwarded=True)
    app = FastAPI()
    app.include_router(build_agent_router(store, auth))
    client = TestClient(app, base_url="http://127.0.0.1")
    response = client.post("/agent/login", data={"agent": "alice", "token": TOKENS["alice"]},
                           headers={"X-Forwarded-Proto": "https"}, follow_redirects=False)
    assert "Secure" in response.headers["set-cookie"]


def test_failed_logins_and_throttling(client):
    bad = login(client, token="wrong")
    assert bad.status_code == 401
    assert "do not match" in bad.text and "set-cookie" not in bad.headers
    assert login(client, agent="mallory", token="x").status_code == 401
    assert login(client, token="wrong").status_code == 401
    assert login(client, token="wrong").status_code == 401
    throttled = login(client)  # even the right token, after three failures
    assert throttled.status_code == 429 and "Too many" in throttled.text
    assert login(client, agent="bob").status_code == 303  # others sharing the address


@pytest.mark.parametrize("target", ["https://evil.example/", "//evil.example/agent",
                                    "/api/handoffs", "/agent\\@evil"])
def test_no_open_redirect_after_login(client, target):
    response = login(client, next_path=target)
    assert response.headers["location"] == "/agent"


def test_login_from_another_site_is_refused(client):
    response = client.post("/agent/login", data={"agent": "alice", "token": TOKENS["alice"]},
                           headers={"Origin": "https://evil.example"}, follow_redirects=False)
    assert response.status_code == 403 and "set-cookie" not in response.headers
    same = client.post("/agent/login", data={"agent": "alice", "token": TOKENS["alice"]},
                       headers={"Origin": "http://127.0.0.1"}, follow_redirects=False)
    assert same.status_code == 303
