"""``voicebot db``, ``voicebot calls``, ``voicebot arrangements`` and ``voicebot audit``:
the records from the command line.

They open the database the service uses (``VOICEBOT_DATABASE_URL``, default SQLite in
the home directory); ``db upgrade`` applies pending migrations (the service does it
too at start-up). Listings print a table, or JSON with ``--json``.
"""

from __future__ import annotations

import datetime as dt
import json
import sys
from pathlib import Path
from typing import Any

from voicebot.data.database import Database, default_url, redacted_url
from voicebot.data.records import Records
from voicebot.errors import ConfigError


def _open(args: Any, *, upgrade: bool = True) -> Database:
    from voicebot.settings import Settings

    settings = Settings.from_env()
    db = Database(args.database or settings.records_url or default_url(settings.data_home))
    if upgrade:
        db.upgrade()
    return db


def iso_time(text: str | None) -> dt.datetime | None:
    if not text:
        return None
    try:
        value = dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise ConfigError(f"not an ISO time: {text!r}") from None
    if value.tzinfo is None:
        raise ConfigError(f"{text!r} has no UTC offset (e.g. 2026-12-01T09:00:00Z)")
    return value


def print_rows(rows: Any, as_json: bool, columns: tuple[str, ...] = ()) -> None:
    if as_json or not columns:
        json.dump(rows, sys.stdout, ensure_ascii=False, indent=1, default=str)
        sys.stdout.write("\n")
        return
    widths = {c: max([len(c)] + [len(str(r.get(c) or "")) for r in rows]) for c in columns}
    print("  ".join(c.ljust(widths[c]) for c in columns))
    for row in rows:
        print("  ".join(str(row.get(c) or "").ljust(widths[c]) for c in columns))
    if not rows:
        print("(none)")


def run_db_upgrade(args: Any) -> int:
    db = _open(args, upgrade=False)
    before, after = db.upgrade()
    where = redacted_url(db.url)
    if before == after:
        print(f"{where}: schema is current ({after})")
    else:
        print(f"{where}: schema {before or 'empty'} -> {after}")
    return 0


def run_db_current(args: Any) -> int:
    db = _open(args, upgrade=False)
    current, head = db.revision(), db.head()
    print(f"{redacted_url(db.url)}: schema {current or 'empty'} (newest known: {head})")
    return 0 if current == head else 1


def run_calls_list(args: Any) -> int:
    rows = Records(_open(args)).calls(creditor=args.creditor, account=args.account,
                                      limit=args.limit)
    print_rows(rows, args.json, ("id", "started_at", "creditor", "account", "language",
                             "end_reason"))
    return 0


def run_calls_show(args: Any) -> int:
    call = Records(_open(args)).call(args.call_id)
    if call is None:
        print(f"voicebot: no call {args.call_id!r}", file=sys.stderr)
        return 1
    print_rows(call, True)
    return 0


def run_arrangements_list(args: Any) -> int:
    rows = Records(_open(args)).arrangements(creditor=args.creditor, account=args.account,
                                             limit=args.limit)
    print_rows(rows, args.json, ("id", "agreed_at", "creditor", "account", "total", "currency",
                             "kind", "call_id"))
    return 0


def run_audit_export(args: Any) -> int:
    """Every record as one JSON object per line, oldest first."""
    events = Records(_open(args)).audit(since=iso_time(args.since))
    out = open(args.out, "w", encoding="utf-8") if args.out else sys.stdout  # noqa: SIM115
    try:
        for event in events:
            out.write(json.dumps(event, ensure_ascii=False, default=str) + "\n")
    finally:
        if args.out:
            out.close()
    if args.out:
        print(f"{len(events)} records written to {args.out}", file=sys.stderr)
    return 0


def _common(parser: Any) -> None:
    parser.add_argument("--database", metavar="URL",
                        help="database URL (default: VOICEBOT_DATABASE_URL, else SQLite in "
                             "the home directory)")


def _filters(parser: Any) -> None:
    _common(parser)
    parser.add_argument("--creditor", help="only this creditor")
    parser.add_argument("--account", help="only this account reference")
    parser.add_argument("--limit", type=int, default=100, help="at most this many (100)")
    parser.add_argument("--json", action="store_true", help="print JSON")


def register(subparsers: Any) -> None:
    db = subparsers.add_parser("db", help="the records database: schema migrations")
    actions = db.add_subparsers(dest="db_action", required=True, metavar="ACTION")
    upgrade = actions.add_parser("upgrade", help="apply pending schema migrations")
    _common(upgrade)
    upgrade.set_defaults(run=run_db_upgrade)
    current = actions.add_parser("current", help="the schema revision (exit 1 if behind)")
    _common(current)
    current.set_defaults(run=run_db_current)

    calls = subparsers.add_parser("calls", help="recorded calls")
    actions = calls.add_subparsers(dest="calls_action", required=True, metavar="ACTION")
    listing = actions.add_parser("list", help="calls, newest first")
    _filters(listing)
    listing.set_defaults(run=run_calls_list)
    show = actions.add_parser("show", help="one call with its turns, disclosures, decisions, "
                                           "arrangements, hand-offs and flags (JSON)")
    _common(show)
    show.add_argument("call_id")
    show.set_defaults(run=run_calls_show)

    arrangements = subparsers.add_parser("arrangements", help="agreed payment arrangements")
    actions = arrangements.add_subparsers(dest="arrangements_action", required=True,
                                          metavar="ACTION")
    listing = actions.add_parser("list", help="arrangements, newest first")
    _filters(listing)
    listing.set_defaults(run=run_arrangements_list)

    audit = subparsers.add_parser("audit", help="the audit trail")
    actions = audit.add_subparsers(dest="audit_action", required=True, metavar="ACTION")
    export = actions.add_parser("export", help="every record as JSON Lines, oldest first")
    _common(export)
    export.add_argument("--since", metavar="ISO-TIME", help="only records from this time")
    export.add_argument("--out", type=Path, metavar="FILE", help="write here (default: stdout)")
    export.set_defaults(run=run_audit_export)
