"""A call's record on the agent desktop: the page carries the section, and the record's
API answers an agent's session (as the desktop's script asks) and nobody else."""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from web_support import TOKENS, seed_call_record

from voicebot.settings import Settings
from voicebot.web.app import create_app

CALL = "CA" + "7" * 32


@pytest.fixture
def client(tmp_path: Path) -> TestClient:
    settings = Settings(home=tmp_path, llm_backend="none",  # type: ignore[arg-type]
                        agent_tokens=f"alice:{TOKENS['alice']}")
    app = create_app(settings)
    seed_call_record(app.state.service.records, CALL)
    return TestClient(app)


def sign_in(client: TestClient) -> None:
    page = client.post("/agent/login", data={"agent": "alice", "token": TOKENS["alice"]})
    assert page.status_code == 200 and page.url.path == "/agent"


def test_the_desktop_asks_for_the_record_and_shows_it_as_text(client):
    sign_in(client)
    page = client.get("/agent")
    assert 'src="/agent/static/desktop.js"' in page.text
    assert "connect-src 'self'" in page.headers["content-security-policy"]
    script = client.get("/agent/static/desktop.js").text
    assert "fetch(`/api/calls/${encodeURIComponent(callId)}`" in script
    for shown in ('id: "call-record"', "Compliance flags on the account",
                  "No record kept for this call.", "Played to the end",
                  "Read-back finished", 'id: "record-timeline"'):
        assert shown in script, shown
    # Data goes in as text only; nothing loaded from elsewhere.
    assert "innerHTML" not in script and "insertAdjacentHTML" not in script
    assert "http://" not in script and "https://" not in script


def test_an_agent_session_reads_the_record(client):
    assert client.get(f"/api/calls/{CALL}").status_code == 401
    sign_in(client)
    response = client.get(f"/api/calls/{CALL}")
    assert response.status_code == 200
    assert response.headers["cache-control"] == "no-store"
    call = response.json()
    assert call["id"] == CALL and call["account"] == "100200"
    flags = {f["flag"]: f for f in call["flags"]}
    assert flags["vulnerability"]["set_at"] and flags["vulnerability"]["cleared_at"] is None
    assert flags["attorney"]["cleared_by"] == "bob"
    played = {d["name"]: d["played_at"] for d in call["disclosures"]}
    assert played["ai_assistant"] and played["us_debt_collector_notice"] is None
    [arrangement] = call["arrangements"]
    assert (arrangement["total"], arrangement["currency"]) == ("480.00", "USD")
    assert arrangement["consent_words"] == "Yes, I agree to that."
    assert arrangement["readback_finished_at"]
    assert [d["kind"] for d in call["decisions"]][-1] == "handoff"

    missing = client.get("/api/calls/CA-never-recorded")
    assert missing.status_code == 404 and missing.headers["cache-control"] == "no-store"

    client.post("/agent/logout")
    assert client.get(f"/api/calls/{CALL}").status_code == 401


def test_only_agents_read_records(client):
    assert client.get(f"/api/calls/{CALL}").status_code == 401
    assert client.get(f"/api/calls/{CALL}",
                      headers={"Authorization": "Bearer not-a-token"}).status_code == 401
    client.cookies.set("voicebot_agent", "alice.1.2.3.mac")
    assert client.get(f"/api/calls/{CALL}").status_code == 401
    client.cookies.clear()
    assert client.get("/api/calls").status_code == 401
    assert client.get("/api/arrangements").status_code == 401
    ok = client.get(f"/api/calls/{CALL}", headers={"Authorization": f"Bearer {TOKENS['alice']}"})
    assert ok.status_code == 200 and ok.json()["id"] == CALL
