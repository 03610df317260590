"""``voicebot replay``: run a library of calls through the live call code and report."""

from __future__ import annotations

import argparse
import asyncio
import itertools
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
    parser.add_argument("--voice", action="store_true",
                        help="play the recorded caller turns through speech recognition and "
                             "synthesize the bot's replies (slower; word error rates)")
    parser.add_argument("--realtime", action="store_true",
                        help="pace the calls as a phone line would (default: skip waits)")
    parser.add_argument("--jobs", type=int, default=1, metavar="N",
                        help="replay in N processes at once (each loads its own models)")
    parser.add_argument("--compare", type=Path, metavar="OTHER_POLICIES_OR_PROMPTS_DIR",
                        help="replay again with this policy or prompt directory and show "
                             "what changed")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from voicebot.replay.scenario import find_scenarios

    scenarios = find_scenarios(args.scenarios)
    for path in (args.policies, args.prompts):
        if path is not None and not path.is_dir():
            raise ConfigError(f"{path}: not a directory")
    if args.compare is not None and not args.compare.is_dir():
        raise ConfigError(f"{args.compare}: not a directory")
    args.out.mkdir(parents=True, exist_ok=True)
    report = replay_parallel(scenarios, args.policies, args.prompts,
                             fresh(args.out / "records"), jobs=args.jobs, voice=args.voice,
                             realtime=args.realtime,
                             audio=fresh(args.out / "audio") if args.voice else None)
    if args.compare is not None:
        kind = directory_kind(args.compare)
        other = replay_parallel(
            scenarios, args.compare if kind == "policies" else args.policies,
            args.compare if kind == "prompts" else args.prompts,
            fresh(args.out / "records-compare"), jobs=args.jobs, voice=args.voice,
            realtime=args.realtime,
            audio=fresh(args.out / "audio-compare") if args.voice else None)
        report["compare"] = {"directory": str(args.compare), "kind": kind, **other,
                             "differences": differences(report["calls"], other["calls"])}
    (args.out / "report.json").write_text(json.dumps(report, indent=1, default=str),
                                          encoding="utf-8")
    from voicebot.replay.html import write_html

    write_html(report, args.out / "report.html")
    failed = _print_run("", report)
    if "compare" in report:
        failed += _print_run(f"with {args.compare}: ", report["compare"])
        for change in report["compare"]["differences"]:
            print(f"  CHANGED {change['id']}: " + "; ".join(change["changes"]))
    print(f"report: {args.out / 'report.html'}")
    return 1 if failed else 0


def _print_run(label: str, run: dict[str, Any]) -> int:
    summary = run["summary"]
    print(f"{label}{summary['passed']} of {summary['calls']} calls passed; "
          f"{summary['call_seconds']:.0f} s of calls replayed in "
          f"{summary['wall_seconds']:.1f} s ({summary['speed']:.0f}x real time)")
    failed = 0
    for call in run["calls"]:
        for check in call["checks"]:
            if not check["passed"]:
                failed += 1
                print(f"  FAILED {call['id']}: {check['name']}: {check['detail']}")
    return failed


def fresh(directory: Path) -> Path:
    """A replay's own records: each replay starts from the policy files."""
    directory.mkdir(parents=True, exist_ok=True)
    for name in ("records.db", "records.db-wal", "records.db-shm", "handoff-journal.jsonl"):
        (directory / name).unlink(missing_ok=True)
    return directory


def directory_kind(directory: Path) -> str:
    """Whether a directory holds prompts (a file per language) or policies."""
    from voicebot.dialogue.labels import LANGUAGES

    if any((directory / f"{language}.yaml").is_file() for language in LANGUAGES):
        return "prompts"
    if any(directory.glob("*.yaml")):
        return "policies"
    raise ConfigError(f"{directory}: neither prompts (en.yaml, fr.yaml) nor policies")


