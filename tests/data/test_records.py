"""What the records keep, and that they give it back as kept."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from voicebot.data import Database, DatabaseError, IntegrityViolation
from voicebot.data.records import Arrangement, CallStart, Instalment

T0 = dt.datetime(2026, 12, 1, 15, 0, tzinfo=dt.UTC)


def start(records, call_id="CA1", account="100200", **kw):
    records.start_call(CallStart(call_id=call_id, carrier="twilio", creditor="acme-telecom",
                                 language="en", started_at=T0, account=account,
                                 prompt_version="en-3", policy_version="2026-11",
                                 policy_hash="ab" * 32, **kw))


def plan(call_id="CA1", **kw):
    return Arrangement(
        call_id=call_id, creditor="acme-telecom", account="100200", currency="USD",
        schedule=(Instalment(dt.date(2026, 12, 15), Decimal("120.00")),
                  Instalment(dt.date(2027, 1, 15), Decimal("120.00")),
                  Instalment(dt.date(2027, 2, 15), Decimal("40.50"))),
        kind="instalments", readback="3 payments: 120 dollars on December 15th ...",
        consent_words="yes I agree", agreed_at=T0 + dt.timedelta(minutes=3),
        policy_version="2026-11", policy_hash="ab" * 32, **kw)


def test_a_call_is_kept_with_its_turns_disclosures_and_decisions(records):
    start(records)
    records.add_turn("CA1", 1, "bot", "Hello, this is Acme Telecom's automated assistant.",
                     0.2, timings={"tts_first_audio": 65.0})
    records.add_turn("CA1", 2, "caller", "yes [card number removed]", 4.1, via="voice")
    records.mark_interrupted("CA1", 1)
    records.disclosure_started("CA1", "debt_collection", "This is an attempt to collect a "
                               "debt...", "disclosure-1", T0 + dt.timedelta(seconds=9))
    assert records.disclosure_played("CA1", "disclosure-1", T0 + dt.timedelta(seconds=15))
    assert not records.disclosure_played("CA1", "disclosure-1", T0 + dt.timedelta(seconds=16))
    records.add_decision("CA1", 30.5, "engine", "counter-offer: minimum 25 USD")
    records.finish_call("CA1", T0 + dt.timedelta(minutes=4), "handoff:payment",
                        {"agreed": True, "handoff": "payment"})

    call = records.call("CA1")
    assert call["creditor"] == "acme-telecom" and call["account"] == "100200"
    assert call["instance"] == "test" and call["policy_hash"] == "ab" * 32
    assert call["started_at"] == "2026-12-01T15:00:00Z"
    assert call["ended_at"] == "2026-12-01T15:04:00Z"
    assert call["outcome"] == {"agreed": True, "handoff": "payment"}
    assert [t["speaker"] for t in call["turns"]] == ["bot", "caller"]
    assert call["turns"][0]["interrupted"] is True
    assert call["turns"][0]["timings"] == {"tts_first_audio": 65.0}
    assert call["disclosures"][0]["played_at"] == "2026-12-01T15:00:15Z"
    assert call["decisions"][0]["detail"] == "counter-offer: minimum 25 USD"
    assert records.call("nope") is None


def test_an_arrangement_is_kept_exactly(records):
    start(records)
    arrangement_id = records.save_arrangement(plan())
    records.readback_finished(arrangement_id, T0 + dt.timedelta(minutes=2, seconds=50))
    [kept] = records.arrangements(account="100200")
    assert kept["id"] == arrangement_id
    assert kept["total"] == "280.50" and kept["currency"] == "USD"
    assert kept["schedule"][2] == {"date": "2027-02-15", "amount": "40.50"}
    assert kept["consent_words"] == "yes I agree"
    assert kept["readback_finished_at"] == "2026-12-01T15:02:50Z"
    assert records.call("CA1")["arrangements"][0]["id"] == arrangement_id


def test_an_arrangement_must_belong_to_a_call_and_have_payments(records):
    with pytest.raises(IntegrityViolation):
        records.save_arrangement(plan(call_id="no-such-call"))
    start(records)
    with pytest.raises(ValueError, match="at least one payment"):
        records.save_arrangement(Arrangement(
            call_id="CA1", creditor="acme-telecom", currency="USD", schedule=(),
            kind="instalments", readback="", consent_words="yes", agreed_at=T0))
    assert records.arrangements() == []


def test_flags_are_set_once_and_cleared_by_a_person(records):
    assert records.set_flag("acme-telecom", "100200", "dispute", at=T0, call_id="CA1",
                            detail="not my account")
    assert not records.set_flag("acme-telecom", "100200", "dispute", at=T0)
    assert records.set_flag("acme-telecom", "100200", "cease_contact", at=T0)
    assert [f["flag"] for f in records.flags("acme-telecom", "100200")] == [
        "dispute", "cease_contact"]
    assert records.clear_flag("acme-telecom", "100200", "dispute", at=T0, by="alice")
    assert [f["flag"] for f in records.flags("acme-telecom", "100200")] == ["cease_contact"]
    assert len(records.flags("acme-telecom", "100200", include_cleared=True)) == 2
    with pytest.raises(ValueError, match="unknown flag"):
        records.set_flag("acme-telecom", "100200", "angry", at=T0)


def test_the_contact_ledger_counts_attempts_and_conversations(records):
    start(records)  # an inbound call with a known account is an attempt
    records.set_account("CA1", "acme-telecom", "100200",
                        conversation_at=T0 + dt.timedelta(minutes=1))
    records.add_contact("acme-telecom", "100200", T0 + dt.timedelta(days=1), kind="attempt",
                        direction="outbound")
    ledger = records.contacts("acme-telecom", "100200")
    assert [(c["kind"], c["direction"]) for c in ledger] == [
        ("attempt", "inbound"), ("conversation", "inbound"), ("attempt", "outbound")]
    assert len(records.contacts("acme-telecom", "100200", since=T0 + dt.timedelta(hours=1))) == 1
    assert records.contacts("acme-telecom", "999") == []


def test_calls_list_newest_first_and_audit_in_time_order(records):
    start(records, "CA1")
    records.start_call(CallStart(call_id="CA2", carrier="twilio", creditor="contoso-bank",
                                 language="fr", started_at=T0 + dt.timedelta(hours=1)))
    assert [c["id"] for c in records.calls()] == ["CA2", "CA1"]
    assert [c["id"] for c in records.calls(creditor="acme-telecom")] == ["CA1"]
    records.save_arrangement(plan())
    audit = records.audit()
    assert [e["type"] for e in audit][:2] == ["call", "contact"]
    assert audit == sorted(audit, key=lambda e: e["at"])
    assert {e["type"] for e in audit} >= {"call", "contact", "arrangement"}


def test_a_database_from_a_newer_version_is_refused(database):
    with database.begin() as c:
        import sqlalchemy as sa
        c.execute(sa.text("UPDATE alembic_version SET version_num = '9999'"))
    with pytest.raises(DatabaseError, match="does not know"):
        database.upgrade()


def test_a_bad_url_is_a_clear_error(tmp_path):
    with pytest.raises(DatabaseError, match="unsupported database"):
        Database("mysql://u:secret@127.0.0.1/x")
    with pytest.raises(DatabaseError, match="not a database URL"):
        Database("::not a url::")


def test_an_inbound_call_is_an_attempt_once_its_account_is_known(records):
    start(records, "CA5", account=None)
    records.set_account("CA5", "acme-telecom", "100200")
    records.set_account("CA5", "acme-telecom", "100200", conversation_at=T0)
    kinds = [c["kind"] for c in records.contacts("acme-telecom", "100200")]
    assert kinds == ["attempt", "conversation"]


def test_calls_left_open_by_a_stopped_process_get_a_reason(records):
    start(records, "OLD")
    records.start_call(CallStart(call_id="NOW", carrier="twilio", creditor="acme-telecom",
                                 language="en", started_at=T0 + dt.timedelta(hours=2)))
    assert records.close_unfinished(T0 + dt.timedelta(hours=1), "unfinished") == 1
    assert records.call("OLD")["end_reason"] == "unfinished"
    assert records.call("OLD")["ended_at"] is None
    assert records.call("NOW")["end_reason"] is None
    assert records.close_unfinished(T0 + dt.timedelta(hours=1), "unfinished") == 0
