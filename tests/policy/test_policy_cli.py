"""``voicebot policy ...`` through the real command line."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from decimal import Decimal

import pytest

from voicebot.cli import main
from voicebot.policy.loading import display_path
from voicebot.settings import PROJECT_ROOT

TODAY = ["--today", "2026-11-02"]


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(["policy", *argv])
    out, err = capsys.readouterr()
    return code, out, err


def quote(capsys, *argv: str) -> dict:
    code, out, err = run(capsys, "quote", *argv, *TODAY, "--json")
    assert code == 0, err
    return json.loads(out)


def test_quote_acme_low_amount_json(capsys):
    data = quote(capsys, "--creditor", "acme-telecom", "--balance", "480.00", "--monthly", "10")
    assert data["accepted"] is False and data["requires_human"] is False
    assert data["currency"] == "USD" and data["kind"] == "instalments"
    assert data["schedule"][0] == {"due": "2026-11-02", "amount": "48.00", "role": "down_payment"}
    assert [row["amount"] for row in data["schedule"][1:]] == ["72.00"] * 6
    assert data["total"] == "480.00" and data["count"] == 7 and data["instalments"] == 6
    assert data["policy_id"] == "acme-telecom" and data["policy_version"] == "2026-11-01"
    assert data["ask"]["frequency"] == "monthly"
    assert all(isinstance(reason, str) for reason in data["reasons"]) and data["reasons"]


def test_quote_contoso_settlement_and_hardship_json(capsys):
    data = quote(capsys, "--creditor", "contoso-bank", "--balance", "2400.00",
                 "--settlement", "2040.00", "--first-date", "2026-12-02")
    assert data["accepted"] is True and data["kind"] == "settlement"
    assert data["schedule"] == [{"due": "2026-12-02", "amount": "2040.00", "role": "settlement"}]
    data = quote(capsys, "--creditor", "contoso-bank", "--balance", "2400",
                 "--settlement", "1900")
    assert data["accepted"] is False and data["total"] == "2040.00"
    data = quote(capsys, "--creditor", "contoso-bank", "--balance", "2400.00",
                 "--instalments", "18", "--hardship")
    assert data["accepted"] is True and data["requires_human"] is True
    assert len(data["schedule"]) == 18


def test_quote_from_account(capsys):
    data = quote(capsys, "--account", "300400", "--instalments", "4")
    assert data["currency"] == "EUR" and data["balance"] == "236.40"
    assert [row["amount"] for row in data["schedule"]] == ["59.10"] * 4


def test_quote_table(capsys):
    code, out, _ = run(capsys, "quote", "--creditor", "contoso-bank", "--balance", "2400.00",
                       "--instalments", "18", "--hardship", *TODAY)
    assert code == 0
    assert "Contoso Bank (contoso-bank, version 2026-11-01): balance 2400.00 USD" in out
    assert "Accepted: 18 monthly instalments of 133.34 USD" in out
    assert "Needs approval by a member of staff" in out
    assert "   18  2028-04-02   133.22  instalment" in out
    assert "Total       2400.00  USD" in out


def test_options_json_and_table(capsys):
    code, out, _ = run(capsys, "options", "--creditor", "contoso-bank", "--balance", "2400.00",
                       *TODAY, "--json")
    assert code == 0
    menu = json.loads(out)
    assert [o["label"] for o in menu] == ["pay_in_full", "lowest_instalment", "settlement"]
    assert all(o["accepted"] for o in menu)
    code, out, _ = run(capsys, "options", "--account", "100200", *TODAY)
    assert code == 0 and "Pay in full:" in out and "Lowest instalment:" in out


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["quote", "--creditor", "nope", "--balance", "1"], "no policy for creditor 'nope'"),
        (["quote", "--creditor", "acme-telecom", "--balance", "0"], "above zero"),
        (["quote", "--creditor", "acme-telecom", "--balance", "-3"], "above zero"),
        (["quote", "--creditor", "acme-telecom", "--balance", "1.001"], "decimal places"),
        (["quote", "--creditor", "acme-telecom"], "give --creditor and --balance"),
        (["options", "--account", "999"], "no account '999'"),
    ],
)
def test_quote_errors_are_clear(capsys, argv, message):
    code, _, err = run(capsys, *argv, *TODAY)
    assert code == 2 and message in err


def test_bad_arguments_exit_with_usage(capsys):
    with pytest.raises(SystemExit) as caught:
        main(["policy", "quote", "--creditor", "acme-telecom", "--balance", "ten"])
    assert caught.value.code == 2
    assert "not an amount: 'ten'" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        main(["policy", "quote", "--creditor", "a", "--balance", "1", "--monthly", "1",
              "--instalments", "2"])


def test_check_shipped_files(capsys):
    code, out, _ = run(capsys, "check")
    assert code == 0
    assert "acme-telecom.yaml: ok (policy acme-telecom, version 2026-11-01)" in out
    assert "accounts.yaml: ok (3 accounts)" in out


def test_check_lists_every_problem_of_every_file(capsys, tmp_path):
    folder = tmp_path / "policies"
    shutil.copytree(PROJECT_ROOT / "policies", folder)
    acme = folder / "acme-telecom.yaml"
    acme.write_text(acme.read_text().replace("max_count: 6 ", "max_count: 0 ")
                    .replace("currency: USD", "currency: XYZ"))
    north = folder / "northwind-energy.yaml"
    north.write_text(north.read_text().replace("frequencies: [monthly]", "frequencies: ["))
    code, out, _ = run(capsys, "check", str(folder), str(folder / "contoso-bank.yaml"))
    assert code == 1
    acme, north = display_path(acme), display_path(north)
    assert f"{acme}: instalments.max_count: Input should be greater than 0" in out
    assert f"{acme}: currency: Value error, unknown currency 'XYZ'" in out
    assert f"{north}: invalid YAML" in out
    # the accounts whose creditors are broken are reported too
    assert "accounts[0] (100200).creditor: no valid policy for 'acme-telecom'" in out
    assert out.count("contoso-bank.yaml: ok") == 2
    assert "5 file(s) checked, 3 with problems" in out


def test_real_process(tmp_path):
    command = [sys.executable, "-m", "voicebot", "policy", "quote", "--creditor",
               "northwind-energy", "--balance", "236.40", "--instalments", "4", *TODAY, "--json"]
    done = subprocess.run(
        command, cwd=tmp_path, capture_output=True, text=True, timeout=60, check=False
    )
    assert done.returncode == 0, done.stderr
    data = json.loads(done.stdout)
    assert data["accepted"] is True and data["currency"] == "EUR"
    assert sum(Decimal(row["amount"]) for row in data["schedule"]) == Decimal("236.40")
