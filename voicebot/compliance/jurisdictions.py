"""Which contact rules apply where: the regimes the bot knows and the law's limits in each.

A policy's ``jurisdiction`` (``US``, ``US-CA``, ``FR``, ``DE``...) selects a regime.
Each regime states what the law requires (the disclosures, the calling window,
the call-frequency limits, how long records must be kept) and the defaults a
policy's ``compliance:`` section starts from. A policy may tighten a limit the
law sets, never loosen it; :func:`section_problems` says where it tried.

These limits are a starting point from /work/shared/DOMAIN.md, not legal advice:
creditors confirm them with counsel and state them in their policy files.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

WEEKDAY_NAMES = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")

# EU member states (ISO 3166-1 alpha-2; Greece also as EL, the EU's own code).
EU_MEMBERS = frozenset({
    "AT", "BE", "BG", "CY", "CZ", "DE", "DK", "EE", "EL", "ES", "FI", "FR", "GR", "HR",
    "HU", "IE", "IT", "LT", "LU", "LV", "MT", "NL", "PL", "PT", "RO", "SE", "SI", "SK",
})


class Regime(StrEnum):
    """The set of contact rules a jurisdiction falls under."""

    US = "us"  # FDCPA and Regulation F (12 CFR 1006)
    FR = "fr"  # France: EU rules plus French collection law
    EU = "eu"  # any other EU member state: the EU-wide rules only
    UNKNOWN = "unknown"  # no rules known: the bot neither calls nor negotiates


class Disclosure(StrEnum):
    """Statements a jurisdiction requires on every call (ids of the prompt files' texts)."""

    US_DEBT_COLLECTOR_NOTICE = "us_debt_collector_notice"  # FDCPA §807(11), "mini-Miranda"
    AI_ASSISTANT = "ai_assistant"  # EU AI Act art. 50(1): the caller talks to an AI


def regime_of(jurisdiction: str) -> Regime:
    """The regime of a jurisdiction code: its country part decides (``US-CA`` is US)."""
    country = jurisdiction.strip().upper().split("-", 1)[0]
    if country == "US":
        return Regime.US
    if country == "FR":
        return Regime.FR
    if country in EU_MEMBERS:
        return Regime.EU
    return Regime.UNKNOWN


@dataclass(frozen=True, slots=True)
class Law:
    """What the law of one regime sets, and the defaults a policy starts from.

    ``calling_window`` and ``max_attempts`` are limits (a policy may only narrow
    them); when the law sets none (``None``), a policy may set its own.
    ``attempts_window_days`` and ``quiet_days_after_conversation`` are floors when
    ``max_attempts`` is a legal limit. ``min_retention_days`` is how long records
    must at least be kept; ``retention_days`` the default period before a purge.
    """

    regime: Regime
    disclosures: tuple[Disclosure, ...]
    calling_window: tuple[dt.time, dt.time] | None
    max_attempts: int | None
    attempts_window_days: int
    quiet_days_after_conversation: int
    consent_days: int
    retention_days: int | None
    min_retention_days: int
    hours_source: str
    attempts_source: str
    quiet_source: str
    retention_source: str


_POLICY = "the policy's compliance section"

LAWS: dict[Regime, Law] = {
    Regime.US: Law(
        regime=Regime.US,
        disclosures=(Disclosure.US_DEBT_COLLECTOR_NOTICE,),
        calling_window=(dt.time(8), dt.time(21)),
        max_attempts=7,
        attempts_window_days=7,
        quiet_days_after_conversation=7,
        consent_days=7,
        retention_days=1095,
        min_retention_days=1095,
        hours_source="FDCPA §805(a)(1)",
        attempts_source="Regulation F §1006.14(b)(2)(i)(A)",
        quiet_source="Regulation F §1006.14(b)(2)(i)(B)",
        retention_source="Regulation F §1006.100: 3 years after the last collection activity",
    ),
    # France: no calling window or call-frequency figure in DOMAIN.md; a policy
    # may set its own. Retention: 2 years, the limitation period of a
    # professional's claim against a consumer (Code de la consommation L218-2).
    Regime.FR: Law(
        regime=Regime.FR,
        disclosures=(Disclosure.AI_ASSISTANT,),
        calling_window=None,
        max_attempts=None,
        attempts_window_days=7,
        quiet_days_after_conversation=0,
        consent_days=7,
        retention_days=730,
        min_retention_days=0,
        hours_source=_POLICY,
        attempts_source=_POLICY,
        quiet_source=_POLICY,
        retention_source="GDPR art. 5(1)(e): no longer than needed",
    ),
    Regime.EU: Law(
        regime=Regime.EU,
        disclosures=(Disclosure.AI_ASSISTANT,),
        calling_window=None,
        max_attempts=None,
        attempts_window_days=7,
        quiet_days_after_conversation=0,
        consent_days=7,
        retention_days=730,
        min_retention_days=0,
        hours_source=_POLICY,
        attempts_source=_POLICY,
        quiet_source=_POLICY,
        retention_source="GDPR art. 5(1)(e): no longer than needed",
    ),
    Regime.UNKNOWN: Law(
        regime=Regime.UNKNOWN,
        disclosures=(),
        calling_window=None,
        max_attempts=None,
        attempts_window_days=7,
        quiet_days_after_conversation=0,
        consent_days=7,
        retention_days=None,
        min_retention_days=0,
        hours_source=_POLICY,
        attempts_source=_POLICY,
        quiet_source=_POLICY,
        retention_source=_POLICY,
    ),
}


def law_of(jurisdiction: str) -> Law:
    """The law of a jurisdiction code (the unknown regime's when none is known)."""
    return LAWS[regime_of(jurisdiction)]


def required_disclosures(jurisdiction: str) -> tuple[str, ...]:
    """Disclosure ids the law requires on every call there; empty when none is known."""
    return tuple(d.value for d in law_of(jurisdiction).disclosures)


# --------------------------------------------------------------------------- policy checks


def _hhmm(value: dt.time) -> str:
    return value.strftime("%H:%M")


def _window_problems(
    inner: Any, outer: tuple[dt.time, dt.time], outer_days: tuple[str, ...], what: str, path: str
) -> list[tuple[str, str]]:
    start, end = outer
    problems: list[tuple[str, str]] = []
    if inner.start < start:
        problems.append(
            (f"{path}.start", f"{_hhmm(inner.start)} is before {_hhmm(start)}, the start of {what}")
        )
    if inner.end > end:
        problems.append(
            (f"{path}.end", f"{_hhmm(inner.end)} is after {_hhmm(end)}, the end of {what}")
        )
    outside = [day for day in inner.days if day not in outer_days]
    if outside:
        problems.append((f"{path}.days", f"{', '.join(outside)} not in {what}"))
    return problems


def section_problems(jurisdiction: str, section: Any, calling_hours: Any) -> list[tuple[str, str]]:
    """Where a policy's ``compliance`` section or calling hours break the law's limits.

    ``section`` has the fields of the policy's ``compliance:`` section (each
    ``None`` when left out) and ``calling_hours`` the policy's own hours (``start``,
    ``end``, ``days``). Returns ``(field.path, message)`` pairs.
    """
    law = law_of(jurisdiction)
    name = jurisdiction.split("-", 1)[0]
    problems = _hours_problems(law, name, section.calling_window, calling_hours)
    problems += _frequency_problems(law, name, section)
    retention = section.retention_days
    if retention is not None and retention < law.min_retention_days:
        problems.append(("compliance.retention_days",
                         f"{retention} is less than the law requires in {name} "
                         f"({law.min_retention_days}, {law.retention_source})"))
    return problems


def _hours_problems(
    law: Law, name: str, window: Any, calling_hours: Any
) -> list[tuple[str, str]]:
    """The policy's window within the law's, and its calling hours within both.

    Calling hours outside the law's window are reported against the law only, so
    one mistake gives one message.
    """
    problems: list[tuple[str, str]] = []
    if law.calling_window is not None:
        legal = f"the hours the law allows in {name} ({law.hours_source})"
        if window is not None:
            problems += _window_problems(
                window, law.calling_window, WEEKDAY_NAMES, legal, "compliance.calling_window"
            )
        outside_law = _window_problems(
            calling_hours, law.calling_window, WEEKDAY_NAMES, legal, "calling_hours"
        )
        if outside_law:
            return problems + outside_law
    if window is not None:
        problems += _window_problems(
            calling_hours, (window.start, window.end), tuple(window.days),
            "compliance.calling_window", "calling_hours",
        )
    return problems


def _frequency_problems(law: Law, name: str, section: Any) -> list[tuple[str, str]]:
    problems: list[tuple[str, str]] = []
    if law.max_attempts is None:
        if section.attempts_window_days is not None and section.max_attempts is None:
            problems.append(("compliance.attempts_window_days",
                             "has no effect without compliance.max_attempts"))
        return problems
    if section.max_attempts is not None and section.max_attempts > law.max_attempts:
        problems.append(("compliance.max_attempts",
                         f"{section.max_attempts} is more than the law allows in {name} "
                         f"({law.max_attempts}, {law.attempts_source})"))
    floors = (
        ("attempts_window_days", law.attempts_window_days, law.attempts_source),
        ("quiet_days_after_conversation", law.quiet_days_after_conversation, law.quiet_source),
    )
    for field, floor, source in floors:
        value = getattr(section, field)
        if value is not None and value < floor:
            problems.append((f"compliance.{field}",
                             f"{value} is less than the law requires in {name} "
                             f"({floor}, {source})"))
    return problems
