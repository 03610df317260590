"""The SQLite store: checked state changes, persistence, and live subscriptions."""

from __future__ import annotations

import asyncio
import datetime as dt
import sqlite3
import threading

import pytest
from handoff_support import CARD, card_redact

from voicebot.handoff import HandoffNotFound, HandoffStateError, HandoffStore
from voicebot.handoff.packet import MAX_NOTES_CHARS


def test_add_get_list(store, make_packet):
    at = dt.datetime(2026, 11, 26, 15, 1, 15, tzinfo=dt.UTC)
    first = store.add(make_packet(handoff_requested=at))
    second = store.add(make_packet(reason="dispute",
                                   handoff_requested=at + dt.timedelta(seconds=1)))
    assert store.get(first.id) == first
    assert [p.id for p in store.list()] == [second.id, first.id]  # newest first
    assert [p.id for p in store.list(limit=1)] == [second.id]
    store.accept(first.id, "alice")
    assert [p.id for p in store.list("waiting")] == [second.id]
    assert [p.id for p in store.list(["waiting", "active"])] == [second.id, first.id]
    assert store.list("completed") == []
    assert store.find_by_call(first.call_id).id == second.id  # the latest of that call
    with pytest.raises(HandoffStateError, match="unknown status 'lost'"):
        store.list("lost")


def test_lifecycle_and_refused_changes(store, make_packet):
    packet = store.add(make_packet())
    with pytest.raises(HandoffStateError, match="is waiting, not active; accept it first"):
        store.complete(packet.id, "alice", "done")
    with pytest.raises(HandoffStateError, match="accept it before writing notes"):
        store.set_notes(packet.id, "alice", "hello")

    active = store.accept(packet.id, "alice")
    assert (active.status, active.agent) == ("active", "alice")
    assert active.accepted_at and active.accepted_at.endswith("Z")
    with pytest.raises(HandoffStateError, match="already accepted by alice"):
        store.accept(packet.id, "bob")
    with pytest.raises(HandoffStateError, match="accepted by alice, not bob"):
        store.complete(packet.id, "bob")
    with pytest.raises(HandoffStateError, match="accepted by alice, not bob"):
        store.set_notes(packet.id, "bob", "mine now")
    with pytest.raises(HandoffStateError, match="is active; it cannot become fallback"):
        store.mark(packet.id, "fallback")

    assert store.set_notes(packet.id, "alice", "Called about the plan.").notes == \
        "Called about the plan."
    done = store.complete(packet.id, "alice", "Took the first payment.")
    assert (done.status, done.notes) == ("completed", "Took the first payment.")
    assert done.completed_at
    with pytest.raises(HandoffStateError, match="is completed; it cannot be accepted"):
        store.accept(packet.id, "alice")
    assert store.set_notes(packet.id, "alice", "Amended.").notes == "Amended."  # still hers

    with pytest.raises(HandoffStateError, match="use accept"):
        store.mark(packet.id, "active")
    with pytest.raises(HandoffNotFound, match="no hand-off 'nope'"):
        store.accept("nope", "alice")
    with pytest.raises(HandoffNotFound):
        store.get("nope")


def test_fallen_back_or_abandoned_ones_can_be_called_back(store, make_packet):
    fallen = store.add(make_packet())
    assert store.mark(fallen.id, "fallback").status == "fallback"
    with pytest.raises(HandoffStateError, match="is fallback; it cannot become abandoned"):
        store.mark(fallen.id, "abandoned")
    assert store.accept(fallen.id, "bob").status == "active"

    gone = store.add(make_packet())
    assert store.mark(gone.id, "abandoned").status == "abandoned"
    assert store.accept(gone.id, "alice").agent == "alice"


def test_the_call_to_the_accepting_agent(clocked_store, clock, make_packet):
    store = clocked_store
    packet = store.add(make_packet())
    taken = store.accept(packet.id, "alice", ring={"attempt": "a1", "reach": "client"})
    assert taken.connection == {"attempt": "a1", "reach": "client", "agent": "alice",
                                "state": "ringing", "call_sid": None, "detail": None,
                                "requested_at": "2026-01-15T12:00:00.000Z"}
    assert taken.agent_on_the_way
    moved = store.update_connection(packet.id, "a1", call_sid="CA1", state="joining")
    assert (moved.connection["state"], moved.connection["call_sid"]) == ("joining", "CA1")
    with pytest.raises(HandoffStateError, match="attempt 'a0' is not the current one"):
        store.update_connection(packet.id, "a0", state="connected")
    with pytest.raises(HandoffStateError, match="unknown connection state 'lost'"):
        store.update_connection(packet.id, "a1", state="lost")
    with pytest.raises(HandoffStateError, match="use accept\\(\\), complete\\(\\) or release"):
        store.mark(packet.id, "waiting")

    # Not taken: waiting again for any agent, what happened kept, in one change.
    released = store.release(packet.id, "a1", state="missed", detail="no-answer",
                             note="[voicebot] alice did not take the call (no-answer).")
    assert (released.status, released.agent, released.accepted_at) == ("waiting", None, None)
    assert released.connection["state"] == "missed" and not released.agent_on_the_way
    assert released.notes == "[voicebot] alice did not take the call (no-answer)."
    with pytest.raises(HandoffStateError, match="is waiting, not active"):
        store.release(packet.id, "a1")
    again = store.accept(packet.id, "bob", ring={"attempt": "b1", "reach": "phone"})
    assert (again.agent, again.connection["attempt"], again.connection["state"]) == \
        ("bob", "b1", "ringing")

    # A call-back (the caller is gone): accepted with no call to place.
    gone = store.add(make_packet())
    store.mark(gone.id, "abandoned")
    taken = store.accept(gone.id, "alice", ring={"attempt": "c1", "reach": "client"})
    assert taken.status == "active" and taken.connection is None


