"""A call's record as the session hands it over, written by the recorder: turns once,
corrections, flags on a verified account, the plan committed before it is confirmed."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from voicebot.call.record import CallRecord, TranscriptLine
from voicebot.call.recording import CallContext, RecordsRecorder
from voicebot.dialogue.base import Outcome
from voicebot.policy.engine import Decision

T0 = dt.datetime(2026, 12, 1, 15, 0, tzinfo=dt.UTC)


def outcome(**kw) -> Outcome:
    base = dict(language="en", prompt_version="en-3", policy_version="2026-11-01",
                creditor_id="acme-telecom", creditor_name="Acme Telecom",
                account_reference="100200")
    return Outcome(**{**base, **kw})


def record(lines, events=(), seconds=30.0, **kw) -> CallRecord:
    return CallRecord(call_id="CA9", language="en", started=T0, seconds=seconds,
                      at=T0 + dt.timedelta(seconds=seconds),
                      transcript=tuple(TranscriptLine(*line) for line in lines), turn_ms=(),
                      events=tuple(events), outcome=outcome(**kw))


@pytest.fixture
def recorder(records):
    return RecordsRecorder(records, CallContext(carrier="twilio", stream_id="MZ1",
                                                policy_hash="cd" * 32))


async def test_turns_are_written_once_and_a_cut_reply_corrected(records, recorder):
    first = [("bot", "Hello, automated assistant of Acme Telecom.", 0.1)]
    await recorder.started(record(first, [(0.0, "start", "language=en")]))
    both = [*first, ("caller", "yes", 3.0)]
    await recorder.progress(record(both))
    await recorder.progress(record(both))  # nothing new: nothing written twice
    cut = [("bot", "Hello, automated", 0.1, True),
           ("caller", "yes", 3.0, False, "voice", {"stt": 410.0, "total": 980.5})]
    await recorder.progress(record(cut))
    await recorder.finished(record(cut), "caller_hung_up")
    call = records.call("CA9")
    assert [(t["seq"], t["speaker"]) for t in call["turns"]] == [(1, "bot"), (2, "caller")]
    assert call["turns"][0]["text"] == "Hello, automated" and call["turns"][0]["interrupted"]
    assert call["end_reason"] == "caller_hung_up" and call["stream_id"] == "MZ1"
    assert call["turns"][1]["timings"] == {"stt": 410.0, "total": 980.5}
    assert [d["kind"] for d in call["decisions"]] == ["start"]


async def test_flags_go_on_the_account_only_once_verified(records, recorder):
    lines = [("caller", "this isn't my debt", 9.0)]
    await recorder.started(record(lines))
    await recorder.progress(record(lines, flags=("dispute",), verified=False))
    assert records.flags("acme-telecom", "100200") == []
    await recorder.progress(record(lines, flags=("dispute", "third_party", "stop_contact"),
                                   verified=True))
    assert [f["flag"] for f in records.flags("acme-telecom", "100200")] == [
        "dispute", "cease_contact"]
    assert records.flagged_accounts("acme-telecom") == {"100200": ("dispute", "cease_contact")}
    kinds = [c["kind"] for c in records.contacts("acme-telecom", "100200")]
    assert kinds == ["attempt", "conversation"]


async def test_an_agreed_plan_is_committed_with_its_proof(records, recorder):
    from voicebot.policy.schedule import Instalment

    decision = Decision(
        accepted=True, kind="instalments", frequency="monthly", currency="USD",
        balance=Decimal("480.00"), total=Decimal("480.00"),
        schedule=(Instalment(dt.date(2026, 12, 1), Decimal("48.00"), "down_payment"),
                  Instalment(dt.date(2027, 1, 1), Decimal("432.00"))),
        reasons=(), requires_human=False, policy_id="acme-telecom",
        policy_version="2026-11-01", down_payment=Decimal("48.00"),
        instalment_amount=Decimal("432.00"), instalment_count=1, discount=Decimal(0),
        hardship=False, valid_until=None, ask=None, summary="48 now, 432 in January")
    lines = [("bot", "48 dollars today and 432 on January 1st. Do you agree?", 50.0),
             ("caller", "yes I agree", 55.0)]
    await recorder.started(record(lines[:1]))
    heard = T0 + dt.timedelta(seconds=54)
    arrangement_id = await recorder.agreed(record(lines, decision=decision, agreed=True),
                                           lines[0][1], lines[1][1],
                                           readback_finished_at=heard)
    [kept] = records.arrangements(account="100200")
    assert kept["id"] == arrangement_id and kept["total"] == "480.00"
    assert kept["policy_hash"] == "cd" * 32 and kept["readback_finished_at"] == (
        "2026-12-01T15:00:54Z")
    with pytest.raises(ValueError, match="without a plan"):
        await recorder.agreed(record(lines), "", "", readback_finished_at=None)


async def test_what_is_written_is_dated_by_the_record(records, recorder):
    """The recorder reads no clock: a conversation, a flag, an agreement, a disclosure
    and the end are dated with the time of the record that brought them."""
    from voicebot.policy.schedule import Instalment

    decision = Decision(
        accepted=True, kind="instalments", frequency="monthly", currency="USD",
        balance=Decimal("480.00"), total=Decimal("480.00"),
        schedule=(Instalment(dt.date(2026, 12, 1), Decimal("480.00")),),
        reasons=(), requires_human=False, policy_id="acme-telecom",
        policy_version="2026-11-01", down_payment=Decimal(0),
        instalment_amount=Decimal("480.00"), instalment_count=1, discount=Decimal(0),
        hardship=False, valid_until=None, ask=None, summary="480 on December 1st")
    lines = [("caller", "it's Jane Doe, and this isn't my debt", 9.0)]
    await recorder.started(record(lines, seconds=1.0))
    await recorder.progress(record(lines, seconds=12.5, flags=("dispute",), verified=True))
    await recorder.disclosure(record(lines, seconds=20.0), "mini_miranda", "This is...",
                              "u2.1", True)
    await recorder.agreed(record(lines, seconds=40.25, decision=decision, agreed=True),
                          "480 dollars on December 1st.", "yes", readback_finished_at=None)
    await recorder.finished(record(lines, seconds=61.0), "dialogue_ended")

    at = {seconds: (T0 + dt.timedelta(seconds=seconds)).isoformat().replace("+00:00", "Z")
          for seconds in (12.5, 20.0, 40.25, 61.0)}
    conversation = [c for c in records.contacts("acme-telecom", "100200")
                    if c["kind"] == "conversation"]
    assert [c["at"] for c in conversation] == [at[12.5]]
    assert [f["set_at"] for f in records.flags("acme-telecom", "100200")] == [at[12.5]]
    [kept] = records.arrangements(account="100200")
    assert kept["agreed_at"] == at[40.25]
    call = records.call("CA9")
    assert [(d["played_at"]) for d in call["disclosures"]] == [at[20.0]]
    assert call["ended_at"] == at[61.0]
