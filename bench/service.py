"""A ``voicebot serve`` process on a free loopback port, for the benchmarks that call it
over the Twilio protocol."""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
BENCH_TOKEN = "bench-token-0123456789"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def cpu_seconds(pid: int) -> float:
    """User and system CPU time the process has used."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


class Service:
    def __init__(self, port: int, process: subprocess.Popen[bytes], started: float) -> None:
        self.port, self.process, self.startup_seconds = port, process, started
        self.http = f"http://127.0.0.1:{port}"
        self.ws = f"ws://127.0.0.1:{port}/twilio/stream"

    def api(self, path: str):  # type: ignore[no-untyped-def]
        return httpx.get(f"{self.http}{path}", timeout=10,
                         headers={"Authorization": f"Bearer {BENCH_TOKEN}"}).json()


@contextlib.contextmanager
def service(*args: str, env: dict[str, str] | None = None) -> Iterator[Service]:
    """The service, healthy, until the block ends."""
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "voicebot", "--log-level", "warning", "serve", "--port",
         str(port), *args],
        cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        env={**os.environ, "VOICEBOT_AGENT_TOKENS": f"bench:{BENCH_TOKEN}", **(env or {})})
    started = time.monotonic()
    try:
        while True:
            try:
                if httpx.get(f"http://127.0.0.1:{port}/healthz").status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if process.poll() is not None or time.monotonic() - started > 180:
                raise SystemExit("the service did not start")
            time.sleep(0.3)
        yield Service(port, process, time.monotonic() - started)
    finally:
        process.terminate()
        process.wait(timeout=15)
