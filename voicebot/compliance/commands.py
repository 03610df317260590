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
import datetime as dt
import json
import sys
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
from voicebot.data import Records
from voicebot.data.commands import iso_time, print_rows
from voicebot.errors import ConfigError
from voicebot.policy.accounts import load_accounts
from voicebot.policy.loading import ACCOUNTS_FILE, display_path, find_policy
from voicebot.settings import Settings

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
             "(default: the service's records)",
    )
    check.add_argument(
        "--database", metavar="URL",
        help="the records to read the history from (default: VOICEBOT_DATABASE_URL, else "
             "SQLite in the home directory)",
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

    data = subparsers.add_parser("data", help="personal data: retention and access requests")
    actions = data.add_subparsers(dest="data_action", required=True, metavar="ACTION")
    purge = actions.add_parser("purge", help="delete what each creditor's retention period "
                                             "(policy compliance.retention_days) no longer "
                                             "allows keeping")
    purge.add_argument("--database", metavar="URL", help="database URL")
    purge.add_argument("--policies", type=Path, metavar="DIR", help="policies folder")
    purge.add_argument("--now", metavar="ISO-TIME", help="purge as of this time (tests)")
    purge.add_argument("--dry-run", action="store_true", help="say what would go")
    purge.set_defaults(run=run_data_purge)
    export = actions.add_parser("export", help="everything kept about one account, as JSON")
    export.add_argument("--database", metavar="URL", help="database URL")
    export.add_argument("--account", required=True, metavar="REF")
    export.add_argument("--creditor", help="only this creditor's records")
    export.set_defaults(run=run_data_export)



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


def _open_records(args: Any) -> Any:
    from voicebot.data import Database, default_url

    settings = Settings.from_env()
    database = Database(args.database or settings.records_url or default_url(settings.data_home))
    database.upgrade()
    return database


def run_data_purge(args: Any) -> int:
    """Delete what each creditor's retention period no longer allows keeping."""
    from voicebot.policy import load_policies

    settings = Settings.from_env()
    now = iso_time(args.now) or dt.datetime.now(dt.UTC)
    policies = load_policies(args.policies or settings.policies_dir)
    records = Records(_open_records(args))
    total = 0
    for creditor, policy in sorted(policies.items()):
        days = rules_for_policy(policy).retention_days
        if days is None:
            print(f"{creditor}: no retention period set; nothing purged")
            continue
        before = now - dt.timedelta(days=days)
        if args.dry_run:
            cut = before.isoformat().replace("+00:00", "Z")
            old = [c for c in records.calls(creditor=creditor, limit=1000)
                   if (c["ended_at"] or c["started_at"]) < cut]
            print(f"{creditor}: {len(old)}+ call(s) older than {days} days would be purged")
            continue
        counts = records.purge(creditor, before)
        total += sum(counts.values())
        done = ", ".join(f"{n} {k}" for k, n in counts.items() if n) or "nothing"
        print(f"{creditor}: kept {days} days (before {before.date().isoformat()}): "
              f"purged {done}")
    return 0


def run_data_export(args: Any) -> int:
    """One person's data as JSON."""
    data = Records(_open_records(args)).export_account(args.creditor, args.account)
    if not (data["calls"] or data["flags"] or data["contacts"] or data["arrangements"]):
        print(f"voicebot: nothing kept about account {args.account!r}", file=sys.stderr)
        return 1
    print_rows(data, True)
    return 0


def _recorded_history(url: str | None, creditor: str, account: str) -> History:
    from voicebot.compliance.ledger import history_from_records
    from voicebot.data import Database, default_url

    settings = Settings.from_env()
    database = Database(url or settings.records_url or default_url(settings.data_home))
    database.upgrade()
    try:
        return history_from_records(Records(database), creditor, account)
    finally:
        database.dispose()


def run_can_call(args: argparse.Namespace) -> int:
    directory = args.policies or Settings.from_env().policies_dir
    accounts = load_accounts(directory / ACCOUNTS_FILE)
    account = accounts.get(args.account)
    if account is None:
        raise ConfigError(f"no account {args.account!r} (known: {', '.join(accounts)})")
    policy = find_policy(directory, account.creditor)
    if args.history:
        records, flags = read_history(args.history)
    else:
        records, flags = _recorded_history(args.database, policy.id, account.reference)
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
