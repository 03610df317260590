"""The hand-off store on the service's database, SQLite and PostgreSQL alike: one
accept wins, every change is kept, and packets of the earlier separate file move over."""

from __future__ import annotations

import datetime as dt
import sqlite3
import threading

import pytest

from voicebot.handoff import HandoffStore, build_packet
from voicebot.handoff.store import HandoffStateError


def packet(call_id: str = "CA1"):
    return build_packet(
        call_id=call_id, creditor_id="acme-telecom", creditor_name="Acme Telecom",
        language="en", reason="dispute", account_reference="100200", account_name="Jane Doe",
        verified=True, decision=None, agreed=False,
        transcript=[{"speaker": "caller", "text": "this is not my debt", "at": 20.0}],
        call_started=dt.datetime(2026, 12, 1, 15, 0, tzinfo=dt.UTC),
        handoff_requested=dt.datetime(2026, 12, 1, 15, 1, tzinfo=dt.UTC), turns=4,
        turn_ms=[800.0])


def test_the_packets_live_in_the_records(database):
    store = HandoffStore(database)
    kept = store.add(packet())
    assert store.get(kept.id).reason == "dispute"
    assert store.find_by_call("CA1").id == kept.id
    with pytest.raises(HandoffStateError, match="already stored"):
        store.add(kept)
    store.accept(kept.id, "alice")
    assert store.complete(kept.id, "alice", "sent the proof").status == "completed"
    assert [p.status for p in store.list()] == ["completed"]
    assert [p.id for p in store.list(status="completed")] == [kept.id]
    store.close()
    assert HandoffStore(database).get(kept.id).notes == "sent the proof"


def test_one_accept_wins_across_threads(database):
    store = HandoffStore(database)
    kept = store.add(packet())
    winners, losers = [], []
    barrier = threading.Barrier(6)

    def take(agent: str) -> None:
        barrier.wait()
        try:
            store.accept(kept.id, agent)
            winners.append(agent)
        except HandoffStateError:
            losers.append(agent)

    threads = [threading.Thread(target=take, args=(f"agent{i}",)) for i in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(winners) == 1 and len(losers) == 5
    assert store.get(kept.id).agent == winners[0]


def test_packets_of_the_earlier_file_move_over_once(database, tmp_path):
    old = HandoffStore(tmp_path / "handoffs.db")  # a store of its own, as before
    first = old.add(packet("CA7"))
    old.accept(first.id, "bob")
    old.close()
    store = HandoffStore(database)
    assert store.import_legacy(tmp_path / "handoffs.db") == 1
    assert store.import_legacy(tmp_path / "handoffs.db") == 0  # already there
    assert store.get(first.id).agent == "bob"
    assert store.import_legacy(tmp_path / "missing.db") == 0
    (tmp_path / "junk.db").write_bytes(b"not a database")
    assert store.import_legacy(tmp_path / "junk.db") == 0
    with sqlite3.connect(tmp_path / "handoffs.db") as db:  # the old file is left as it was
        assert db.execute("SELECT count(*) FROM handoffs").fetchone()[0] == 1
