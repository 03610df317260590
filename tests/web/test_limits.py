"""Limits that hold: call slots from accept, a deadline for ``start``, audio at line
rate, capped request bodies, capped event streams and a login throttle that
cannot be flushed. The service's own app on a loopback uvicorn, with the call
session replaced by a stand-in (no models needed)."""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import time
from collections.abc import Iterator
from dataclasses import replace

import httpx
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from web_support import (
    CONNECTED,
    TOKENS,
    Service,
    answered,
    close_code,
    media,
    stand_in_service,
    start,
)
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed

from voicebot.settings import Settings
from voicebot.web import security, twilio_stream
from voicebot.web.agent import build_agent_router
from voicebot.web.app import create_app
from voicebot.web.security import AgentAuth


@pytest.fixture
def service(tmp_path) -> Iterator[Service]:
    settings = Settings(home=tmp_path, max_calls=4, agent_tokens=f"alice:{TOKENS['alice']}",
                        llm_backend="none")
    with stand_in_service(settings) as running:
        yield running


# -- call slots ------------------------------------------------------------------------


async def test_sockets_without_a_call_cannot_keep_callers_out(service):
    async def caller(n: int) -> ClientConnection:
        ws = await connect(service.ws)
        await ws.send(start(f"CA{n}", f"MZ{n}"))
        assert await answered(ws)
        return ws

    # Four slots, held from accept: four sockets that say nothing take them all.
    idle = [await connect(service.ws) for _ in range(4)]
    for ws in idle:
        await ws.send(CONNECTED)
    early = await connect(service.ws)
    assert await close_code(early) == 1013  # nobody has waited a second: refused
    await asyncio.sleep(1.2)
    # Now a caller takes the place of the socket that has waited longest.
    calls = [await caller(1)]
    assert await close_code(idle[0], within=2) == 1008
    calls.append(await caller(2))
    assert await close_code(idle[1], within=2) == 1008
    assert service.health()["active_calls"] == 2
    for ws in idle[2:] + calls:
        await ws.close()
    await asyncio.sleep(0.3)
    fresh = await caller(9)
    await fresh.close()


async def test_a_call_sid_already_live_is_refused(service, caplog):
    first = await connect(service.ws)
    await first.send(start("CAsame", "MZa"))
    assert await answered(first)
    second = await connect(service.ws)
    await second.send(start("CAsame", "MZb"))
    assert await close_code(second) == 1008
    assert [s.call_id for s in service.sessions] == ["CAsame"]
    assert service.health()["active_calls"] == 1
    await first.send(json.dumps({"event": "stop", "streamSid": "MZa",
                                 "stop": {"callSid": "CAsame"}}))
    await first.close()
    await asyncio.sleep(0.3)
    again = await connect(service.ws)  # the call is over: its sid may come back
    await again.send(start("CAsame", "MZc"))
    assert await answered(again)
    await again.close()


async def test_start_must_come_within_the_deadline(service, monkeypatch):
    monkeypatch.setattr(twilio_stream, "DEFAULT_LIMITS",
                        replace(twilio_stream.StreamLimits(), start_timeout=0.5),
                        raising=False)
    ws = await connect(service.ws)
    await ws.send(CONNECTED)
    began = time.monotonic()
    assert await close_code(ws, within=5) == 1008
    assert 0.4 < time.monotonic() - began < 3
    await asyncio.sleep(0.2)
    ok = await connect(service.ws)  # its slot is free again
    await ok.send(start("CA1"))
    assert await answered(ok)
    await ok.close()


async def flood(ws: ClientConnection, counter: list[int]) -> None:
    """Media frames as fast as the socket takes them."""
    for n in range(10_000_000):
        await ws.send(media(20 * n))
        counter[0] += 1


