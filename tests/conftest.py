"""Shared fixtures: the packaged models, a real server on loopback, and a
speech recognizer to check what the bot said."""

from __future__ import annotations

import json
import os
import secrets
import socket
import subprocess
import sys
import threading
import time
import wave
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs

import httpx
import numpy as np
import pytest
from hypothesis import settings as hypothesis_settings

from voicebot.audio.resample import resample
from voicebot.engines.models import ModelPaths
from voicebot.settings import PROJECT_ROOT, Settings

# Property tests draw the same examples on every run (seeded from each test's own
# code), so the suite passes or fails alike on every machine. Exploring draws new
# examples each run, to look for bugs: VOICEBOT_TEST_HYPOTHESIS_PROFILE=explore
# scripts/test tests/unit (VOICEBOT_TEST_FUZZ_EXAMPLES raises the redaction fuzz's count).
# A bug found that way gets its own test.
hypothesis_settings.register_profile("repeatable", derandomize=True, database=None)
hypothesis_settings.register_profile("explore", derandomize=False)
hypothesis_settings.load_profile(os.environ.get("VOICEBOT_TEST_HYPOTHESIS_PROFILE", "repeatable"))

FIXTURES = PROJECT_ROOT / "audio_fixtures"
AGENT = ("tester", "tester-token-0123456789")
TWILIO_ACCOUNT = "AC" + "0123456789abcdef" * 2
TWILIO_TOKEN = "twilio-auth-token-for-tests"


@pytest.fixture(scope="session")
def model_paths() -> ModelPaths:
    paths = ModelPaths(Settings.from_env().models_dir)
    paths.install()  # idempotent: joins parts only when missing; hashes a file once
    return paths


@pytest.fixture(scope="session")
def recognizer(model_paths):
    """Whisper base: the tests' own ears, separate from the server's."""
    from voicebot.engines.stt import WhisperRecognizer

    return WhisperRecognizer(model_paths.whisper("base"), cpu_threads=2)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class TwilioRecorder:
    """Stands where api.twilio.com would be: records every request, answers like Twilio."""

    def __init__(self) -> None:
        self.requests: list[dict] = []
        recorder = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                recorder.requests.append({
                    "at": time.time(), "path": self.path, "headers": dict(self.headers),
                    "form": {k: v[0] for k, v in parse_qs(body.decode()).items()},
                })
                sid = self.path.rsplit("/", 1)[-1].removesuffix(".json")
                if sid == "Calls":  # a new call (to an agent): Twilio gives it a SID
                    sid, status, code = "CA" + secrets.token_hex(16), "queued", 201
                else:
                    status, code = "in-progress", 200
                payload = json.dumps({"sid": sid, "status": status}).encode()
                self.send_response(code)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            def log_message(self, *args: object) -> None:
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.httpd.shutdown()


@pytest.fixture(scope="session")
def twilio_recorder():
    recorder = TwilioRecorder()
    yield recorder
    recorder.close()


class Server:
    def __init__(self, port: int, log_path: Path, process: subprocess.Popen[bytes]) -> None:
        self.port = port
        self.log_path = log_path
        self.process = process
        self.http = f"http://127.0.0.1:{port}"
        self.ws = f"ws://127.0.0.1:{port}/twilio/stream"

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")

    def logged_words(self) -> str:
        """What the service wrote in its log, without the time of each line (a time
        such as "07:27:48.00" is not a caller's "48.00")."""
        lines = []
        for line in self.log().splitlines():
            try:
                entry = json.loads(line)
            except ValueError:
                lines.append(line)
                continue
            if isinstance(entry, dict):
                entry.pop("time", None)
            lines.append(json.dumps(entry, ensure_ascii=False))
        return "\n".join(lines)

    @property
    def database_url(self) -> str:
        """The server's records (see ``server_env``)."""
        return f"sqlite:///{self.log_path.parent / 'voicebot.db'}"

    def health(self) -> dict:
        return httpx.get(f"{self.http}/healthz", timeout=5).json()

    def api(self, path: str):  # type: ignore[no-untyped-def]
        """GET an agent API route, as the test agent."""
        response = httpx.get(f"{self.http}{path}", timeout=10,
                             headers={"Authorization": f"Bearer {AGENT[1]}"})
        response.raise_for_status()
        return response.json()

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