def _outcome_text(call: dict[str, Any]) -> dict[str, str]:
    outcome = call["outcome"]
    plan = outcome.get("plan") or {}
    return {
        "plan": (f"agreed, {plan.get('count')} payment(s) of {plan.get('instalment')}"
                 if outcome.get("agreed") else "none"),
        "hand-off": outcome.get("handoff") or "none",
        "flags": ", ".join(outcome.get("flags") or []) or "none",
        "checks": "pass" if call["passed"] else "FAIL",
    }


def differences(base: list[dict[str, Any]], other: list[dict[str, Any]]
                ) -> list[dict[str, Any]]:
    """Per call: outcomes that changed, replies that changed, and the latency delta."""
    others = {call["id"]: call for call in other}
    out = []
    for call in base:
        twin = others.get(call["id"])
        if twin is None:
            continue
        changes = []
        before, after = _outcome_text(call), _outcome_text(twin)
        for key in before:
            if before[key] != after[key]:
                changes.append(f"{key} {before[key]} -> {after[key]}")
        replies = list(itertools.zip_longest(
            [t["text"] for t in call["transcript"] if t["speaker"] == "bot"],
            [t["text"] for t in twin["transcript"] if t["speaker"] == "bot"]))
        changed_replies = [{"before": a, "after": b} for a, b in replies if a != b]
        if changed_replies:
            count = len(changed_replies)
            changes.append(f"{count} repl{'y' if count == 1 else 'ies'} changed")
        delta = _median_ms(twin) - _median_ms(call)
        out.append({"id": call["id"], "changes": changes, "replies": changed_replies,
                    "outcome_before": before, "outcome_after": after,
                    "dialogue_ms_delta": round(delta, 1)})
    return [d for d in out if d["changes"]]


def _median_ms(call: dict[str, Any]) -> float:
    values = [t["stages_ms"].get("dialogue", 0.0) for t in call["turns"]]
    return statistics.median(values) if values else 0.0


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
    return settings.changed(**update)


async def replay_all(scenarios: list[Any], policies: Path | None, prompts: Path | None,
                     out: Path, *, voice: bool = False, realtime: bool = False,
                     audio: Path | None = None) -> dict[str, Any]:
    """The scenarios one after another in this process; with ``audio``, what the caller
    heard of the bot is kept there, a WAV file per stretch of speech."""
    from voicebot.replay.run import replay_call, replay_clock, text_engines, voice_engines
    from voicebot.web.app import ServiceState

    settings = replay_settings(policies, prompts, out)
    engines = voice_engines(settings) if voice else text_engines(settings)
    clock = replay_clock(engines, realtime=realtime)
    state = ServiceState(settings, engines, data_dir=out, clock=clock)
    started = time.perf_counter()
    results = []
    try:
        for number, scenario in enumerate(scenarios, 1):
            results.append((await replay_call(scenario, state, clock,
                                              audio=audio)).as_json())
            _forget_flags(state)
            _progress(number, len(scenarios), scenario.id)
    finally:
        if sys.stderr.isatty():
            print(file=sys.stderr)
        await engines.aclose()
        state.database.dispose()
    return {"summary": summarise(results, time.perf_counter() - started, voice=voice,
                                 realtime=realtime, policies=settings.policies_dir,
                                 prompts=settings.prompts_dir),
            "calls": results}


