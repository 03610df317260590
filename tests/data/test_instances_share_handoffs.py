"""Two service instances on one PostgreSQL database: they can start at once (the
migrations take turns), and with a hand-off store each, a change on one reaches the
other's subscribers live (LISTEN/NOTIFY), once; the listener comes back after its
connection is cut."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import time

import pytest
import sqlalchemy as sa

from tests.data.conftest import fresh_postgres
from tests.data.test_handoffs_in_records import packet
from voicebot.data import Database
from voicebot.data.notify import APPLICATION_NAME, MAX_PAYLOAD_BYTES, Notice, NoticeError
from voicebot.handoff import HandoffStore
from voicebot.settings import PROJECT_ROOT


@pytest.fixture
def pg_server(request) -> str:
    if os.environ.get("VOICEBOT_TEST_POSTGRES") == "off":
        pytest.skip("PostgreSQL left out")
    return request.getfixturevalue("postgres_url")


@pytest.fixture
def pg_database(pg_server):
    url, drop = fresh_postgres(pg_server)
    db = Database(url)
    db.upgrade()
    yield db
    db.dispose()
    drop()


@pytest.fixture
def two_stores(pg_database):
    """Two instances' stores, each with its own engine, as two processes would have."""
    other = Database(pg_database.url)
    a, b = HandoffStore(pg_database), HandoffStore(other)
    assert a.listening and b.listening
    yield a, b
    a.close()
    b.close()
    other.dispose()


def test_instances_starting_at_once_migrate_one_after_the_other(pg_server):
    url, drop = fresh_postgres(pg_server)
    command = [sys.executable, "-m", "voicebot", "db", "upgrade", "--database",
               url.render_as_string(hide_password=False)]
    try:
        starting = [subprocess.Popen(command, cwd=PROJECT_ROOT, stdout=subprocess.PIPE,
                                     stderr=subprocess.STDOUT) for _ in range(3)]
        outputs = [p.communicate(timeout=120)[0].decode(errors="replace") for p in starting]
        assert [p.returncode for p in starting] == [0, 0, 0], outputs
        db = Database(url)
        assert db.revision() == db.head()
        db.dispose()
    finally:
        drop()


async def events(sub, within: float = 1.0) -> list:
    """Every event that arrives within ``within`` seconds (or before the end)."""
    got, deadline = [], time.monotonic() + within
    while (left := deadline - time.monotonic()) > 0:
        try:
            event = await sub.get(left)
        except StopAsyncIteration:
            break
        if event is not None:
            got.append(event)
    return got


async def test_a_change_on_one_store_reaches_the_other_live_and_once(two_stores):
    a, b = two_stores
    on_a, on_b = a.subscribe(), b.subscribe()
    started = time.monotonic()
    kept = await asyncio.to_thread(a.add, packet())
    first = await on_b.get(1.0)
    assert first is not None, "the other instance never heard of the hand-off"
    assert time.monotonic() - started < 1.0
    # Published there exactly as a local change is: same kind, status and packet.
    assert (first.kind, first.id, first.status) == ("added", kept.id, "waiting")
    assert first.packet == kept.to_dict()

    await asyncio.to_thread(b.accept, kept.id, "alice")  # and back the other way
    await asyncio.to_thread(b.complete, kept.id, "alice", "called back")
    on_a_events, on_b_events = await asyncio.gather(events(on_a), events(on_b))
    assert [(e.kind, e.status) for e in on_a_events] == [
        ("added", "waiting"), ("accepted", "active"), ("completed", "completed")]
    assert on_a_events[-1].packet["notes"] == "called back"
    # Each store published its own changes once: no echo of its notices.
    assert [e.kind for e in on_b_events] == ["accepted", "completed"]
    on_a.close()
    on_b.close()


async def test_the_listener_comes_back_after_its_connection_is_cut(two_stores, pg_database):
    a, b = two_stores
    watching = b.subscribe()
    with pg_database.begin() as c:
        cut = c.execute(sa.text(
            "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
            "WHERE application_name = :name AND datname = current_database()"),
            {"name": APPLICATION_NAME}).scalar()
    assert cut == 2  # both stores' listeners
    # Notices sent while it was away are lost: its subscribers end and reload.
    assert await events(watching, 3.0) == []
    assert watching.closed and watching.dropped
    deadline = time.monotonic() + 5
    while not (a.listening and b.listening) and time.monotonic() < deadline:
        await asyncio.sleep(0.05)
    assert a.listening and b.listening

    again = b.subscribe()
    kept = await asyncio.to_thread(a.add, packet("CA2"))
    event = await again.get(1.0)
    assert event is not None and event.id == kept.id and event.kind == "added"
    again.close()


def test_a_notice_carries_names_only_and_fits_postgresql():
    notice = Notice("h" * 32, "accepted", "o" * 32)
    assert Notice.parse(notice.payload()) == notice
    assert Notice.parse("not json") is None and Notice.parse('{"id": "x"}') is None
    with pytest.raises(NoticeError):
        Notice("x" * MAX_PAYLOAD_BYTES, "added", "o").payload()


def test_sqlite_stores_do_not_listen(tmp_path):
    store = HandoffStore(tmp_path / "handoffs.db")
    assert store.listening
    kept = store.add(packet())
    assert store.accept(kept.id, "alice").status == "active"
    store.close()
