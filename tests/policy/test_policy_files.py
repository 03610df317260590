"""Broken policy and accounts files are refused with messages naming file and field."""

from __future__ import annotations

import shutil
from decimal import Decimal
from pathlib import Path

import pytest

from voicebot.errors import ConfigError
from voicebot.policy import PolicyFileError, load_accounts, load_policies, load_policy
from voicebot.policy.loading import display_path
from voicebot.settings import PROJECT_ROOT

SHIPPED = PROJECT_ROOT / "policies"


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    target = tmp_path / "policies"
    shutil.copytree(SHIPPED, target)
    return target


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    assert old in text, old
    path.write_text(text.replace(old, new, 1))


def problems(path: Path) -> list[str]:
    with pytest.raises(PolicyFileError) as caught:
        load_policy(path)
    assert isinstance(caught.value, ConfigError)
    for line in caught.value.problems:
        assert line.startswith(f"{display_path(path)}: "), line  # every line names the file
    return list(caught.value.problems)


def only(path: Path) -> str:
    found = problems(path)
    assert len(found) == 1, found
    return found[0].removeprefix(f"{display_path(path)}: ")


def test_shipped_files_are_valid():
    policies = load_policies(SHIPPED)
    assert sorted(policies) == ["acme-telecom", "contoso-bank", "northwind-energy"]
    accounts = load_accounts(SHIPPED / "accounts.yaml")
    assert {ref: (a.name, a.creditor, a.balance, a.currency, a.postcode, a.timezone, a.language)
            for ref, a in accounts.items()} == {
        "100200": ("Jane Doe", "acme-telecom", Decimal("480.00"), "USD", "94107",
                   "America/Los_Angeles", "en"),
        "300400": ("Marie Dupont", "northwind-energy", Decimal("236.40"), "EUR", "75011",
                   "Europe/Paris", "fr"),
        "500600": ("John Smith", "contoso-bank", Decimal("2400.00"), "USD", "10001",
                   "America/New_York", "en"),
    }
    assert str(accounts["300400"].zone) == "Europe/Paris"


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        ("max_count: 6 ", "max_count: 0 ",
         "instalments.max_count: Input should be greater than 0"),
        ("  max_count: 6                  # instalments, not counting the down payment\n", "",
         "instalments.max_count: required field is missing"),
        ("max_count: 6 ", "max_cout: 6 ",
         "instalments.max_cout: unknown field (did you mean 'max_count'?)"),
        ("max_count: 6 ", "max_count: six ",
         "instalments.max_count: Input should be a valid integer"),
        ('min_amount: "25.00"', "min_amount: [25]", "instalments.min_amount: Decimal input"),
        ("currency: USD", "currency: XYZ", "currency: Value error, unknown currency 'XYZ'"),
        ("currency: USD", "currency: usd", "currency: String should match pattern"),
        ('end: "21:00"', "end: 21:00", 'calling_hours.end: write the time in quotes, like "21:00"'),
        ('end: "21:00"', 'end: "07:00"', "calling_hours: Value error, start must be before end"),
        ("factors: [name, postcode]", "factors: [name, shoe_size]",
         "identity.factors[1]: Input should be 'name', 'postcode'"),
        ("languages: [en]", "languages: [en, en]",
         "languages: Value error, language listed twice: en"),
        ("frequencies: [monthly]", "frequencies: [daily]",
         "instalments.frequencies[0]: Input should be 'weekly', 'fortnightly' or 'monthly'"),
        ('min_amount: "25.00"', 'min_amount: "25.001"',
         "instalments.min_amount: has more than 2 decimal places"),
        ("first_payment_within_days: 14", "first_payment_within_days: 300",
         "instalments.first_payment_within_days: 300 days is longer than max_duration_days"),
        ("min_percent: 10 ", "min_percent: 0 ",
         "instalments.down_payment: set min_percent or min_amount above 0"),
        ("min_percent: 10 ", "min_percent: 100 ",
         "instalments.down_payment.min_percent: Input should be less than 100"),
        ("max_duration_days: 200", "max_duration_days: 100",
         "instalments.max_count: 6 instalments can never fit in max_duration_days (100)"),
        ("settlement: null ", "settlement: {max_discount_percent: 150, within_days: 30} ",
         "settlement.max_discount_percent: Input should be less than 100"),
        ("hardship: null ", "hardship: {max_count: 4} ",
         "hardship.max_count: must be at least the normal 6 (hardship may only widen)"),
        ("hardship: null ", "hardship: {max_count: 6} ",
         "hardship: widens no limit"),
        ("id: acme-telecom ", "id: acme ",
         "id: 'acme' does not match the file name (expected 'acme-telecom')"),
    ],
)
def test_broken_policy_is_refused_with_file_and_field(folder, old, new, expected):
    path = folder / "acme-telecom.yaml"
    edit(path, old, new)
    found = [line.removeprefix(f"{display_path(path)}: ") for line in problems(path)]
    assert any(line.startswith(expected) for line in found), found
    assert len(found) == 1 or "max_cout" in new, found


