"""The web layer's hand-off desk: a packet is kept before the caller hears about it,
a failed store is journaled (and the caller still moves), a caller gone first is
called back, and the journal is replayed into the store."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from voicebot.call.record import CallRecord, TranscriptLine
from voicebot.clock import FakeClock
from voicebot.dialogue.base import Outcome
from voicebot.handoff import HandoffJournal, HandoffService, HandoffStore
from voicebot.handoff.transfer import TransferResult
from voicebot.web.handoffs import Desk


def a_record(decision, *, agreed: bool = True, call_id: str = "CA0001") -> CallRecord:
    outcome = Outcome(
        language="en", prompt_version="p", policy_version="v", creditor_id="acme-telecom",
        creditor_name="Acme Telecom", account_reference="100200", account_name="Jane Doe",
        verified=True, decision=decision, agreed=agreed, handoff="payment",
        flags=("vulnerability",), priority=True, events=(("agreed", "x"),))
    return CallRecord(
        call_id=call_id, language="en", started=dt.datetime(2026, 12, 1, tzinfo=dt.UTC),
        seconds=60.0, at=dt.datetime(2026, 12, 1, 0, 1, tzinfo=dt.UTC),
        transcript=(TranscriptLine("caller", "my card is 4111 1111 1111 1111", 30.0),),
        turn_ms=(900.0,), events=(), outcome=outcome)


class Moves:
    """Stands where the carrier's transfer would be: records what it was asked to move."""

    def __init__(self) -> None:
        self.moved: list[tuple[str, str]] = []

    async def transfer(self, packet, *, call_sid):  # type: ignore[no-untyped-def]
        self.moved.append((packet.id, call_sid))
        return TransferResult(handoff_id=packet.id, call_sid=call_sid, action="enqueue",
                              twiml="<Response/>", status_code=200, call_status="in-progress",
                              elapsed_ms=1.0, watch=False)


class BrokenStore(HandoffStore):
    """A store whose disk is full: the fault the journal exists for."""

    def add(self, packet):  # type: ignore[no-untyped-def]
        raise OSError("database or disk is full")


@pytest.fixture
def moves():
    return Moves()


async def test_open_keeps_the_packet_before_anything_is_said(tmp_path, decision, moves):
    store = HandoffStore(tmp_path / "h.db")
    desk = Desk(HandoffService(store, moves), HandoffJournal(tmp_path / "j.jsonl"))
    handoff_id = await desk.open(a_record(decision), "payment")
    packet = store.get(handoff_id)
    assert packet.agreed and packet.decision["instalment_amount"] == "100.00"
    assert packet.flags[0] == "priority" and "vulnerability" in packet.flags
    assert "4111" not in json.dumps(packet.to_dict())
    assert await desk.transfer(a_record(decision), handoff_id, "payment")
    assert moves.moved == [(handoff_id, "CA0001")]
    store.close()


async def test_a_failed_store_is_journaled_and_the_caller_still_moves(tmp_path, decision,
                                                                       moves):
    journal = HandoffJournal(tmp_path / "j.jsonl")
    desk = Desk(HandoffService(BrokenStore(tmp_path / "h.db"), moves), journal)
    handoff_id = await desk.open(a_record(decision), "payment")
    assert handoff_id is not None
    assert await desk.transfer(a_record(decision), handoff_id, "payment")
    assert moves.moved == [(handoff_id, "CA0001")]
    kept = journal.path.read_text()
    assert handoff_id in kept and "4111" not in kept
    # The next start: the journal goes into a working store, once.
    store = HandoffStore(tmp_path / "other.db")
    assert journal.replay(store) == 1
    assert store.get(handoff_id).agreed
    assert journal.replay(store) == 0
    store.close()


async def test_a_caller_gone_before_the_transfer_is_called_back(tmp_path, decision, moves):
    store = HandoffStore(tmp_path / "h.db")
    desk = Desk(HandoffService(store, moves), HandoffJournal(tmp_path / "j.jsonl"))
    handoff_id = await desk.open(a_record(decision), "payment")
    await desk.call_back(handoff_id, "the caller left (stop) before the transfer")
    packet = store.get(handoff_id)
    assert packet.status == "fallback" and "Call back" in packet.notes
    assert moves.moved == []
    store.close()


async def test_a_request_the_call_ended_on_is_kept_for_staff(tmp_path, decision, moves):
    store = HandoffStore(tmp_path / "h.db")
    desk = Desk(HandoffService(store, moves), HandoffJournal(tmp_path / "j.jsonl"))
    await desk.keep(a_record(decision, agreed=False), "stop_contact")
    [packet] = store.list()
    assert packet.reason == "stop_contact" and packet.status == "fallback"
    assert "stop_contact" in packet.flags and moves.moved == []
    store.close()


async def test_the_packet_is_dated_by_the_call_and_its_changes_by_the_store(tmp_path, decision,
                                                                             moves):
    clock = FakeClock(wall=dt.datetime(2026, 12, 1, 0, 5, tzinfo=dt.UTC))
    store = HandoffStore(tmp_path / "h.db", clock=clock)
    desk = Desk(HandoffService(store, moves), HandoffJournal(tmp_path / "j.jsonl"))
    handoff_id = await desk.open(a_record(decision), "payment")
    packet = store.get(handoff_id)
    # When the call asked (its record's time), not when the store wrote it down.
    assert packet.created_at == packet.timing["handoff_requested"] == "2026-12-01T00:01:00.000Z"
    assert packet.timing["duration_seconds"] == 60.0
    clock.advance(42.5)
    assert store.accept(handoff_id, "alice").accepted_at == "2026-12-01T00:05:42.500Z"
    clock.advance(600)
    assert store.complete(handoff_id, "alice").completed_at == "2026-12-01T00:15:42.500Z"
    store.close()
