"""Debtor accounts: who owes what to which creditor (``policies/accounts.yaml``).

Validated as strictly as the policies, and against them: an account whose
creditor has no policy, whose currency differs from the policy's or whose
language the creditor does not use would make the bot quote nonsense.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from pathlib import Path
from typing import Annotated, Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, ValidationError, field_validator
from pydantic_core import PydanticCustomError

from voicebot.policy.loading import (
    PolicyFileError,
    display_path,
    load_policy,
    policy_files,
    read_yaml_mapping,
    validation_problems,
)
from voicebot.policy.models import (
    CURRENCY_MINOR_DIGITS,
    Language,
    Policy,
    Slug,
    StrictModel,
    decimal_places,
)

Text = Annotated[str, Field(min_length=1, max_length=200)]


def _quoted(value: Any) -> Any:
    if isinstance(value, int | float) and not isinstance(value, bool):
        raise PydanticCustomError(
            "unquoted_text",
            'write it in quotes, like "{value}" (unquoted, YAML reads it as a number and '
            "drops leading zeros)",
            {"value": value},
        )
    return value


class Account(StrictModel):
    """One debtor's account with one creditor."""

    reference: Annotated[str, Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9_-]*$", max_length=64)]
    name: Text
    creditor: Slug
    balance: Annotated[Decimal, Field(gt=0, allow_inf_nan=False)]
    currency: Annotated[str, Field(pattern=r"^[A-Z]{3}$")]
    postcode: Annotated[str, Field(min_length=1, max_length=16)]
    timezone: Text
    language: Language

    _quote_reference = field_validator("reference", "postcode", mode="before")(_quoted)

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"unknown time zone {value!r} (a name like Europe/Paris)") from None
        return value

    @field_validator("currency")
    @classmethod
    def _known_currency(cls, value: str) -> str:
        if value not in CURRENCY_MINOR_DIGITS:
            raise ValueError(f"unknown currency {value!r}")
        return value

    @property
    def zone(self) -> ZoneInfo:
        """The debtor's time zone, for calling hours."""
        return ZoneInfo(self.timezone)


class AccountsFile(StrictModel):
    """The top level of an accounts file."""

    accounts: tuple[Account, ...]


def check_accounts(
    accounts: tuple[Account, ...], policies: Mapping[str, Policy], where: str
) -> list[str]:
    """Problems between accounts and the creditors' policies, one line each."""
    problems: list[str] = []
    seen: set[str] = set()
    for i, account in enumerate(accounts):
        at = f"{where}: accounts[{i}] ({account.reference})"
        if account.reference in seen:
            problems.append(f"{at}.reference: {account.reference!r} is used twice")
        seen.add(account.reference)
        policy = policies.get(account.creditor)
        if policy is None:
            known = ", ".join(sorted(policies)) or "none"
            problems.append(
                f"{at}.creditor: no valid policy for {account.creditor!r} (known: {known})"
            )
            continue
        if account.currency != policy.currency:
            problems.append(
                f"{at}.currency: {account.currency} differs from {policy.id}'s {policy.currency}"
            )
        elif decimal_places(account.balance) > policy.minor_digits:
            problems.append(
                f"{at}.balance: more than {policy.minor_digits} decimal places for "
                f"{account.currency} (got {account.balance})"
            )
        if account.language not in policy.languages:
            problems.append(
                f"{at}.language: {account.language!r} is not one of {policy.id}'s languages "
                f"({', '.join(policy.languages)})"
            )
    return problems


def valid_policies(directory: Path) -> dict[str, Policy]:
    """The policies of a directory that load; broken ones are reported when checked."""
    policies: dict[str, Policy] = {}
    for path in policy_files(directory):
        try:
            policy = load_policy(path)
        except PolicyFileError:
            continue
        policies[policy.id] = policy
    return policies


def load_accounts(
    path: Path, policies: Mapping[str, Policy] | None = None
) -> dict[str, Account]:
    """Accounts by reference, checked against ``policies``.

    Without ``policies``, those of the accounts file's own directory are used.
    Raises PolicyFileError listing every problem.
    """
    path = Path(path)
    where = display_path(path)
    data = read_yaml_mapping(path)
    try:
        parsed = AccountsFile.model_validate(data)
    except ValidationError as exc:
        raise PolicyFileError(validation_problems(exc, where, data)) from None
    if policies is None:
        policies = valid_policies(path.parent)
    problems = check_accounts(parsed.accounts, policies, where)
    if problems:
        raise PolicyFileError(problems)
    return {account.reference: account for account in parsed.accounts}
