"""``GET /metrics`` scraped as Prometheus would, around real calls, and the service's
JSON log lines, each filed under its call."""

from __future__ import annotations

import asyncio
import json

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families

from tests.e2e.helpers import call

pytestmark = [pytest.mark.e2e, pytest.mark.models]


def page(server) -> str:
    response = httpx.get(f"{server.http}/metrics", timeout=5)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain")
    return response.text


def scrape(server) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    samples = {}
    for family in text_string_to_metric_families(page(server)):
        for sample in family.samples:
            samples[(sample.name, tuple(sorted(sample.labels.items())))] = sample.value
    return samples


def value(samples, name: str, **labels: str) -> float:
    return samples.get((name, tuple(sorted(labels.items()))), 0.0)


async def test_metrics_count_a_call_its_turns_its_barge_in_and_its_hand_off(server):
    before = scrape(server)
    report = await call(server.ws, [
        {"wait": 2.5},
        {"say": "en_interrupt.wav"},  # over the greeting: a barge-in
        {"wait": 2.0}, {"wait_for": {"event": "quiet", "timeout": 30}},
        {"say": "en_jane_ending_my_life.wav"},  # a priority hand-off
        {"wait": 3.0}, {"wait_for": {"event": "quiet", "timeout": 30}},
    ], {"creditor": "acme-telecom", "account": "100200"})
    assert report.result.clears_received >= 1
    for _ in range(50):  # the server closes its side of the call a moment later
        after = scrape(server)
        if value(after, "voicebot_active_calls") == 0:
            break
        await asyncio.sleep(0.1)

    def grew(name: str, **labels: str) -> float:
        return value(after, name, **labels) - value(before, name, **labels)

    assert grew("voicebot_calls_total", language="en") == 1
    assert grew("voicebot_barge_in_seconds_count") >= 1
    assert grew("voicebot_turn_stage_seconds_count", stage="total") >= 1
    assert grew("voicebot_turn_stage_seconds_count", stage="end_detection") >= 1
    assert grew("voicebot_greeting_first_audio_seconds_count") == 1
    assert grew("voicebot_handoffs_total", reason="vulnerability") == 1
    assert grew("voicebot_speech_gap_seconds_count") >= 1
    ended = {labels: v - before.get((name, labels), 0.0) for (name, labels), v in after.items()
             if name == "voicebot_calls_ended_total"}
    assert sum(ended.values()) == 1, ended
    assert value(after, "voicebot_active_calls") == 0
    assert ("voicebot_engine_queue", (("engine", "stt"),)) in after
    # Aggregates only: nothing of the caller's on the page.
    text = page(server)
    for personal in ("100200", "Jane", "94107", "ending"):
        assert personal not in text


async def test_service_logs_are_json_lines_filed_under_their_call(server):
    await call(server.ws, [{"wait": 2.0}, {"say": "en_jane_yes.wav"}, {"wait": 4.0}],
               {"creditor": "acme-telecom", "account": "100200"})
    lines = [line for line in server.log().splitlines() if line.startswith("{")]
    records = [json.loads(line) for line in lines]
    assert records and all({"time", "level", "logger", "message"} <= r.keys()
                           for r in records)
    ended = [r for r in records if "call ended" in r["message"]]
    assert ended and all(r.get("call_id", "").startswith("CA") for r in ended)
    # A line that does not name its call is still filed under it (the turn's stages).
    turns = [r for r in records if "stages ms" in r["message"]]
    assert turns and all(r.get("call_id") for r in turns)


def test_the_service_with_its_real_engines_is_live_and_ready(server):
    assert httpx.get(f"{server.http}/livez", timeout=5).status_code == 200
    ready = httpx.get(f"{server.http}/readyz", timeout=10)
    assert ready.status_code == 200, ready.text
    checks = ready.json()["checks"]
    assert checks["models"] == checks["database"] == "ok"
    assert checks["llm"] in ("ok", "none")
