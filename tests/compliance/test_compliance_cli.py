"""``voicebot compliance can-call`` through the real command line: 0 yes, 1 no, 2 bad input."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from voicebot.cli import main
from voicebot.policy.loading import display_path
from voicebot.settings import PROJECT_ROOT


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(["compliance", "can-call", *argv])
    out, err = capsys.readouterr()
    return code, out, err


def history(tmp_path: Path, *records: dict | str) -> Path:
    path = tmp_path / "history.jsonl"
    path.write_text("".join(
        (r if isinstance(r, str) else json.dumps(r)) + "\n" for r in records
    ))
    return path


@pytest.mark.parametrize(
    ("account", "at", "code", "rule"),
    [
        ("100200", "2026-11-03T07:59:00-08:00", 1, "calling_window"),
        ("100200", "2026-11-03T08:00:00-08:00", 0, "allowed"),
        ("100200", "2026-11-03T16:00:00Z", 0, "allowed"),  # the same instant in UTC
        ("100200", "2026-11-04T04:59:00Z", 0, "allowed"),  # 20:59 PST
        ("100200", "2026-11-04T05:00:00Z", 1, "calling_window"),  # 21:00 PST
        ("500600", "2026-03-08T08:00:00-04:00", 0, "allowed"),  # first morning of EDT
        ("500600", "2026-03-08T07:59:00-04:00", 1, "calling_window"),
        ("300400", "2026-11-08T10:00:00+01:00", 1, "creditor_hours"),  # a Sunday in Paris
        ("300400", "2026-11-09T08:00:00+01:00", 0, "allowed"),
    ],
)
def test_yes_or_no_with_the_rule(capsys, account, at, code, rule):
    status, out, _ = run(capsys, "--account", account, "--at", at)
    assert status == code
    first = out.splitlines()[0]
    assert first.startswith(f"{'yes' if code == 0 else 'no'}: {rule}: ")


def test_text_output_says_when_the_call_may_be_placed(capsys):
    code, out, _ = run(capsys, "--account", "100200", "--at", "2026-11-03T21:00:00-08:00")
    assert code == 1
    assert out.splitlines() == [
        "no: calling_window: Tue 2026-11-03 21:00 America/Los_Angeles is outside the calling "
        "window (FDCPA §805(a)(1)): 08:00-21:00 local time",
        "next allowed: 2026-11-04T08:00:00-08:00 (America/Los_Angeles)",
    ]


def test_json_output(capsys, tmp_path):
    path = history(tmp_path, {"kind": "conversation", "at": "2026-11-01T10:00:00-05:00",
                              "account": "500600"})
    code, out, _ = run(capsys, "--account", "500600", "--at", "2026-11-03T12:00:00Z",
                       "--history", str(path), "--json")
    assert code == 1
    data = json.loads(out)
    assert data == {
        "account": "500600", "debt": "500600", "at": "2026-11-03T07:00:00-05:00",
        "timezone": "America/New_York", "creditor": "contoso-bank", "jurisdiction": "US",
        "allowed": False, "rule": "after_conversation", "reason": data["reason"],
        "next_allowed": "2026-11-08T10:00:00-05:00",
    }
    assert "Sun 2026-11-01 10:00 America/New_York" in data["reason"]


def test_history_calls_flags_and_consent(capsys, tmp_path):
    at = "2026-11-10T12:00:00-05:00"
    calls = [{"kind": "attempt", "at": f"2026-11-{day:02d}T12:00:00-05:00", "account": "500600"}
             for day in range(4, 10)]
    path = history(tmp_path, *calls)
    assert run(capsys, "--account", "500600", "--at", at, "--history", str(path))[0] == 0
    path = history(tmp_path, *calls, {"kind": "attempt", "at": "2026-11-10T09:00:00-05:00",
                                      "account": "500600"})
    code, out, _ = run(capsys, "--account", "500600", "--at", at, "--history", str(path))
    assert code == 1 and out.startswith("no: call_frequency: 7 calls about debt 500600")
    # Calls about another debt of the account count only when that debt is asked about.
    code, out, _ = run(capsys, "--account", "500600", "--at", at, "--history", str(path),
                       "--debt", "other")
    assert code == 0
    path = history(tmp_path, *calls, {"kind": "flag", "at": "2026-11-09T12:00:00Z",
                                      "account": "500600", "flag": "stop_contact"})
    code, out, _ = run(capsys, "--account", "500600", "--at", at, "--history", str(path))
    assert code == 1 and out.startswith("no: flag.cease_contact: ")
    assert out.splitlines()[1] == "next allowed: none until a person acts on it"
    path = history(
        tmp_path,
        {"kind": "conversation", "at": "2026-11-10T10:00:00-05:00", "account": "500600"},
        {"kind": "consent", "at": "2026-11-10T10:05:00-05:00", "account": "500600"},
    )
    code, out, _ = run(capsys, "--account", "500600", "--at", at, "--history", str(path))
    assert code == 0 and "consented" in out


@pytest.mark.parametrize(
    ("lines", "message"),
    [
        (['{"kind": "attempt"'], "history.jsonl:1: invalid JSON"),
        (["", '{"kind": "attempt", "at": "2026-11-01T10:00:00", "account": "1"}'],
         "history.jsonl:2: at: '2026-11-01T10:00:00' has no UTC offset"),
        (['{"kind": "flag", "at": "2026-11-01T10:00:00Z", "account": "1", "flag": "x"}'],
         "history.jsonl:1: unknown flag 'x'"),
        (["[1, 2]"], "history.jsonl:1: expected a JSON object, got list"),
    ],
)
def test_a_broken_history_file_is_bad_input(capsys, tmp_path, lines, message):
    path = history(tmp_path, *lines)
    code, out, err = run(capsys, "--account", "500600", "--at", "2026-11-10T12:00:00Z",
                         "--history", str(path))
    assert code == 2 and out == ""
    assert f"voicebot: {display_path(path)}" in err and message in err


def test_missing_history_and_unknown_account_are_bad_input(capsys, tmp_path):
    code, _, err = run(capsys, "--account", "500600", "--at", "2026-11-10T12:00:00Z",
                       "--history", str(tmp_path / "none.jsonl"))
    assert code == 2 and "none.jsonl: no such file" in err
    code, _, err = run(capsys, "--account", "999", "--at", "2026-11-10T12:00:00Z")
    assert code == 2 and "no account '999' (known: 100200, 300400, 500600)" in err


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--account", "100200", "--at", "2026-11-03T08:00"], "has no UTC offset"),
        (["--account", "100200", "--at", "tomorrow"], "not an ISO 8601 time"),
        (["--account", "100200"], "the following arguments are required: --at"),
    ],
)
def test_bad_arguments_exit_2(capsys, argv, message):
    with pytest.raises(SystemExit) as caught:
        main(["compliance", "can-call", *argv])
    assert caught.value.code == 2
    assert message in capsys.readouterr().err


def test_exit_codes_of_the_real_process(tmp_path):
    def status(*argv: str) -> subprocess.CompletedProcess:
        return subprocess.run(
            [sys.executable, "-m", "voicebot", "compliance", "can-call", *argv],
            capture_output=True, text=True, cwd=PROJECT_ROOT, timeout=60,
        )

    yes = status("--account", "300400", "--at", "2026-11-10T12:00:00+01:00", "--json")
    assert yes.returncode == 0, yes.stderr
    assert json.loads(yes.stdout)["allowed"] is True
    no = status("--account", "300400", "--at", "2026-11-10T21:00:00+01:00")
    assert no.returncode == 1 and no.stdout.startswith("no: creditor_hours: ")
    bad = status("--account", "300400", "--at", "2026-11-10 noon")
    assert bad.returncode == 2 and "--at" in bad.stderr


def test_the_history_comes_from_the_records_by_default(capsys, own_records):
    import datetime as dt

    from voicebot.data import Database, Records
    from voicebot.data.records import CallStart

    at = "2026-12-03T10:00:00-05:00"  # a Thursday morning in New York
    assert run(capsys, "--account", "500600", "--at", at)[0] == 0
    db = Database(own_records)
    db.upgrade()
    records = Records(db)
    talked = dt.datetime(2026, 12, 1, 15, 0, tzinfo=dt.UTC)
    records.start_call(CallStart(call_id="CA1", carrier="twilio", creditor="contoso-bank",
                                 language="en", started_at=talked, account="500600"))
    records.set_account("CA1", "contoso-bank", "500600", conversation_at=talked)
    code, out, _ = run(capsys, "--account", "500600", "--at", at)
    assert code == 1 and "no:" in out  # a conversation two days ago: seven quiet days
    records.set_flag("contoso-bank", "500600", "cease_contact", at=talked)
    code, out, _ = run(capsys, "--account", "500600", "--at", "2026-12-20T10:00:00-05:00",
                       "--json")
    assert code == 1 and "cease" in json.loads(out)["rule"]
    db.dispose()
