"""The records from the command line: upgrade, list, show, export."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal

from voicebot.cli import main
from voicebot.data import Database, Records
from voicebot.data.records import Arrangement, CallStart, Instalment

T0 = dt.datetime(2026, 12, 1, 15, 0, tzinfo=dt.UTC)


def fill(url: str) -> None:
    db = Database(url)
    db.upgrade()
    records = Records(db)
    records.start_call(CallStart(call_id="CA1", carrier="twilio", creditor="acme-telecom",
                                 language="en", started_at=T0, account="100200"))
    records.add_turn("CA1", 1, "bot", "Hello, automated assistant.", 0.1)
    records.save_arrangement(Arrangement(
        call_id="CA1", creditor="acme-telecom", account="100200", currency="USD",
        schedule=(Instalment(dt.date(2026, 12, 15), Decimal("48.00")),
                  Instalment(dt.date(2027, 1, 15), Decimal("100.00"))),
        kind="instalments", readback="48 dollars today, then 100", consent_words="yes I agree",
        agreed_at=T0 + dt.timedelta(minutes=2)))
    db.dispose()


def test_upgrade_then_current(database_url, capsys):
    assert main(["db", "current", "--database", str(database_url)]) == 1  # empty: behind
    assert main(["db", "upgrade", "--database", str(database_url)]) == 0
    assert "empty -> 0001" in capsys.readouterr().out
    assert main(["db", "upgrade", "--database", str(database_url)]) == 0
    assert "schema is current" in capsys.readouterr().out
    assert main(["db", "current", "--database", str(database_url)]) == 0


def test_calls_and_arrangements_list_and_show(database_url, capsys):
    url = str(database_url)
    fill(url)
    assert main(["calls", "list", "--database", url]) == 0
    table = capsys.readouterr().out
    assert "CA1" in table and "acme-telecom" in table
    assert main(["calls", "show", "CA1", "--database", url]) == 0
    call = json.loads(capsys.readouterr().out)
    assert call["turns"][0]["text"] == "Hello, automated assistant."
    assert call["arrangements"][0]["total"] == "148.00"
    assert main(["calls", "show", "nope", "--database", url]) == 1
    assert main(["arrangements", "list", "--json", "--account", "100200", "--database", url]) == 0
    [arrangement] = json.loads(capsys.readouterr().out)
    assert arrangement["schedule"] == [{"date": "2026-12-15", "amount": "48.00"},
                                       {"date": "2027-01-15", "amount": "100.00"}]
    assert main(["arrangements", "list", "--json", "--account", "999", "--database", url]) == 0
    assert json.loads(capsys.readouterr().out) == []


def test_audit_export_is_json_lines_in_time_order(database_url, tmp_path, capsys):
    url = str(database_url)
    fill(url)
    out = tmp_path / "audit.jsonl"
    assert main(["audit", "export", "--database", url, "--out", str(out)]) == 0
    events = [json.loads(line) for line in out.read_text().splitlines()]
    assert [e["type"] for e in events] == ["call", "contact", "arrangement"]
    assert main(["audit", "export", "--database", url,
                 "--since", "2026-12-01T15:01:00Z"]) == 0
    later = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [e["type"] for e in later] == ["arrangement"]
    assert main(["audit", "export", "--database", url, "--since", "yesterday"]) == 2
