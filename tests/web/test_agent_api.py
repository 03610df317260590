"""The hand-off event stream (server-sent events) over a real server on loopback."""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import time
from collections.abc import AsyncIterator

import httpx
from fastapi import FastAPI
from web_support import TOKENS, serve

from voicebot.clock import FakeClock
from voicebot.web.agent import build_agent_router
from voicebot.web.security import AgentAuth


async def sse_events(response: httpx.Response) -> AsyncIterator[tuple[str, str]]:
    """(event, data) per message; ("comment", text) for keep-alives."""
    event, data = "message", []
    async for line in response.aiter_lines():
        if line.startswith(":"):
            yield "comment", line[1:].strip()
        elif line.startswith("event:"):
            event = line[6:].strip()
        elif line.startswith("data:"):
            data.append(line[5:].strip())
        elif line == "" and data:
            yield event, "\n".join(data)
            event, data = "message", []


def bearer(agent: str = "alice") -> dict[str, str]:
    return {"Authorization": f"Bearer {TOKENS[agent]}"}


async def test_events_need_an_agent(desktop):
    async with httpx.AsyncClient(base_url=desktop.url) as client:
        response = await client.get("/api/handoffs/events")
        assert response.status_code == 401


async def test_snapshot_then_live_changes_then_keepalive(desktop, make_packet):
    earlier = desktop.store.add(make_packet(reason="dispute"))
    async with httpx.AsyncClient(base_url=desktop.url, timeout=10) as client, \
            client.stream("GET", "/api/handoffs/events", headers=bearer()) as response:
        assert response.status_code == 200
        assert response.headers["content-type"].startswith("text/event-stream")
        assert response.headers["cache-control"] == "no-store"
        events = sse_events(response)

        kind, data = await anext(events)
        assert kind == "snapshot"
        snapshot = json.loads(data)
        assert snapshot["agent"] == "alice"
        assert [h["id"] for h in snapshot["handoffs"]] == [earlier.id]

        latencies = []
        for _ in range(5):
            packet = make_packet()
            started = time.perf_counter()
            await asyncio.to_thread(desktop.store.add, packet)
            kind, data = await anext(events)
            latencies.append((time.perf_counter() - started) * 1000)
            event = json.loads(data)
            assert (kind, event["kind"], event["id"]) == ("handoff", "added", packet.id)
            assert event["handoff"]["summary"] == packet.summary

        desktop.store.accept(packet.id, "bob")
        kind, data = await anext(events)
        assert json.loads(data)["handoff"]["agent"] == "bob"

        waited = time.perf_counter()
        kind, data = await anext(events)
        assert (kind, data) == ("comment", "keep-alive")
        assert time.perf_counter() - waited < 3
    latencies.sort()
    print(f"\nSSE latency, store.add to event read: median {latencies[2]:.1f} ms, "
          f"max {latencies[-1]:.1f} ms")
    assert latencies[2] < 500


async def test_a_closed_stream_unsubscribes(desktop):
    async with httpx.AsyncClient(base_url=desktop.url, timeout=10) as client, \
            client.stream("GET", "/api/handoffs/events", headers=bearer()) as response:
        await anext(sse_events(response))
        assert desktop.store.subscriber_count == 1
    deadline = time.monotonic() + 5
    while desktop.store.subscriber_count and time.monotonic() < deadline:
        await asyncio.sleep(0.05)
    assert desktop.store.subscriber_count == 0


async def test_streams_end_after_their_lifetime(desktop):
    app = FastAPI()
    app.include_router(build_agent_router(desktop.store, AgentAuth(TOKENS, secret="s" * 32),
                                          keepalive_seconds=0.1, max_stream_seconds=0.5))
    with serve(app) as url:
        started = time.perf_counter()
        async with httpx.AsyncClient(base_url=url, timeout=10) as client, \
                client.stream("GET", "/api/handoffs/events", headers=bearer()) as response:
            kinds = [kind async for kind, _ in sse_events(response)]
        assert 0.5 <= time.perf_counter() - started < 5
    assert kinds[0] == "snapshot" and set(kinds[1:]) == {"comment"}
    assert desktop.store.subscriber_count == 0


async def test_the_snapshot_and_the_list_carry_the_service_time(make_desktop, make_packet):
    """The desktop counts waiting times from the service's clock, not the browser's."""
    clock = FakeClock(wall=dt.datetime(2026, 11, 26, 15, 5, tzinfo=dt.UTC))
    desktop = make_desktop(clock)
    packet = desktop.store.add(make_packet(
        handoff_requested=dt.datetime(2026, 11, 26, 15, 1, 15, tzinfo=dt.UTC)))
    async with httpx.AsyncClient(base_url=desktop.url, timeout=10) as client:
        listed = (await client.get("/api/handoffs", headers=bearer())).json()
        assert listed["now"] == "2026-11-26T15:05:00.000Z"
        assert [h["created_at"] for h in listed["handoffs"]] == ["2026-11-26T15:01:15.000Z"]
        clock.advance(30)
        async with client.stream("GET", "/api/handoffs/events", headers=bearer()) as response:
            events = sse_events(response)
            kind, data = await anext(events)
            assert kind == "snapshot" and json.loads(data)["now"] == "2026-11-26T15:05:30.000Z"
            clock.advance(12.25)
            desktop.store.accept(packet.id, "alice")
            kind, data = await anext(events)
            change = json.loads(data)
            assert change["at"] == change["handoff"]["accepted_at"] == "2026-11-26T15:05:42.250Z"
