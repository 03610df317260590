"""Liveness and readiness, as an orchestrator probes them: ``/livez`` says the process
turns, ``/readyz`` whether calls should be sent here (models, records, language model)."""

from __future__ import annotations

import http.server
import json
import socket
import threading
from pathlib import Path
from types import SimpleNamespace

import pytest
from fastapi.testclient import TestClient

from voicebot.data import Database
from voicebot.engines.llm import ChatCompletionsModel
from voicebot.settings import Settings
from voicebot.web.app import create_app


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class ModelList(http.server.BaseHTTPRequestHandler):
    """An OpenAI-compatible server's model list, as llama.cpp and Ollama answer it."""

    def do_GET(self) -> None:
        body = json.dumps({"data": [{"id": "m"}]}).encode()
        self.send_response(200 if self.path == "/v1/models" else 404)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def model_server():
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), ModelList)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}/v1"
    httpd.shutdown()
    httpd.server_close()


def client(tmp_path: Path, llm: object = None, *, loaded: bool = True,
           backend: str = "none") -> TestClient:
    settings = Settings(home=tmp_path, llm_backend=backend)  # type: ignore[arg-type]
    engines = SimpleNamespace(stt_model="base", voices={}, intents=None, llm=llm)
    app = create_app(settings, engines=engines if loaded else None)  # type: ignore[arg-type]
    return TestClient(app, base_url="http://127.0.0.1")


def test_ready_with_models_loaded_and_the_records_reachable(tmp_path):
    web = client(tmp_path)
    assert web.get("/livez").json()["status"] == "alive"
    ready = web.get("/readyz")
    assert ready.status_code == 200
    assert ready.json() == {"status": "ready",
                            "checks": {"models": "ok", "database": "ok", "llm": "none"}}


def test_not_ready_while_the_models_load_but_alive(tmp_path):
    web = client(tmp_path, loaded=False, backend="embedded")
    assert web.get("/livez").status_code == 200
    ready = web.get("/readyz")
    assert ready.status_code == 503
    assert ready.json()["checks"] == {"models": "loading", "database": "ok", "llm": "loading"}


def test_not_ready_when_the_records_database_is_unreachable(tmp_path):
    web = client(tmp_path)
    web.app.state.service.database = Database(
        f"postgresql://voicebot:x@127.0.0.1:{closed_port()}/voicebot")
    ready = web.get("/readyz")
    assert ready.status_code == 503
    problem = ready.json()["checks"]["database"]
    assert "127.0.0.1" in problem and ":x@" not in problem  # no password in the answer
    assert web.get("/livez").status_code == 200


async def test_the_language_model_must_answer(tmp_path, model_server):
    answering = ChatCompletionsModel(model_server, "m")
    silent = ChatCompletionsModel(f"http://127.0.0.1:{closed_port()}/v1", "m")
    try:
        ok = client(tmp_path / "a", answering, backend="ollama").get("/readyz")
        assert ok.status_code == 200 and ok.json()["checks"]["llm"] == "ok"
        down = client(tmp_path / "b", silent, backend="ollama").get("/readyz")
        assert down.status_code == 503
        assert "not answering" in down.json()["checks"]["llm"]
    finally:
        await answering.close()
        await silent.close()
