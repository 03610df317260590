"""Shared fixtures: the packaged models, a real server on loopback, and a
speech recognizer to check what the bot said."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import wave
from pathlib import Path

import httpx
import numpy as np
import pytest

from voicebot.audio.resample import resample
from voicebot.engines.models import ModelPaths
from voicebot.settings import PROJECT_ROOT, Settings

FIXTURES = PROJECT_ROOT / "audio_fixtures"


@pytest.fixture(scope="session")
def model_paths() -> ModelPaths:
    paths = ModelPaths(Settings.from_env().models_dir)
    paths.install()  # idempotent: checks sizes, joins parts only when missing
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


class Server:
    def __init__(self, port: int, log_path: Path, process: subprocess.Popen[bytes]) -> None:
        self.port = port
        self.log_path = log_path
        self.process = process
        self.http = f"http://127.0.0.1:{port}"
        self.ws = f"ws://127.0.0.1:{port}/twilio/stream"

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")

    def health(self) -> dict:
        return httpx.get(f"{self.http}/healthz", timeout=5).json()


@pytest.fixture(scope="session")
def server(model_paths, tmp_path_factory) -> Server:
    """``voicebot serve`` as a real process on a free loopback port."""
    port = free_port()
    log_path = tmp_path_factory.mktemp("server") / "server.log"
    env = dict(os.environ, VOICEBOT_LOG_LEVEL="info")
    with log_path.open("wb") as log_file:
        process = subprocess.Popen(
            [sys.executable, "-m", "voicebot", "serve", "--host", "127.0.0.1", "--port", str(port)],
            stdout=log_file, stderr=subprocess.STDOUT, env=env, cwd=PROJECT_ROOT,
        )
    srv = Server(port, log_path, process)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"server exited early:\n{srv.log()}")
        try:
            if srv.health()["status"] == "ok":
                break
        except httpx.HTTPError:
            pass
        time.sleep(0.3)
    else:
        process.kill()
        pytest.fail(f"server did not become healthy:\n{srv.log()}")
    yield srv
    process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()


def read_wav(path: Path, rate: int = 16_000) -> np.ndarray:
    """Mono float32 at ``rate`` (the right channel of a stereo file: the agent)."""
    with wave.open(str(path)) as wav:
        channels, src_rate = wav.getnchannels(), wav.getframerate()
        pcm = np.frombuffer(wav.readframes(wav.getnframes()), dtype=np.int16)
    audio = pcm.reshape(-1, channels)[:, -1].astype(np.float32) / 32768
    return resample(audio, src_rate, rate)