def server_env(port: int, data_dir: Path, twilio_api: str) -> dict[str, str]:
    """The environment of a test server: its records and hand-offs in ``data_dir``,
    the test agent, and Twilio's REST API at ``twilio_api``."""
    return dict(
        os.environ, VOICEBOT_LOG_LEVEL="info",
        VOICEBOT_AGENT_TOKENS=":".join(AGENT),
        VOICEBOT_HANDOFF_DB=str(data_dir / "handoffs.db"),
        VOICEBOT_DATABASE_URL=f"sqlite:///{data_dir / 'voicebot.db'}",
        # Transfers go to the loopback recorder; webhooks must be signed with this token.
        VOICEBOT_TWILIO_ACCOUNT_SID=TWILIO_ACCOUNT,
        VOICEBOT_TWILIO_AUTH_TOKEN=TWILIO_TOKEN,
        VOICEBOT_TWILIO_API_BASE=twilio_api,
        VOICEBOT_PUBLIC_URL=f"http://127.0.0.1:{port}",
        # The simulator cannot sign the stream handshake.
        VOICEBOT_VERIFY_STREAM_SIGNATURE="false",
    )


def launch_server(port: int, data_dir: Path, twilio_api: str, *,
                  log_name: str = "server.log", env: dict[str, str] | None = None) -> Server:
    """``voicebot serve`` as a real process on ``port``, just launched (``env`` over the
    test server's environment)."""
    log_path = data_dir / log_name
    with log_path.open("wb") as log_file:
        process = subprocess.Popen(
            [sys.executable, "-m", "voicebot", "serve", "--host", "127.0.0.1", "--port", str(port)],
            stdout=log_file, stderr=subprocess.STDOUT, cwd=PROJECT_ROOT,
            env={**server_env(port, data_dir, twilio_api), **(env or {})},
        )
    return Server(port, log_path, process)


def wait_until_healthy(srv: Server, timeout: float = 120) -> Server:
    """The server, once /healthz says ok; fails the test if it exits or never does."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if srv.process.poll() is not None:
            pytest.fail(f"server exited early:\n{srv.log()}")
        try:
            if srv.health()["status"] == "ok":
                return srv
        except httpx.HTTPError:
            pass
        time.sleep(0.3)
    srv.process.kill()
    srv.process.wait()
    pytest.fail(f"server did not become healthy:\n{srv.log()}")


@pytest.fixture(autouse=True)
def no_flags_left_for_the_next_test(request):
    """The session's server keeps one database for every test; a demo account flagged by
    one test's call (a distressed Jane Doe) would, rightly, go straight to a person in the
    next. Each test's flags are cleared after it, as staff would after acting on them."""
    yield
    if "server" not in request.fixturenames:
        return
    srv = request.getfixturevalue("server")
    if not isinstance(srv, Server):  # another suite's "server" (the embedded LLM's)
        return
    import datetime as dt

    from voicebot.data import Database
    from voicebot.data.schema import flags

    database = Database(srv.database_url)
    try:
        with database.begin() as c:
            c.execute(flags.update().where(flags.c.cleared_at.is_(None)).values(
                cleared_at=dt.datetime.now(dt.UTC), cleared_by="tests"))
    finally:
        database.dispose()


@pytest.fixture(scope="session")
def server(model_paths, tmp_path_factory, twilio_recorder) -> Server:
    """``voicebot serve`` as a real process on a free loopback port."""
    port, data_dir = free_port(), tmp_path_factory.mktemp("server")
    srv = wait_until_healthy(launch_server(port, data_dir, twilio_recorder.url))
    yield srv
    srv.stop()


def read_wav(path: Path, rate: int = 16_000) -> np.ndarray:
    """Mono float32 at ``rate`` (the right channel of a stereo file: the agent)."""
    with wave.open(str(path)) as wav:
        channels, src_rate = wav.getnchannels(), wav.getframerate()
        pcm = np.frombuffer(wav.readframes(wav.getnframes()), dtype=np.int16)
    audio = pcm.reshape(-1, channels)[:, -1].astype(np.float32) / 32768
    return resample(audio, src_rate, rate)
