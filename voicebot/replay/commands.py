"""``voicebot replay``: run a library of calls through the live call code and report."""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import sys
import time
from pathlib import Path
from typing import Any

from voicebot.errors import ConfigError


def register(subparsers: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    parser = subparsers.add_parser(
        "replay", help="replay recorded calls through the bot and check what came of them",
        description="Run scenario files (see audio_fixtures/calls) through the same session "
                    "code as a live call, faster than real time, and write report.json. "
                    "Exits 1 when a check fails.")
    parser.add_argument("scenarios", nargs="+", type=Path, metavar="SCENARIO_OR_DIR")
    parser.add_argument("--policies", type=Path, help="policy directory to test")
    parser.add_argument("--prompts", type=Path, help="prompt directory to test")
    parser.add_argument("--out", type=Path, default=Path("replay-report"),
                        help="where the report and the replay's records go")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from voicebot.replay.scenario import find_scenarios

    scenarios = find_scenarios(args.scenarios)
    for path in (args.policies, args.prompts):
        if path is not None and not path.is_dir():
            raise ConfigError(f"{path}: not a directory")
    args.out.mkdir(parents=True, exist_ok=True)
    for name in ("records.db", "records.db-wal", "records.db-shm", "handoff-journal.jsonl"):
        (args.out / name).unlink(missing_ok=True)  # each replay starts from the policy files
    report = asyncio.run(replay_all(scenarios, args.policies, args.prompts, args.out))
    (args.out / "report.json").write_text(json.dumps(report, indent=1, default=str),
                                          encoding="utf-8")
    summary = report["summary"]
    print(f"{summary['passed']} of {summary['calls']} calls passed; "
          f"{summary['call_seconds']:.0f} s of calls replayed in "
          f"{summary['wall_seconds']:.1f} s ({summary['speed']:.0f}x real time); "
          f"report in {args.out / 'report.json'}")
    for call in report["calls"]:
        for check in call["checks"]:
            if not check["passed"]:
                print(f"  FAILED {call['id']}: {check['name']}: {check['detail']}")
    return 0 if summary["passed"] == summary["calls"] else 1


def replay_settings(policies: Path | None, prompts: Path | None, out: Path) -> Any:
    """The service's settings, with the policies and prompts under test, records kept in
    ``out`` and no carrier to transfer to (a replay never calls anyone)."""
    from voicebot.settings import Settings

    settings = Settings.from_env()
    update: dict[str, Any] = {
        "database_url": f"sqlite:///{(out / 'records.db').resolve()}",
        "handoff_db": out / "no-earlier-handoffs.db",
        "twilio_account_sid": None, "twilio_auth_token": None,
    }
    if policies is not None:
        update["policies_dir"] = policies
    if prompts is not None:
        update["prompts_dir"] = prompts
    return settings.model_copy(update=update)


async def replay_all(scenarios: list[Any], policies: Path | None, prompts: Path | None,
                     out: Path) -> dict[str, Any]:
    from voicebot.replay.run import replay_call, text_engines
    from voicebot.web.app import ServiceState

    settings = replay_settings(policies, prompts, out)
    engines = text_engines(settings)
    state = ServiceState(settings, engines, data_dir=out)
    started = time.perf_counter()
    results = []
    try:
        for number, scenario in enumerate(scenarios, 1):
            results.append(await replay_call(scenario, state))
            _forget_flags(state)
            _progress(number, len(scenarios), scenario.id)
    finally:
        print(file=sys.stderr)
        await engines.aclose()
        state.database.dispose()
    wall = time.perf_counter() - started
    call_seconds = sum(r.call_seconds for r in results)
    turn_ms = [t["stages_ms"]["dialogue"] for r in results for t in r.turns
               if "dialogue" in t["stages_ms"]]
    return {
        "summary": {
            "calls": len(results), "passed": sum(r.passed for r in results),
            "call_seconds": round(call_seconds, 1), "wall_seconds": round(wall, 2),
            "speed": round(call_seconds / wall, 1) if wall else None,
            "dialogue_ms_median": round(statistics.median(turn_ms), 1) if turn_ms else None,
            "policies": str(settings.policies_dir), "prompts": str(settings.prompts_dir),
        },
        "calls": [r.as_json() for r in results],
    }


def _forget_flags(state: Any) -> None:
    """Every call starts from the accounts as the policy files give them: a flag one
    scenario's caller earned (a distressed Jane Doe) would send the next to a person."""
    import datetime as dt

    now = dt.datetime.now(dt.UTC)
    for creditor in state.policies:
        for account, flags in state.records.flagged_accounts(creditor).items():
            for flag in flags:
                state.records.clear_flag(creditor, account, flag, at=now, by="replay")


def _progress(done: int, total: int, name: str) -> None:
    width = 30
    filled = width * done // total
    print(f"\r[{'#' * filled}{'.' * (width - filled)}] {done}/{total} {name[:40]:<40}",
          end="", file=sys.stderr, flush=True)