def replay_parallel(scenarios: list[Any], policies: Path | None, prompts: Path | None,
                    out: Path, *, jobs: int, voice: bool = False, realtime: bool = False,
                    audio: Path | None = None) -> dict[str, Any]:
    """The scenarios split over ``jobs`` processes (each with its engines and records),
    the calls reported in the order given."""
    import concurrent.futures
    import multiprocessing

    if jobs <= 1 or len(scenarios) <= 1:
        return asyncio.run(replay_all(scenarios, policies, prompts, out, voice=voice,
                                      realtime=realtime, audio=audio))
    jobs = min(jobs, len(scenarios))
    shares = [[str(s.path) for s in scenarios[n::jobs]] for n in range(jobs)]
    started = time.perf_counter()
    context = multiprocessing.get_context("spawn")
    with concurrent.futures.ProcessPoolExecutor(jobs, mp_context=context) as pool:
        parts = list(pool.map(_replay_share, shares, [policies] * jobs, [prompts] * jobs,
                              [fresh(out / f"job-{n + 1}") for n in range(jobs)],
                              [voice] * jobs, [realtime] * jobs, [audio] * jobs))
    order = {str(s.path): n for n, s in enumerate(scenarios)}
    by_path = {path: call for share, part in zip(shares, parts, strict=True)
               for path, call in zip(share, part["calls"], strict=True)}
    calls = [by_path[path] for path in sorted(by_path, key=order.__getitem__)]
    summary = parts[0]["summary"]
    return {"summary": summarise(calls, time.perf_counter() - started, voice=voice,
                                 realtime=realtime, policies=summary["policies"],
                                 prompts=summary["prompts"], jobs=jobs),
            "calls": calls}


def _replay_share(paths: list[str], policies: Path | None, prompts: Path | None, out: Path,
                  voice: bool, realtime: bool, audio: Path | None) -> dict[str, Any]:
    from voicebot.replay.scenario import load_scenario

    return asyncio.run(replay_all([load_scenario(Path(p)) for p in paths], policies, prompts,
                                  out, voice=voice, realtime=realtime, audio=audio))


def summarise(calls: list[dict[str, Any]], wall: float, *, voice: bool, realtime: bool,
              policies: object, prompts: object, jobs: int = 1) -> dict[str, Any]:
    call_seconds = sum(c["call_seconds"] for c in calls)
    turn_ms = [t["stages_ms"]["dialogue"] for c in calls for t in c["turns"]
               if "dialogue" in t["stages_ms"]]
    return {
        "calls": len(calls), "passed": sum(c["passed"] for c in calls),
        "call_seconds": round(call_seconds, 1), "wall_seconds": round(wall, 2),
        "speed": round(call_seconds / wall, 1) if wall else None,
        "dialogue_ms_median": round(statistics.median(turn_ms), 1) if turn_ms else None,
        "mode": "voice" if voice else "text", "realtime": realtime, "jobs": jobs,
        "word_error_rate": _error_rates(calls),
        "word_error_rate_normalised": _error_rates(calls, "normalised_"),
        "speech_gap_ms_max": max((c["extra"]["speech_gap_ms"] for c in calls
                                  if "speech_gap_ms" in c["extra"]), default=None),
        "policies": str(policies), "prompts": str(prompts),
    }


def _error_rates(calls: list[dict[str, Any]], key: str = "") -> dict[str, float]:
    """Word error rate of recognition per language over the recorded turns: raw, or with
    numbers written alike (``key="normalised_"``)."""
    totals: dict[str, list[int]] = {}
    for call in calls:
        language = call["extra"]["language"]
        for turn in call["extra"].get("recognition", []):
            errors, words = totals.setdefault(language, [0, 0])
            totals[language] = [errors + turn[key + "errors"], words + turn[key + "words"]]
    return {lang: round(e / w, 3) for lang, (e, w) in totals.items() if w}


def _forget_flags(state: Any) -> None:
    """Every call starts from the accounts as the policy files give them: a flag one
    scenario's caller earned (a distressed Jane Doe) would send the next to a person."""
    now = state.clock.wall()
    for creditor in state.policies:
        for account, flags in state.records.flagged_accounts(creditor).items():
            for flag in flags:
                state.records.clear_flag(creditor, account, flag, at=now, by="replay")


def _progress(done: int, total: int, name: str) -> None:
    if not sys.stderr.isatty():
        return
    width = 30
    filled = width * done // total
    print(f"\r[{'#' * filled}{'.' * (width - filled)}] {done}/{total} {name[:40]:<40}",
          end="", file=sys.stderr, flush=True)