def test_same_id_twice_is_refused(store, make_packet):
    packet = store.add(make_packet())
    with pytest.raises(HandoffStateError, match="already stored"):
        store.add(packet)


def test_notes_are_redacted_and_bounded(store, make_packet):
    packet = store.add(make_packet())
    store.accept(packet.id, "alice")
    assert store.set_notes(packet.id, "alice", f"card {CARD}").notes == \
        "card [card number]"
    with pytest.raises(HandoffStateError, match="limited to"):
        store.set_notes(packet.id, "alice", "x" * (MAX_NOTES_CHARS + 1))
    assert store.annotate(packet.id, "[voicebot] line").notes == \
        "card [card number]\n[voicebot] line"


def test_packets_are_redacted_when_stored(tmp_path, make_packet):
    raw = make_packet(transcript=[{"speaker": "caller", "text": f"it is {CARD}", "at": 1}])
    assert CARD in raw.transcript[0]["text"]  # built without a hook
    store = HandoffStore(tmp_path / "h.db", redact=card_redact)
    try:
        stored = store.add(raw)
        assert CARD not in str(stored.to_dict())
        assert CARD not in str(store.get(raw.id).to_dict())
    finally:
        store.close()


def test_persists_across_reopen_in_wal_mode(tmp_path, make_packet):
    path = tmp_path / "nested" / "handoffs.db"
    store = HandoffStore(path)
    packet = store.add(make_packet())
    store.accept(packet.id, "alice")
    store.close()

    again = HandoffStore(path)
    try:
        stored = again.get(packet.id)
        assert (stored.status, stored.agent, stored.summary) == \
            ("active", "alice", packet.summary)
        assert again.complete(packet.id, "alice", "ok").status == "completed"
    finally:
        again.close()
    with sqlite3.connect(path) as db:
        assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert db.execute("SELECT status FROM handoffs").fetchall() == [("completed",)]
        indexes = {r[1] for r in db.execute("PRAGMA index_list(handoffs)")}
        assert {"ix_handoffs_status", "ix_handoffs_created_at"} <= indexes


def test_one_accept_wins_across_threads(store, make_packet):
    packet = store.add(make_packet())
    winners: list[str] = []
    errors: list[Exception] = []
    barrier = threading.Barrier(8)

    def grab(agent: str) -> None:
        barrier.wait()
        try:
            winners.append(store.accept(packet.id, agent).agent or "")
        except HandoffStateError as exc:
            errors.append(exc)

    threads = [threading.Thread(target=grab, args=(f"agent{i}",)) for i in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(winners) == 1 and len(errors) == 7
    assert store.get(packet.id).agent == winners[0]


# -- subscriptions ---------------------------------------------------------------------------


async def test_subscribers_see_every_change_in_order(store, make_packet):
    async with store.subscribe() as first:
        second = store.subscribe()
        packet = store.add(make_packet())
        store.accept(packet.id, "alice")
        store.set_notes(packet.id, "alice", "n")
        store.complete(packet.id, "alice")
        events = [await first.get(1) for _ in range(4)]
        assert [(e.kind, e.status) for e in events] == [
            ("added", "waiting"), ("accepted", "active"), ("notes", "active"),
            ("completed", "completed")]
        assert [e.seq for e in events] == sorted(e.seq for e in events)
        assert events[1].packet["agent"] == "alice"
        assert events[0].to_dict()["handoff"]["id"] == packet.id
        assert [(await second.get(1)).kind for _ in range(4)] == \
            ["added", "accepted", "notes", "completed"]
        assert await first.get(0.05) is None  # nothing more: a timeout, not the end
        second.close()
        assert store.subscriber_count == 1
        with pytest.raises(StopAsyncIteration):
            await second.get(1)
    assert store.subscriber_count == 0
    assert first.closed


async def test_a_slow_subscriber_is_dropped_not_waited_for(store, make_packet):
    slow = store.subscribe(queue_size=2)
    fast = store.subscribe()
    for _ in range(5):
        store.add(make_packet())
    assert slow.dropped and slow.closed
    assert store.subscriber_count == 1
    assert [e async for e in slow] == []  # the unread events are stale: reload instead
    assert [(await fast.get(1)).kind for _ in range(5)] == ["added"] * 5
    fast.close()


async def test_changes_from_other_threads_reach_the_loop(store, make_packet):
    sub = store.subscribe()
    packet = make_packet()
    await asyncio.to_thread(store.add, packet)
    event = await sub.get(2)
    assert event is not None and event.id == packet.id
    sub.close()


async def test_closing_the_store_ends_subscriptions(tmp_path, make_packet):
    store = HandoffStore(tmp_path / "h.db")
    sub = store.subscribe()

    async def read_all() -> list[str]:
        return [e.kind async for e in sub]

    reader = asyncio.create_task(read_all())
    store.add(make_packet())
    await asyncio.sleep(0.01)
    store.close()
    assert await asyncio.wait_for(reader, 1) == ["added"]


def test_subscribing_needs_an_event_loop(store):
    with pytest.raises(RuntimeError):
        store.subscribe()
