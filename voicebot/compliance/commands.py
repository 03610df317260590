"""``voicebot compliance``: ask the contact rules about one account.

``can-call`` says whether the bot may call an account at a given time and which
rule decided, reading the contact history from a JSON Lines file (one record a
line: ``{"kind": "attempt" | "conversation" | "consent" | "flag", "at": ISO-TIME,
"account": REF, ...}``,
see ``voicebot.compliance.records``). Exit status: 0 allowed, 1 not allowed,
2 bad input.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

from voicebot.compliance.contact import can_call
from voicebot.compliance.records import (
    FlagRecord,
    HistoryRecord,
    RecordError,
    from_dict,
    parse_time,
)
from voicebot.compliance.rules import rules_for_policy
from voicebot.errors import ConfigError
from voicebot.policy.accounts import load_accounts
from voicebot.policy.loading import ACCOUNTS_FILE, display_path, find_policy
from voicebot.settings import PROJECT_ROOT

History = tuple[list[HistoryRecord], list[FlagRecord]]


def _time(text: str) -> Any:
    try:
        return parse_time(text, "--at")
    except RecordError as exc:
        raise argparse.ArgumentTypeError(str(exc).removeprefix("--at: ")) from None


def register(subparsers: Any) -> None:
    """Add ``compliance`` and its actions to the main ``voicebot`` parser."""
    compliance = subparsers.add_parser(
        "compliance", help="contact rules: may the bot call an account now"
    )
    actions = compliance.add_subparsers(
        dest="compliance_action", required=True, metavar="ACTION"
    )
    check = actions.add_parser(
        "can-call",
        help="whether the bot may call an account at a time, and the rule that decided "
             "(exit 0 yes, 1 no, 2 bad input)",
    )
    check.add_argument("--account", required=True, metavar="REF", help="account reference")
    check.add_argument(
        "--at", required=True, type=_time, metavar="ISO-TIME",
        help="time of the call with its UTC offset, e.g. 2026-11-02T08:00:00-08:00",
    )
    check.add_argument(
        "--history", type=Path, metavar="FILE.jsonl",
        help="attempts, conversations, consents and flags on record, one JSON object a line "
             "(default: none)",
    )
    check.add_argument(
        "--debt", metavar="REF", help="the debt the call is about (default: the account's own)"
    )
    check.add_argument(
        "--policies", type=Path, metavar="DIR",
        help="policies folder with accounts.yaml (default: policies/)",
    )
    check.add_argument("--json", action="store_true", help="print JSON")
    check.set_defaults(run=run_can_call)


def read_history(path: Path) -> History:
    """The records of a JSON Lines file; errors name the file and the line."""
    where = display_path(path)
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except FileNotFoundError:
        raise RecordError(f"{where}: no such file") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise RecordError(f"{where}: cannot read: {exc}") from None
    records: list[HistoryRecord] = []
    flags: list[FlagRecord] = []
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            record = from_dict(json.loads(line))
        except json.JSONDecodeError as exc:
            raise RecordError(f"{where}:{number}: invalid JSON: {exc.msg}") from None
        except RecordError as exc:
            raise RecordError(f"{where}:{number}: {exc}") from None
        if isinstance(record, FlagRecord):
            flags.append(record)
        else:
            records.append(record)
    return records, flags


def run_can_call(args: argparse.Namespace) -> int:
    directory = args.policies or PROJECT_ROOT / "policies"
    accounts = load_accounts(directory / ACCOUNTS_FILE)
    account = accounts.get(args.account)
    if account is None:
        raise ConfigError(f"no account {args.account!r} (known: {', '.join(accounts)})")
    policy = find_policy(directory, account.creditor)
    records, flags = read_history(args.history) if args.history else ([], [])
    rules = rules_for_policy(policy)
    decision = can_call(account, args.at, records, flags, rules, debt=args.debt)
    if args.json:
        print(json.dumps({
            "account": account.reference,
            "debt": args.debt or account.reference,
            "at": args.at.astimezone(account.zone).isoformat(),
            "timezone": account.timezone,
            "creditor": policy.id,
            "jurisdiction": policy.jurisdiction,
            **decision.as_dict(),
        }, indent=2, ensure_ascii=False))
    else:
        print(f"{'yes' if decision.allowed else 'no'}: {decision.rule}: {decision.reason}")
        if decision.next_allowed is not None:
            print(f"next allowed: {decision.next_allowed.isoformat()} ({account.timezone})")
        elif not decision.allowed:
            print("next allowed: none until a person acts on it")
    return 0 if decision.allowed else 1
