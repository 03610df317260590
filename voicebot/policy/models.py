"""Creditor policies as data: the schema of the YAML files and its cross-field rules.

Operations staff edit one YAML file per creditor (``policies/<creditor-id>.yaml``,
read by ``voicebot.policy.loading``). Everything here is strict (unknown fields
and wrong types are errors, models are frozen) because a typo in a policy would
otherwise let the bot offer a plan the creditor never allowed.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from decimal import Decimal
from enum import StrEnum
from functools import cached_property
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator
from pydantic_core import PydanticCustomError

from voicebot.compliance.jurisdictions import section_problems

# ISO 4217 minor units of the currencies a creditor may use. Money is always
# quantized to these, so a currency missing here is refused rather than guessed.
CURRENCY_MINOR_DIGITS: Mapping[str, int] = {
    "AUD": 2, "CAD": 2, "CHF": 2, "CZK": 2, "DKK": 2, "EUR": 2, "GBP": 2, "HUF": 2,
    "JPY": 0, "KRW": 0, "MXN": 2, "NOK": 2, "NZD": 2, "PLN": 2, "RON": 2, "SEK": 2,
    "USD": 2, "ZAR": 2,
}

DEFAULT_DAYS_OF_MONTH = tuple(range(1, 29))
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")

IdentityFactor = Literal[
    "name", "postcode", "date_of_birth", "account_reference", "email", "phone_number"
]
Weekday = Literal["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
Slug = Annotated[str, Field(pattern=r"^[a-z0-9]+(-[a-z0-9]+)*$", max_length=64)]
Identifier = Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]*$", max_length=64)]
Language = Annotated[str, Field(pattern=r"^[a-z]{2}$")]
DayOfMonth = Annotated[int, Field(ge=1, le=31)]
MinAmount = Annotated[Decimal, Field(gt=0, allow_inf_nan=False)]
Count = Annotated[int, Field(gt=0, le=520)]
Duration = Annotated[int, Field(gt=0, le=3660)]
Window = Annotated[int, Field(ge=0, le=366)]
Days = Annotated[tuple[DayOfMonth, ...], Field(min_length=1)]


class Frequency(StrEnum):
    """How often instalments fall due."""

    WEEKLY = "weekly"
    FORTNIGHTLY = "fortnightly"
    MONTHLY = "monthly"

    @property
    def per_year(self) -> int:
        """Payments a year, used to compare amounts asked at another frequency."""
        return {"weekly": 52, "fortnightly": 26, "monthly": 12}[self.value]

    @property
    def min_period_days(self) -> int:
        """The shortest gap between two due dates (28 days for monthly)."""
        return {"weekly": 7, "fortnightly": 14, "monthly": 28}[self.value]


Frequencies = Annotated[tuple[Frequency, ...], Field(min_length=1)]


class StrictModel(BaseModel):
    """Frozen, and unknown fields are errors: a typo must never pass silently."""

    model_config = ConfigDict(extra="forbid", frozen=True)


def _unique(values: tuple[Any, ...], what: str) -> tuple[Any, ...]:
    seen = [v for i, v in enumerate(values) if v in values[:i]]
    if seen:
        raise ValueError(f"{what} listed twice: {', '.join(map(str, dict.fromkeys(seen)))}")
    return values


class DownPayment(StrictModel):
    """A first payment due on the first-payment date, before the instalments.

    The amount required is the larger of ``min_percent`` of the balance and
    ``min_amount`` (never more than the balance itself).
    """

    min_percent: Annotated[Decimal, Field(ge=0, lt=100, allow_inf_nan=False)] = Decimal(0)
    min_amount: Annotated[Decimal, Field(ge=0, allow_inf_nan=False)] = Decimal(0)


class InstalmentRules(StrictModel):
    """Limits of an instalment plan; durations count days from the day of the call."""

    frequencies: Frequencies
    max_count: Count
    min_amount: MinAmount
    max_duration_days: Duration
    first_payment_within_days: Window
    days_of_month: Days = DEFAULT_DAYS_OF_MONTH
    down_payment: DownPayment | None = None

    @field_validator("frequencies")
    @classmethod
    def _unique_frequencies(cls, value: tuple[Frequency, ...]) -> tuple[Frequency, ...]:
        return _unique(value, "frequency")

    @field_validator("days_of_month")
    @classmethod
    def _sorted_days(cls, value: tuple[int, ...]) -> tuple[int, ...]:
        return tuple(sorted(_unique(value, "day")))


class HardshipRules(StrictModel):
    """Wider instalment limits for debtors in hardship; a person must approve them.

    Each field left out keeps the value of the normal ``instalments`` rules.
    """

    frequencies: Frequencies | None = None
    max_count: Count | None = None
    min_amount: MinAmount | None = None
    max_duration_days: Duration | None = None
    first_payment_within_days: Window | None = None
    days_of_month: Days | None = None
    down_payment: DownPayment | None = None

    @field_validator("frequencies")
    @classmethod
    def _unique_frequencies(cls, value: tuple[Frequency, ...] | None) -> Any:
        return None if value is None else _unique(value, "frequency")

    @field_validator("days_of_month")
    @classmethod
    def _sorted_days(cls, value: tuple[int, ...] | None) -> Any:
        return None if value is None else tuple(sorted(_unique(value, "day")))


class Settlement(StrictModel):
    """A lump sum below the balance that closes the debt if paid in time."""

    max_discount_percent: Annotated[Decimal, Field(gt=0, lt=100, allow_inf_nan=False)]
    within_days: Window


class Identity(StrictModel):
    """What the bot may ask to make sure it speaks to the debtor, and how often."""

    factors: Annotated[tuple[IdentityFactor, ...], Field(min_length=1)]
    max_attempts: Annotated[int, Field(ge=1, le=10)]

    @field_validator("factors")
    @classmethod
    def _unique_factors(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        return _unique(value, "factor")


class CallingHours(StrictModel):
    """When the debtor may be called, in the debtor's local time."""

    start: dt.time
    end: dt.time
    days: tuple[Weekday, ...] = WEEKDAYS

    @field_validator("start", "end", mode="before")
    @classmethod
    def _quoted_time(cls, value: Any) -> Any:
        if isinstance(value, int) and not isinstance(value, bool):
            raise PydanticCustomError(
                "time_unquoted",
                'write the time in quotes, like "21:00" (YAML reads an unquoted 21:00 '
                "as the number {number})",
                {"number": value},
            )
        return value

    @field_validator("days")
    @classmethod
    def _unique_days(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        return _unique(value, "day")

    @model_validator(mode="after")
    def _ordered(self) -> CallingHours:
        if self.start >= self.end:
            raise ValueError("start must be before end")
        return self

    def allows(self, local: dt.datetime) -> bool:
        """Whether a call may be made at ``local`` (the debtor's wall-clock time)."""
        return WEEKDAYS[local.weekday()] in self.days and self.start <= local.time() < self.end


class Compliance(StrictModel):
    """Limits on contacting debtors; each field left out takes the jurisdiction's default.

    The defaults and the law's limits live in ``voicebot.compliance.jurisdictions``;
    a value looser than the law allows there is an error.
    """

    calling_window: CallingHours | None = None  # the law's hours (US: 08:00-21:00)
    max_attempts: Annotated[int, Field(ge=1, le=100)] | None = None
    attempts_window_days: Annotated[int, Field(ge=1, le=31)] | None = None
    quiet_days_after_conversation: Annotated[int, Field(ge=0, le=31)] | None = None
    retention_days: Annotated[int, Field(ge=1, le=36600)] | None = None


RequestAction = Literal["hand_off", "end"]
AnswerTopic = Literal[
    "missed_payment", "down_payment_why", "minimum_why", "robot", "who_creditor",
    "pay_by_card", "how_dispute", "unknown",
]


class OnRequest(StrictModel):
    """What the bot does, once it knows who it speaks to, when a debtor...

    ``hand_off``: acknowledges, records it and passes the call to a person;
    ``end``: acknowledges, records it and ends the call politely. Either way
    it never asks for money after.
    """

    stop_contact: RequestAction = "hand_off"  # ...asks not to be contacted again
    dispute: RequestAction = "hand_off"  # ...disputes the debt
    validation: RequestAction = "hand_off"  # ...asks for proof of the debt first
    lawyer: RequestAction = "hand_off"  # ...has a lawyer for it
    bankruptcy: RequestAction = "hand_off"  # ...is bankrupt or in a debt procedure


class Policy(StrictModel):
    """One creditor's rules for payment arrangements."""

    id: Slug
    name: Annotated[str, Field(min_length=1, max_length=200)]
    version: Annotated[str, Field(min_length=1, max_length=64)]
    currency: Annotated[str, Field(pattern=r"^[A-Z]{3}$")]
    jurisdiction: Annotated[str, Field(pattern=r"^[A-Z]{2}(-[A-Z0-9]{1,3})?$")]
    languages: Annotated[tuple[Language, ...], Field(min_length=1)]
    disclosures: tuple[Identifier, ...] = ()
    identity: Identity
    calling_hours: CallingHours
    compliance: Compliance = Compliance()
    instalments: InstalmentRules
    settlement: Settlement | None = None
    hardship: HardshipRules | None = None
    on_request: OnRequest = OnRequest()
    # Read to a caller in distress, by language: a support line they can call.
    caller_support: Mapping[Language, Annotated[str, Field(min_length=1, max_length=400)]] = {}
    # Answers to callers' questions, by language and topic, in place of the prompt files'.
    answers: Mapping[Language, Mapping[AnswerTopic, Annotated[str, Field(
        min_length=1, max_length=600)]]] = {}

    @field_validator("version", mode="before")
    @classmethod
    def _date_version(cls, value: Any) -> Any:
        # An unquoted 2026-11-01 is a date to YAML; the intent is unambiguous.
        return value.isoformat() if isinstance(value, dt.date) else value

    @field_validator("currency")
    @classmethod
    def _known_currency(cls, value: str) -> str:
        if value not in CURRENCY_MINOR_DIGITS:
            known = ", ".join(sorted(CURRENCY_MINOR_DIGITS))
            raise ValueError(f"unknown currency {value!r} (known: {known})")
        return value

    @field_validator("languages")
    @classmethod
    def _unique_languages(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        return _unique(value, "language")

    @field_validator("disclosures")
    @classmethod
    def _unique_disclosures(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        return _unique(value, "disclosure")

    @model_validator(mode="after")
    def _consistent(self) -> Policy:
        problems = consistency_problems(self)
        if problems:
            raise PydanticCustomError(
                "policy_inconsistent",
                "{summary}",
                {"summary": "; ".join(f"{p}: {m}" for p, m in problems), "problems": problems},
            )
        return self

    @property
    def minor_digits(self) -> int:
        """Decimal places of the currency (2 for USD and EUR)."""
        return CURRENCY_MINOR_DIGITS[self.currency]

    @cached_property
    def hardship_rules(self) -> InstalmentRules | None:
        """The normal instalment rules widened by the hardship variant, if any."""
        if self.hardship is None:
            return None
        update = {name: getattr(self.hardship, name) for name in self.hardship.model_fields_set}
        return self.instalments.model_copy(update=update)

    def rules(self, hardship: bool = False) -> InstalmentRules:
        """The instalment rules in force; hardship falls back to normal when absent."""
        if hardship and self.hardship_rules is not None:
            return self.hardship_rules
        return self.instalments


# --------------------------------------------------------------------------- cross-field


def decimal_places(value: Decimal) -> int:
    exponent = value.normalize().as_tuple().exponent
    return -exponent if isinstance(exponent, int) and exponent < 0 else 0


def _longest_wait_for_allowed_day(days: tuple[int, ...]) -> int:
    """Most days from any date to the next date whose day of month is allowed.

    Computed over a whole leap-year cycle so short months and February count.
    """
    allowed = set(days)
    start = dt.date(2024, 1, 1)
    longest = gap = 0
    for offset in range(366 * 4 + 62):
        if (start + dt.timedelta(days=offset)).day in allowed:
            gap = 0
        else:
            gap += 1
            longest = max(longest, gap)
    return longest


def _rules_problems(rules: InstalmentRules, prefix: str, digits: int) -> list[tuple[str, str]]:
    problems: list[tuple[str, str]] = []
    if rules.first_payment_within_days > rules.max_duration_days:
        problems.append((
            f"{prefix}.first_payment_within_days",
            f"{rules.first_payment_within_days} days is longer than max_duration_days "
            f"({rules.max_duration_days})",
        ))
    if Frequency.MONTHLY in rules.frequencies:
        if min(rules.days_of_month) > 28:
            problems.append((
                f"{prefix}.days_of_month",
                "needs at least one day from 1 to 28, or February has no allowed day",
            ))
        else:
            wait = _longest_wait_for_allowed_day(rules.days_of_month)
            if rules.first_payment_within_days < wait:
                problems.append((
                    f"{prefix}.first_payment_within_days",
                    f"{rules.first_payment_within_days} days may contain no allowed day of the "
                    f"month for a monthly plan (up to {wait} days between allowed days)",
                ))
    steps = rules.max_count - 1 + (1 if rules.down_payment is not None else 0)
    if not any(steps * f.min_period_days <= rules.max_duration_days for f in rules.frequencies):
        problems.append((
            f"{prefix}.max_count",
            f"{rules.max_count} instalments can never fit in max_duration_days "
            f"({rules.max_duration_days}) at the allowed frequencies",
        ))
    if decimal_places(rules.min_amount) > digits:
        problems.append((f"{prefix}.min_amount", f"has more than {digits} decimal places"))
    dp = rules.down_payment
    if dp is not None:
        if dp.min_percent == 0 and dp.min_amount == 0:
            problems.append((
                f"{prefix}.down_payment",
                "set min_percent or min_amount above 0, or remove down_payment",
            ))
        if decimal_places(dp.min_amount) > digits:
            problems.append(
                (f"{prefix}.down_payment.min_amount", f"has more than {digits} decimal places")
            )
    return problems


def _hardship_problems(policy: Policy) -> list[tuple[str, str]]:
    normal, wide = policy.instalments, policy.hardship_rules
    assert wide is not None and policy.hardship is not None
    narrower: list[tuple[str, str]] = []
    if not set(normal.frequencies) <= set(wide.frequencies):
        narrower.append(("frequencies", "must include every normal frequency"))
    if wide.max_count < normal.max_count:
        narrower.append(("max_count", f"must be at least the normal {normal.max_count}"))
    if wide.min_amount > normal.min_amount:
        narrower.append(("min_amount", f"must be at most the normal {normal.min_amount}"))
    if wide.max_duration_days < normal.max_duration_days:
        narrower.append(
            ("max_duration_days", f"must be at least the normal {normal.max_duration_days}")
        )
    if wide.first_payment_within_days < normal.first_payment_within_days:
        narrower.append((
            "first_payment_within_days",
            f"must be at least the normal {normal.first_payment_within_days}",
        ))
    if not set(normal.days_of_month) <= set(wide.days_of_month):
        narrower.append(("days_of_month", "must include every normal day of the month"))
    zero = DownPayment()
    ndp, wdp = normal.down_payment or zero, wide.down_payment or zero
    if wdp.min_percent > ndp.min_percent:
        narrower.append(
            ("down_payment.min_percent", f"must be at most the normal {ndp.min_percent}")
        )
    if wdp.min_amount > ndp.min_amount:
        narrower.append(
            ("down_payment.min_amount", f"must be at most the normal {ndp.min_amount}")
        )
    problems = [(f"hardship.{name}", f"{msg} (hardship may only widen)") for name, msg in narrower]
    if not narrower and wide == normal:
        problems.append(("hardship", "widens no limit; remove it or widen at least one limit"))
    return problems


def consistency_problems(policy: Policy) -> list[tuple[str, str]]:
    """Problems no single field shows, as ``(field.path, message)`` pairs."""
    digits = policy.minor_digits
    problems = section_problems(policy.jurisdiction, policy.compliance, policy.calling_hours)
    problems += _rules_problems(policy.instalments, "instalments", digits)
    if policy.hardship is not None:
        problems += _hardship_problems(policy)
        assert policy.hardship_rules is not None
        problems += _rules_problems(policy.hardship_rules, "hardship", digits)
    return problems