async def test_a_flood_of_audio_is_read_no_faster_than_line_rate(service, caplog):
    caplog.set_level(logging.WARNING, logger="voicebot.web.twilio_stream")
    # Without compression, so that what was sent is what the network carried.
    ws = await connect(service.ws, compression=None)
    await ws.send(start("CAflood"))
    assert await answered(ws)
    sent = [0]
    began = time.monotonic()
    flooding = asyncio.create_task(flood(ws, sent))
    await asyncio.sleep(3.0)
    [session] = service.sessions
    elapsed = time.monotonic() - began
    # The burst (2 s, 100 frames), then line rate and a tenth: the rest waits in
    # the network's buffers, where TCP holds the sender back.
    assert session.audio <= 100 + 55 * elapsed + 5, (session.audio, elapsed, sent)
    assert session.audio >= 100 + 50 * (elapsed - 1.0), (session.audio, elapsed)
    assert sent[0] < 50_000, sent  # a few MB of socket buffers, then the sender waits
    assert "sends faster than real time" in caplog.text
    flooding.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await flooding
    ws.transport.abort()


async def test_a_stream_held_back_too_long_is_dropped(service, monkeypatch, caplog):
    caplog.set_level(logging.WARNING, logger="voicebot.web.twilio_stream")
    monkeypatch.setattr(twilio_stream, "DEFAULT_LIMITS",
                        replace(twilio_stream.StreamLimits(), drop_after_held_back=1.0),
                        raising=False)
    ws = await connect(service.ws)  # compressed: hundreds of thousands of frames in flight
    await ws.send(start("CAflood"))
    assert await answered(ws)
    began = time.monotonic()
    with pytest.raises(ConnectionClosed):
        await flood(ws, [0])
    # Burst, then a second held back: cut off without waiting for a closing handshake.
    assert time.monotonic() - began < 8
    await asyncio.sleep(0.3)
    assert "dropping the connection without a closing handshake" in caplog.text
    assert service.health()["active_calls"] == 0
    ok = await connect(service.ws)
    await ok.send(start("CA2", "MZ2"))
    assert await answered(ok)
    await ok.close()


# -- request bodies --------------------------------------------------------------------


@pytest.fixture
def app_client(tmp_path) -> TestClient:
    settings = Settings(home=tmp_path, agent_tokens=f"alice:{TOKENS['alice']}",
                        llm_backend="none")
    return TestClient(create_app(settings, engines=None), base_url="http://127.0.0.1")


BIG = 300 * 1024


@pytest.mark.parametrize(("method", "path", "kind"), [
    ("POST", "/agent/login", "form"),
    ("POST", "/twilio/voice", "form"),
    ("PUT", "/api/handoffs/abc/notes", "json"),
    ("POST", "/api/handoffs/abc/complete", "json"),
    ("GET", "/healthz", "unread"),
])
def test_request_bodies_over_64_kb_are_refused_on_every_route(app_client, method, path, kind):
    if kind == "json":
        body = json.dumps({"notes": "x" * BIG}).encode()
        headers = {"content-type": "application/json"}
    else:
        body = b"agent=alice&token=" + b"x" * BIG
        headers = {"content-type": "application/x-www-form-urlencoded"}
    declared = app_client.request(method, path, content=body, headers=headers)
    assert declared.status_code == 413, declared.text
    if kind == "unread":
        return  # a route that never reads its body holds none of it

    def chunks() -> Iterator[bytes]:  # no Content-Length: counted as it arrives
        for at in range(0, len(body), 8192):
            yield body[at:at + 8192]

    chunked = app_client.request(method, path, content=chunks(), headers=headers)
    assert chunked.status_code == 413, chunked.text


def test_bodies_under_the_limit_still_work(app_client):
    response = app_client.post("/agent/login", data={"agent": "alice", "token": TOKENS["alice"],
                                                     "pad": "x" * 60_000},
                               follow_redirects=False)
    assert response.status_code == 303


# -- agent event streams -----------------------------------------------------------------


async def test_event_streams_are_capped_per_agent(desktop):
    headers = {"Authorization": f"Bearer {TOKENS['alice']}"}
    async with httpx.AsyncClient(base_url=desktop.url, timeout=10) as client:
        streams = []
        for _ in range(4):
            response = await client.send(
                client.build_request("GET", "/api/handoffs/events", headers=headers),
                stream=True)
            assert response.status_code == 200
            streams.append(response)
        fifth = await client.get("/api/handoffs/events", headers=headers)
        assert fifth.status_code == 429 and fifth.headers["retry-after"]
        bob = await client.send(client.build_request(
            "GET", "/api/handoffs/events",
            headers={"Authorization": f"Bearer {TOKENS['bob']}"}), stream=True)
        assert bob.status_code == 200  # the cap is per agent
        await bob.aclose()
        await streams.pop().aclose()
        for _ in range(50):  # the server notices the closed stream
            await asyncio.sleep(0.1)
            again = await client.send(
                client.build_request("GET", "/api/handoffs/events", headers=headers),
                stream=True)
            if again.status_code == 200:
                break
            await again.aclose()
        assert again.status_code == 200
        await again.aclose()
        for response in streams:
            await response.aclose()


