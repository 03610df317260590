"""The policy files' optional ``compliance:`` section: defaults, tightening, and clear
errors for anything looser than the law."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import pytest
from compliance_support import SHIPPED

from voicebot.compliance import rules_for_policy
from voicebot.policy import PolicyFileError, load_policies, load_policy
from voicebot.policy.loading import display_path


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    target = tmp_path / "policies"
    shutil.copytree(SHIPPED, target)
    return target


def with_section(path: Path, section: str, old: str = "", new: str = "") -> Path:
    """Add a ``compliance:`` section (YAML lines) before ``instalments:``; maybe edit."""
    text = path.read_text()
    if old:
        assert old in text, old
        text = text.replace(old, new, 1)
    path.write_text(text.replace("\ninstalments:", f"\n{section}\ninstalments:", 1))
    return path


def problems(path: Path) -> list[str]:
    with pytest.raises(PolicyFileError) as caught:
        load_policy(path)
    where = display_path(path)
    assert all(line.startswith(f"{where}: ") for line in caught.value.problems)
    return [line.removeprefix(f"{where}: ") for line in caught.value.problems]


def test_shipped_policies_load_unchanged_with_the_law_defaults():
    rules = {pid: rules_for_policy(p) for pid, p in load_policies(SHIPPED).items()}
    acme, north = rules["acme-telecom"], rules["northwind-energy"]
    assert acme.calling_window.describe() == "08:00-21:00"
    assert (acme.max_attempts, acme.attempts_window.days,
            acme.quiet_after_conversation.days, acme.retention_days) == (7, 7, 7, 1095)
    assert north.calling_window is None
    assert north.creditor_hours.describe() == "08:00-21:00 mon,tue,wed,thu,fri,sat"
    assert (north.max_attempts, north.retention_days) == (None, 730)


def test_a_us_policy_may_tighten_the_law(folder):
    path = with_section(folder / "contoso-bank.yaml", """compliance:
  calling_window: {start: "08:00", end: "20:00"}
  max_attempts: 5
  attempts_window_days: 10
  quiet_days_after_conversation: 8
  retention_days: 2000""", 'end: "21:00"', 'end: "20:00"')
    rules = rules_for_policy(load_policy(path))
    assert rules.calling_window.describe() == "08:00-20:00"
    assert (rules.max_attempts, rules.attempts_window, rules.quiet_after_conversation) == (
        5, dt.timedelta(days=10), dt.timedelta(days=8))
    assert rules.retention_days == 2000


def test_a_french_policy_sets_what_the_law_leaves_open(folder):
    path = with_section(folder / "northwind-energy.yaml", """compliance:
  calling_window: {start: "08:00", end: "20:00", days: [mon, tue, wed, thu, fri, sat]}
  max_attempts: 3
  attempts_window_days: 7
  quiet_days_after_conversation: 2
  retention_days: 365""", 'end: "21:00"', 'end: "19:30"')
    rules = rules_for_policy(load_policy(path))
    assert rules.calling_window.describe() == "08:00-20:00 mon,tue,wed,thu,fri,sat"
    assert rules.creditor_hours.describe() == "08:00-19:30 mon,tue,wed,thu,fri,sat"
    assert (rules.max_attempts, rules.quiet_after_conversation.days, rules.retention_days) == (
        3, 2, 365)


@pytest.mark.parametrize(
    ("file", "section", "expected"),
    [
        ("acme-telecom", "compliance:\n  max_attempts: 8",
         "compliance.max_attempts: 8 is more than the law allows in US "
         "(7, Regulation F §1006.14(b)(2)(i)(A))"),
        ("acme-telecom", "compliance:\n  attempts_window_days: 6",
         "compliance.attempts_window_days: 6 is less than the law requires in US (7,"),
        ("acme-telecom", "compliance:\n  quiet_days_after_conversation: 6",
         "compliance.quiet_days_after_conversation: 6 is less than the law requires in US"),
        ("acme-telecom", "compliance:\n  retention_days: 1094",
         "compliance.retention_days: 1094 is less than the law requires in US (1095, "
         "Regulation F §1006.100"),
        ("acme-telecom", 'compliance:\n  calling_window: {start: "07:00", end: "21:00"}',
         "compliance.calling_window.start: 07:00 is before 08:00, the start of the hours the "
         "law allows in US (FDCPA §805(a)(1))"),
        ("acme-telecom", 'compliance:\n  calling_window: {start: "08:00", end: "21:30"}',
         "compliance.calling_window.end: 21:30 is after 21:00"),
        ("acme-telecom", 'compliance:\n  calling_window: {start: "09:00", end: "21:00"}',
         "calling_hours.start: 08:00 is before 09:00, the start of compliance.calling_window"),
        ("northwind-energy", 'compliance:\n  calling_window: {start: "08:00", end: "21:00", '
         "days: [mon, tue, wed, thu, fri]}",
         "calling_hours.days: sat not in compliance.calling_window"),
        ("northwind-energy", "compliance:\n  attempts_window_days: 3",
         "compliance.attempts_window_days: has no effect without compliance.max_attempts"),
        ("acme-telecom", "compliance:\n  max_attempt: 7",
         "compliance.max_attempt: unknown field"),
        ("acme-telecom", "compliance:\n  max_attempts: 0",
         "compliance.max_attempts: Input should be greater than or equal to 1 (got 0)"),
        ("acme-telecom", "compliance:\n  max_attempts: seven",
         "compliance.max_attempts: Input should be a valid integer"),
        ("northwind-energy", "compliance:\n  retention_days: 0",
         "compliance.retention_days: Input should be greater than or equal to 1 (got 0)"),
        ("northwind-energy", "compliance:\n  calling_window: {start: 9:00, end: \"20:00\"}",
         'compliance.calling_window.start: write the time in quotes, like "21:00"'),
        ("northwind-energy", 'compliance:\n  calling_window: {start: "20:00", end: "08:00"}',
         "compliance.calling_window: Value error, start must be before end"),
        ("northwind-energy", "compliance: 7", "compliance: Input should be a valid dictionary"),
    ],
)
def test_a_broken_section_is_refused_with_file_and_field(folder, file, section, expected):
    found = problems(with_section(folder / f"{file}.yaml", section))
    assert len(found) == 1, found
    assert found[0].startswith(expected), found


def test_us_calling_hours_outside_the_law_are_refused_without_a_section(folder):
    path = folder / "acme-telecom.yaml"
    path.write_text(path.read_text().replace('end: "21:00"', 'end: "21:30"', 1))
    assert problems(path) == [
        "calling_hours.end: 21:30 is after 21:00, the end of the hours the law allows in US "
        "(FDCPA §805(a)(1))"
    ]


def test_every_problem_of_a_section_is_listed(folder):
    found = problems(with_section(folder / "acme-telecom.yaml", """compliance:
  max_attempts: 9
  quiet_days_after_conversation: 1
  retention_days: 30"""))
    assert [line.split(":")[0] for line in found] == [
        "compliance.max_attempts", "compliance.quiet_days_after_conversation",
        "compliance.retention_days",
    ]


def test_an_empty_section_keeps_the_defaults(folder):
    path = with_section(folder / "acme-telecom.yaml", "compliance: {}")
    assert rules_for_policy(load_policy(path)) == rules_for_policy(
        load_policy(SHIPPED / "acme-telecom.yaml"))
