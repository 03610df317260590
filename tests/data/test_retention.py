"""Personal data kept only as long as each creditor's policy allows, and one person's data
on request (``voicebot data purge``, ``voicebot data export``)."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal

from voicebot.cli import main
from voicebot.data import Records
from voicebot.data.records import Arrangement, CallStart, Instalment
from voicebot.handoff import HandoffStore, build_packet

NOW = dt.datetime(2029, 1, 10, 12, 0, tzinfo=dt.UTC)


def call(records: Records, call_id: str, creditor: str, account: str, when: dt.datetime):
    records.start_call(CallStart(call_id=call_id, carrier="twilio", creditor=creditor,
                                 language="fr", started_at=when, account=account))
    records.add_turn(call_id, 1, "caller", "bonjour", 1.0)
    records.finish_call(call_id, when + dt.timedelta(minutes=5), "caller_hung_up", None)


def url_of(database) -> str:
    return database.url.render_as_string(hide_password=False)


def test_purge_deletes_what_retention_no_longer_allows(database, records, capsys):
    old = NOW - dt.timedelta(days=800)  # past Northwind's 730 days (FR), within Acme's 1095
    call(records, "OLD-FR", "northwind-energy", "300400", old)
    call(records, "NEW-FR", "northwind-energy", "300400", NOW - dt.timedelta(days=10))
    call(records, "OLD-US", "acme-telecom", "100200", old)
    records.save_arrangement(Arrangement(
        call_id="OLD-FR", creditor="northwind-energy", account="300400", currency="EUR",
        schedule=(Instalment(dt.date(2026, 12, 1), Decimal("60.00")),), kind="instalments",
        readback="60 euros", consent_words="oui", agreed_at=old))
    HandoffStore(database).add(build_packet(
        call_id="OLD-FR", creditor_id="northwind-energy", creditor_name="Northwind",
        language="fr", reason="dispute", account_reference="300400", account_name="Marie",
        verified=True, decision=None, agreed=False, transcript=[], call_started=old,
        handoff_requested=old, turns=1, turn_ms=[]))
    records.set_flag("northwind-energy", "300400", "cease_contact", at=old)  # still set
    records.set_flag("northwind-energy", "300400", "dispute", at=old)
    records.clear_flag("northwind-energy", "300400", "dispute", at=old, by="alice")

    assert main(["data", "purge", "--dry-run", "--database", url_of(database),
                 "--now", NOW.isoformat()]) == 0
    assert "would be purged" in capsys.readouterr().out
    assert records.call("OLD-FR") is not None
    assert main(["data", "purge", "--database", url_of(database), "--now", NOW.isoformat()]) == 0
    out = capsys.readouterr().out
    assert "northwind-energy: kept 730 days" in out
    assert records.call("OLD-FR") is None and records.call("NEW-FR") is not None
    assert records.call("OLD-US") is not None  # Acme keeps three years
    assert records.arrangements(creditor="northwind-energy") == []
    assert HandoffStore(database).find_by_call("OLD-FR") is None
    kept = records.flags("northwind-energy", "300400", include_cleared=True)
    assert [f["flag"] for f in kept] == ["cease_contact"]  # protects the person: stays
    assert len(records.contacts("northwind-energy", "300400")) == 1  # the new call's


def test_export_gives_one_persons_data(database, records, capsys):
    call(records, "CA1", "northwind-energy", "300400", NOW)
    call(records, "CA2", "acme-telecom", "100200", NOW)
    records.set_flag("northwind-energy", "300400", "vulnerability", at=NOW)
    assert main(["data", "export", "--account", "300400", "--database", url_of(database)]) == 0
    data = json.loads(capsys.readouterr().out)
    assert [c["id"] for c in data["calls"]] == ["CA1"]
    assert data["calls"][0]["turns"][0]["text"] == "bonjour"
    assert [f["flag"] for f in data["flags"]] == ["vulnerability"]
    assert data["account"] == "300400" and data["contacts"]
    assert main(["data", "export", "--account", "999999", "--database", url_of(database)]) == 1
