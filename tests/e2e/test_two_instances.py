"""Two service instances behind one URL share one PostgreSQL database: a hand-off made
during a call on one appears live on an agent's desktop connected to the other
(LISTEN/NOTIFY, ``voicebot.data.notify``), and once on the first one's own desktop."""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import os
import subprocess
import sys
import time
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest

from tests import pg
from tests.conftest import AGENT, Server, free_port, server_env, wait_until_healthy
from tests.e2e.helpers import call, dialogue
from voicebot.settings import PROJECT_ROOT

pytestmark = [pytest.mark.e2e, pytest.mark.models]

# Instance B takes no call here: a smaller speech model, rules instead of the classifier.
LIGHT = {"VOICEBOT_LLM_BACKEND": "none"}
WATCHER = {**LIGHT, "VOICEBOT_STT_MODEL": "tiny.en", "VOICEBOT_INTENT_CORPUS": ""}


def launch(name: str, database_url: str, data_dir: Path, twilio_api: str,
           extra: dict[str, str]) -> Server:
    """``voicebot serve`` on its own port and data directory, records in ``database_url``."""
    port = free_port()
    env = {**server_env(port, data_dir, twilio_api), "VOICEBOT_DATABASE_URL": database_url,
           **extra}
    log_path = data_dir / f"{name}.log"
    with log_path.open("wb") as log_file:
        process = subprocess.Popen(
            [sys.executable, "-m", "voicebot", "serve", "--host", "127.0.0.1", "--port",
             str(port)], stdout=log_file, stderr=subprocess.STDOUT, cwd=PROJECT_ROOT, env=env)
    return Server(port, log_path, process)


@pytest.fixture(scope="module")
def postgres_url():
    given = os.environ.get("VOICEBOT_TEST_POSTGRES_URL")
    if given:  # a server of one's own: a fresh database on it
        from tests.data.conftest import fresh_postgres

        url, drop = fresh_postgres(given)
        yield url.render_as_string(hide_password=False)
        drop()
        return
    if os.environ.get("VOICEBOT_TEST_POSTGRES") == "off" or not pg.available():
        pytest.skip("no PostgreSQL")
    with pg.PostgresServer() as url:
        yield url


@pytest.fixture(scope="module")
def instances(model_paths, postgres_url, tmp_path_factory, twilio_recorder):
    """Instances A and B, started side by side on one database."""
    a = launch("a", postgres_url, tmp_path_factory.mktemp("instance-a"), twilio_recorder.url,
               LIGHT)
    b = launch("b", postgres_url, tmp_path_factory.mktemp("instance-b"), twilio_recorder.url,
               WATCHER)
    try:
        wait_until_healthy(a, timeout=180)
        wait_until_healthy(b, timeout=180)
        yield a, b
    finally:
        a.stop()
        b.stop()


async def desktop_events(srv: Server, into: list[tuple[float, str, dict]],
                         ready: asyncio.Event) -> None:
    """The agent desktop's event stream on ``srv``: (arrival time, event, data) into
    ``into``; ``ready`` once the snapshot came (the subscription is in place)."""
    headers = {"Authorization": f"Bearer {AGENT[1]}", "Accept": "text/event-stream"}
    async with httpx.AsyncClient(timeout=httpx.Timeout(10, read=None)) as client, \
            client.stream("GET", f"{srv.http}/api/handoffs/events", headers=headers) as response:
        assert response.status_code == 200
        async for event, data in sse(response.aiter_lines()):
            into.append((time.time(), event, data))
            if event == "snapshot":
                ready.set()


async def sse(lines: AsyncIterator[str]) -> AsyncIterator[tuple[str, dict]]:
    event, data = "message", []
    async for line in lines:
        if not line:
            if data:
                yield event, json.loads("\n".join(data))
            event, data = "message", []
        elif line.startswith("event:"):
            event = line[6:].strip()
        elif line.startswith("data:"):
            data.append(line[5:].strip())


async def test_a_hand_off_on_one_instance_appears_live_on_a_desktop_of_the_other(instances):
    a, b = instances
    on_a: list[tuple[float, str, dict]] = []
    on_b: list[tuple[float, str, dict]] = []
    ready_a, ready_b = asyncio.Event(), asyncio.Event()
    watchers = [asyncio.create_task(desktop_events(b, on_b, ready_b)),
                asyncio.create_task(desktop_events(a, on_a, ready_a))]
    try:
        await asyncio.wait_for(asyncio.gather(ready_a.wait(), ready_b.wait()), 15)
        # A caller in distress on instance A: a priority hand-off, stored at once.
        await call(a.ws, [{"wait": 2.0}, {"wait_for": {"event": "quiet", "timeout": 30}},
                          {"say": "en_jane_ending_my_life.wav"}, {"wait": 8}, "hangup"],
                   {"creditor": "acme-telecom", "account": "100200"})
        deadline = time.monotonic() + 10
        while not any(e == "handoff" for _, e, _ in on_b) and time.monotonic() < deadline:
            await asyncio.sleep(0.1)
    finally:
        for task in watchers:
            task.cancel()
        await asyncio.gather(*watchers, return_exceptions=True)

    # The call is listed once A has finished it, a moment after the caller hung up.
    deadline = time.monotonic() + 15
    while not (calls := a.api("/api/calls/recent")) and time.monotonic() < deadline:
        await asyncio.sleep(0.2)
    assert calls, a.log()
    added = [(t, d) for t, e, d in on_b if e == "handoff" and d["kind"] == "added"]
    assert len(added) == 1, f"{[(e, d.get('kind')) for _, e, d in on_b]}\n{dialogue(calls[-1])}"
    [(arrived, event)] = added
    packet = event["handoff"]
    assert packet["call_id"] == calls[-1]["call_id"] and packet["reason"] == "vulnerability"
    assert event["status"] == "waiting" and packet["flags"][0] == "priority"
    # Live: on B's desktop within a second or two of A storing it.
    stored = dt.datetime.fromisoformat(packet["created_at"]).timestamp()
    assert arrived - stored < 2.0, arrived - stored
    # B took no call; what B's desktop showed is what A stored.
    assert b.api("/api/calls/recent") == []
    assert b.api(f"/api/handoffs/{packet['id']}") == a.api(f"/api/handoffs/{packet['id']}")
    # A's own desktop had it once, from A itself, not again through the database.
    kinds_a = [d["kind"] for _, e, d in on_a if e == "handoff" and d["id"] == packet["id"]]
    kinds_b = [d["kind"] for _, e, d in on_b if e == "handoff" and d["id"] == packet["id"]]
    assert kinds_a.count("added") == 1 and kinds_a == kinds_b, (kinds_a, kinds_b)
    assert "listening on voicebot_handoffs failed" not in a.log() + b.log()
