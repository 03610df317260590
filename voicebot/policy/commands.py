"""``voicebot policy``: check policy files, quote a plan, list a debtor's options.

Operations staff run ``check`` after editing a file; ``quote`` and ``options``
show exactly what the engine would decide for a balance and an ask, as a table
or as JSON for tools.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
from collections.abc import Sequence
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from voicebot.errors import ConfigError
from voicebot.policy.accounts import load_accounts, valid_policies
from voicebot.policy.engine import Ask, Decision, decide, options
from voicebot.policy.loading import (
    ACCOUNTS_FILE,
    PolicyFileError,
    display_path,
    find_policy,
    load_policy,
    read_yaml_mapping,
)
from voicebot.policy.models import Frequency, Policy
from voicebot.settings import Settings

_ROLES = {
    "down_payment": "down payment",
    "instalment": "instalment",
    "single_payment": "single payment",
    "settlement": "settlement",
}


def default_policies_dir() -> Path:
    """VOICEBOT_POLICIES_DIR, else the policies the package ships."""
    return Settings.from_env().policies_dir


def _amount(text: str) -> Decimal:
    try:
        value = Decimal(text)
    except InvalidOperation:
        raise argparse.ArgumentTypeError(f"not an amount: {text!r}") from None
    if not value.is_finite():
        raise argparse.ArgumentTypeError(f"not an amount: {text!r}")
    return value


def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a date (YYYY-MM-DD): {text!r}") from None


def _count(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value < 1:
        raise argparse.ArgumentTypeError(f"not a number of instalments: {text!r}")
    return value


def register(subparsers: Any) -> None:
    """Add ``policy`` and its actions to the main ``voicebot`` parser."""
    policy = subparsers.add_parser(
        "policy", help="creditor policies: check files, quote plans, list options"
    )
    actions = policy.add_subparsers(dest="policy_action", required=True, metavar="ACTION")

    check = actions.add_parser(
        "check", help="validate policy and accounts files; lists every problem"
    )
    check.add_argument(
        "files", nargs="*", type=Path, metavar="FILE",
        help="policy or accounts files, or folders of them (default: the policies folder)",
    )
    check.add_argument(
        "--policies", type=Path, metavar="DIR",
        help="policies that accounts are checked against (default: the accounts file's folder)",
    )
    check.set_defaults(run=run_check)

    quote = actions.add_parser("quote", help="the plan the engine decides for an ask")
    _debtor_arguments(quote)
    terms = quote.add_mutually_exclusive_group()
    terms.add_argument(
        "--monthly", type=_amount, metavar="AMOUNT",
        help="amount per instalment, monthly unless --frequency says otherwise",
    )
    terms.add_argument(
        "--amount", type=_amount, metavar="AMOUNT",
        help="amount per instalment at --frequency (or at any frequency)",
    )
    terms.add_argument("--instalments", type=_count, metavar="N", help="number of instalments")
    terms.add_argument("--settlement", type=_amount, metavar="AMOUNT", help="lump sum offered")
    quote.add_argument("--first-date", type=_date, metavar="YYYY-MM-DD", help="first payment")
    quote.add_argument("--frequency", choices=[f.value for f in Frequency])
    quote.set_defaults(run=run_quote)

    menu = actions.add_parser("options", help="the plans the bot may offer a debtor")
    _debtor_arguments(menu)
    menu.set_defaults(run=run_options)


def _debtor_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--creditor", metavar="ID", help="creditor id (a policy file's name)")
    parser.add_argument("--balance", type=_amount, metavar="AMOUNT", help="amount owed")
    parser.add_argument(
        "--account", metavar="REF",
        help="take creditor and balance from this account of accounts.yaml",
    )
    parser.add_argument("--hardship", action="store_true", help="the debtor claims hardship")
    parser.add_argument(
        "--today", type=_date, metavar="YYYY-MM-DD", help="date of the call (default: today)"
    )
    parser.add_argument(
        "--policies", type=Path, metavar="DIR", help="policies folder (default: policies/)"
    )
    parser.add_argument("--json", action="store_true", help="print JSON")


# --------------------------------------------------------------------------- check


def _expand(paths: Sequence[Path]) -> list[Path]:
    files: list[Path] = []
    for path in paths:
        files.extend(sorted(path.glob("*.yaml")) if path.is_dir() else [path])
    return files


def check_file(path: Path, policies_dir: Path | None = None) -> tuple[list[str], str]:
    """(problems, description) of one policy or accounts file."""
    try:
        data = read_yaml_mapping(path)
        if path.name == ACCOUNTS_FILE or ("accounts" in data and "id" not in data):
            policies = valid_policies(policies_dir or path.parent)
            accounts = load_accounts(path, policies)
            return [], f"{len(accounts)} accounts"
        policy = load_policy(path)
    except PolicyFileError as exc:
        return list(exc.problems), ""
    except ConfigError as exc:
        return [f"{display_path(path)}: {exc}"], ""
    return [], f"policy {policy.id}, version {policy.version}"


def run_check(args: argparse.Namespace) -> int:
    files = _expand(args.files or [default_policies_dir()])
    if not files:
        print("no policy files found", file=sys.stderr)
        return 1
    bad = 0
    for path in files:
        problems, description = check_file(path, args.policies)
        if problems:
            bad += 1
            for line in problems:
                print(line)
        else:
            print(f"{display_path(path)}: ok ({description})")
    print(f"{len(files)} file(s) checked, {bad} with problems")
    return 1 if bad else 0


# --------------------------------------------------------------------------- quote / options


def _debtor(args: argparse.Namespace) -> tuple[Policy, Decimal]:
    directory = args.policies or default_policies_dir()
    if args.account is not None:
        if args.creditor is not None or args.balance is not None:
            raise ConfigError("give either --account, or --creditor and --balance")
        accounts = load_accounts(directory / ACCOUNTS_FILE)
        account = accounts.get(args.account)
        if account is None:
            raise ConfigError(f"no account {args.account!r} (known: {', '.join(accounts)})")
        return find_policy(directory, account.creditor), account.balance
    if args.creditor is None or args.balance is None:
        raise ConfigError("give --creditor and --balance (or --account)")
    return find_policy(directory, args.creditor), args.balance


def _ask(args: argparse.Namespace) -> Ask:
    frequency = Frequency(args.frequency) if args.frequency else None
    if args.monthly is not None and frequency is None:
        frequency = Frequency.MONTHLY
    return Ask(
        amount=args.monthly if args.monthly is not None else args.amount,
        instalments=args.instalments,
        first_date=args.first_date,
        frequency=frequency,
        settlement=args.settlement,
        hardship=args.hardship,
    )


def _status(decision: Decision) -> str:
    if decision.label:
        return decision.label.replace("_", " ").capitalize()
    if decision.accepted:
        return "Accepted"
    return "Proposal" if decision.ask.is_empty else "Counter-offer"


def render(decision: Decision) -> str:
    """A decision as a small table a person reads in a terminal."""
    lines = [f"{_status(decision)}: {decision.summary}"]
    if decision.requires_human:
        lines.append("Needs approval by a member of staff (hardship arrangement).")
    width = max(len(str(row.amount)) for row in decision.schedule)
    width = max(width, len(str(decision.total)), len("Amount"))
    lines.append("")
    lines.append(f"  {'#':>3}  {'Due':<10}  {'Amount':>{width}}")
    for i, row in enumerate(decision.schedule, start=1):
        role = _ROLES[row.role]
        lines.append(f"  {i:>3}  {row.due.isoformat()}  {row.amount!s:>{width}}  {role}")
    lines.append(f"  {'':>3}  {'Total':<10}  {decision.total!s:>{width}}  {decision.currency}")
    if decision.reasons:
        lines.append("")
        lines.extend(f"  - {reason}" for reason in decision.reasons)
    return "\n".join(lines)


def _header(policy: Policy, balance: Decimal) -> str:
    version = f"{policy.id}, version {policy.version}"
    return f"{policy.name} ({version}): balance {balance} {policy.currency}"


def run_quote(args: argparse.Namespace) -> int:
    policy, balance = _debtor(args)
    decision = decide(policy, balance, args.today or dt.date.today(), _ask(args))
    if args.json:
        print(json.dumps(decision.as_dict(), indent=2, ensure_ascii=False))
    else:
        print(_header(policy, decision.balance))
        print(render(decision))
    return 0


def run_options(args: argparse.Namespace) -> int:
    policy, balance = _debtor(args)
    menu = options(policy, balance, args.today or dt.date.today(), hardship=args.hardship)
    if args.json:
        print(json.dumps([d.as_dict() for d in menu], indent=2, ensure_ascii=False))
        return 0
    print(_header(policy, menu[0].balance))
    for decision in menu:
        print()
        print(render(decision))
    return 0