def test_the_documented_example_message(folder):
    path = folder / "acme-telecom.yaml"
    edit(path, "max_count: 6 ", "max_count: 0 ")
    where = display_path(path)
    assert f"{where}: instalments.max_count: Input should be greater than 0" in problems(path)[0]


def test_days_of_month_must_leave_an_allowed_day_in_the_window(folder):
    path = folder / "acme-telecom.yaml"
    edit(path, "  # days_of_month left out", "  days_of_month: [1]\n  #")
    assert "first_payment_within_days: 14 days may contain no allowed day" in only(path)
    edit(path, "days_of_month: [1]", "days_of_month: [29, 30]")
    assert "days_of_month: needs at least one day from 1 to 28" in only(path)


def test_every_problem_of_a_file_is_listed(folder):
    path = folder / "contoso-bank.yaml"
    edit(path, "max_count: 12", "max_count: -1")
    edit(path, "jurisdiction: US", "jurisdiction: usa")
    edit(path, "within_days: 30 ", "within_days: soon ")
    found = problems(path)
    assert len(found) == 3
    assert any("instalments.max_count:" in line for line in found)
    assert any("jurisdiction:" in line for line in found)
    assert any("settlement.within_days:" in line for line in found)


def test_hardship_narrower_in_several_ways_lists_each(folder):
    path = folder / "contoso-bank.yaml"
    edit(path, "  max_count: 18\n", "  max_count: 10\n  min_amount: \"60.00\"\n")
    found = problems(path)
    assert any("hardship.max_count: must be at least the normal 12" in f for f in found)
    assert any("hardship.min_amount: must be at most the normal 50.00" in f for f in found)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("id: [unclosed\n", "invalid YAML: line 2, column 1"),
        ("id: a\nid: b\n", "invalid YAML: line 2, column 1: duplicate key 'id'"),
        ("", "the file is empty"),
        ("- a\n- b\n", "expected field: value pairs at the top level, got list"),
        ("id: a\n\tname: b\n", "invalid YAML"),
    ],
)
def test_unreadable_yaml_is_refused(tmp_path, text, expected):
    path = tmp_path / "a.yaml"
    path.write_text(text)
    assert expected in only(path)


def test_missing_file_is_refused(tmp_path):
    assert "no such file" in only(tmp_path / "nope.yaml")


def test_load_policies_reports_every_file(folder):
    edit(folder / "acme-telecom.yaml", "max_count: 6 ", "max_count: 0 ")
    edit(folder / "northwind-energy.yaml", "currency: EUR", "currency: EURO")
    with pytest.raises(PolicyFileError) as caught:
        load_policies(folder)
    text = str(caught.value)
    assert "acme-telecom.yaml: instalments.max_count" in text
    assert "northwind-energy.yaml: currency" in text


# --------------------------------------------------------------------------- accounts


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        ('reference: "100200"', "reference: 100200",
         'accounts[0].reference: write it in quotes, like "100200"'),
        ('postcode: "75011"', "postcode: 75011", "accounts[1] (300400).postcode: write it in"),
        ("creditor: acme-telecom", "creditor: acme",
         "accounts[0] (100200).creditor: no valid policy for 'acme'"),
        ("currency: EUR", "currency: USD",
         "accounts[1] (300400).currency: USD differs from northwind-energy's EUR"),
        ("language: fr", "language: de",
         "accounts[1] (300400).language: 'de' is not one of northwind-energy's languages"),
        ('balance: "480.00"', 'balance: "480.001"', "accounts[0] (100200).balance: more than 2"),
        ('balance: "480.00"', 'balance: "-1"',
         "accounts[0] (100200).balance: Input should be greater than 0"),
        ("timezone: Europe/Paris", "timezone: Europe/Lyon",
         "accounts[1] (300400).timezone: Value error, unknown time zone 'Europe/Lyon'"),
        ('reference: "500600"', 'reference: "100200"',
         "accounts[2] (100200).reference: '100200' is used twice"),
        ("    language: en\n\n", "    language: en\n    phone: 1\n\n",
         "accounts[0] (100200).phone: unknown field"),
    ],
)
def test_broken_accounts_are_refused(folder, old, new, expected):
    path = folder / "accounts.yaml"
    edit(path, old, new)
    with pytest.raises(PolicyFileError) as caught:
        load_accounts(path)
    assert len(caught.value.problems) == 1, caught.value.problems
    assert caught.value.problems[0].startswith(f"{display_path(path)}: {expected}"), (
        caught.value.problems
    )


def test_accounts_checked_against_given_policies(folder):
    policies = load_policies(folder)
    del policies["contoso-bank"]
    with pytest.raises(PolicyFileError, match="no valid policy for 'contoso-bank'"):
        load_accounts(folder / "accounts.yaml", policies)