# -- login throttle ------------------------------------------------------------------------


def test_a_locked_name_stays_locked_whatever_fails_after_it():
    throttle = security.LoginThrottle(max_failures=3, window=300, max_addresses=100)
    for _ in range(3):
        throttle.failed("10.0.0.1", "alice", 0.0)
    assert not throttle.allowed("10.0.0.1", "alice", 1.0)
    for n in range(20_000):  # a spray of names from the same address...
        throttle.failed("10.0.0.1", f"name{n}", 1.0)
    for n in range(20_000):  # ...and from as many other addresses
        throttle.failed(f"10.1.{n // 256}.{n % 256}", f"name{n}", 2.0)
    assert not throttle.allowed("10.0.0.1", "alice", 3.0)
    assert not throttle.allowed("10.0.0.1", "bob", 3.0)  # the spraying address, for all names
    assert len(throttle) <= 100
    assert throttle.allowed("10.0.0.1", "alice", 301.0)  # until the window has passed


def test_the_table_fails_closed_when_full_of_locked_addresses():
    throttle = security.LoginThrottle(max_failures=1, window=60, max_addresses=10)
    for n in range(10):
        throttle.failed(f"10.0.0.{n}", "alice", 0.0)
    assert not throttle.allowed("10.9.9.9", "alice", 1.0)
    assert all(not throttle.allowed(f"10.0.0.{n}", "alice", 1.0) for n in range(10))
    assert throttle.allowed("10.9.9.9", "alice", 61.0)


def test_login_throttle_is_not_flushed_by_failures_under_other_names():
    auth = AgentAuth(TOKENS, secret="test-session-secret-0123456789", max_failures=3)
    app = FastAPI()
    from voicebot.handoff import HandoffStore

    store = HandoffStore(":memory:", redact=lambda value: value)
    app.include_router(build_agent_router(store, auth))
    client = TestClient(app, base_url="http://127.0.0.1")

    def login(agent: str, token: str) -> int:
        return client.post("/agent/login", data={"agent": agent, "token": token},
                           follow_redirects=False).status_code

    for _ in range(3):
        assert login("alice", "wrong") == 401
    assert login("alice", TOKENS["alice"]) == 429
    began = time.monotonic()
    for n in range(10_050):  # the old table forgot its oldest entry past 10,000
        assert login(f"mallory{n}", "wrong") in (401, 429)
    assert login("alice", TOKENS["alice"]) == 429
    assert time.monotonic() - began < 60
    store.close()


# -- slow handshakes ---------------------------------------------------------------------


async def test_connections_that_never_finish_their_headers_are_closed(tmp_path, monkeypatch,
                                                                      caplog):
    from voicebot.web.http import DeadlineH11Protocol

    monkeypatch.setattr(DeadlineH11Protocol, "header_seconds", 0.5)
    settings = Settings(home=tmp_path, llm_backend="none", max_calls=2)
    with stand_in_service(settings, http=DeadlineH11Protocol) as service:
        url = service.http
        port = int(url.rsplit(":", 1)[1])
        slow = []
        for _ in range(50):  # a slow handshake each, one header line and no end
            reader, writer = await asyncio.open_connection("127.0.0.1", port)
            writer.write(b"GET /twilio/stream HTTP/1.1\r\nHost: x\r\nUpgrade: web")
            slow.append((reader, writer))
        async with connect(service.ws) as ws:
            await asyncio.sleep(1.5)
            # Every slow one was closed; the WebSocket opened at the same time was not.
            for reader, _ in slow:
                assert await asyncio.wait_for(reader.read(), timeout=2) == b""
            await ws.send(CONNECTED)
            await ws.send(start("CA1"))
            assert await answered(ws)
        assert (await asyncio.to_thread(service.health))["status"] in ("ok", "loading")
        for _, writer in slow:
            writer.close()
    assert "no complete request within 0.5 s" in caplog.text
