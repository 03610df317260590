"""How fast the call library replays, how well recognition hears the recorded callers,
and how the voice pipeline answers them.

    .venv/bin/python bench/bench_replay.py [--json bench/results/replay.json] [--jobs N]

Runs ``voicebot replay`` over audio_fixtures/calls twice: every call as text, then every
call by voice (``--voice``: the recordings through the listener, recognition and the
bot's voices). Prints the speed against real time (target: at least 5x on a 2-core
machine), how many calls still pass when heard rather than read, the word error rate per
language (raw, and with numbers written alike: "nine four one" heard as "941" is no
error), the voice run's reply latency per stage (median and p95 over every caller turn)
and the longest silence inside one of the bot's replies.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
LIBRARY = ROOT / "audio_fixtures" / "calls"
STAGES = ("end_detection", "stt", "dialogue", "tts_first_audio", "total")


def run(calls: list[Path], voice: bool, jobs: int) -> dict:
    with tempfile.TemporaryDirectory() as out:
        args = [sys.executable, "-m", "voicebot", "--log-level", "warning", "replay",
                *map(str, calls), "--out", out, "--jobs", str(jobs),
                *(["--voice"] if voice else [])]
        subprocess.run(args, check=False, capture_output=True, text=True, timeout=3600)
        return json.loads((Path(out) / "report.json").read_text())


def stages(report: dict) -> dict[str, dict[str, float]]:
    out = {}
    for stage in STAGES:
        values = sorted(t["stages_ms"][stage] for c in report["calls"] for t in c["turns"]
                        if stage in t["stages_ms"])
        if values:
            out[stage] = {"median": round(statistics.median(values), 1),
                          "p95": values[min(len(values) - 1, round(0.95 * (len(values) - 1)))]}
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", type=Path)
    parser.add_argument("--jobs", type=int, default=1)
    args = parser.parse_args()
    every = sorted(LIBRARY.glob("*.yaml"))
    reports = {"text": run(every, False, args.jobs), "voice": run(every, True, args.jobs)}
    print(f"{'mode':6} {'calls':>5} {'passed':>6} {'call s':>8} {'wall s':>7} {'x real':>7}"
          "  word error rate (numbers alike)")
    for mode, report in reports.items():
        s = report["summary"]
        print(f"{mode:6} {s['calls']:>5} {s['passed']:>6} {s['call_seconds']:>8.0f} "
              f"{s['wall_seconds']:>7.1f} {s['speed']:>7.1f}  {s['word_error_rate'] or '-'} "
              f"({s.get('word_error_rate_normalised') or '-'})")
    voice = reports["voice"]
    per_stage = stages(voice)
    print("voice run, ms per caller turn:", ", ".join(
        f"{k} {v['median']:.0f}/{v['p95']:.0f}" for k, v in per_stage.items()), "(median/p95)")
    print("longest silence inside a reply:", voice["summary"].get("speech_gap_ms_max"), "ms")
    failed = [f"{c['id']}: " + "; ".join(k["name"] for k in c["checks"] if not k["passed"])
              for c in voice["calls"] if not c["passed"]]
    for line in failed:
        print("  voice run failed", line)
    if args.json:
        machine = {"machine": platform.machine(), "cpus": os.cpu_count(),
                   "python": platform.python_version(), "jobs": args.jobs}
        results = {"machine": machine, "text": reports["text"]["summary"],
                   "voice": voice["summary"], "voice_stages_ms": per_stage,
                   "voice_failed": failed,
                   "voice_speech_gap_ms": {c["id"]: c["extra"].get("speech_gap_ms")
                                           for c in voice["calls"]}}
        args.json.write_text(json.dumps(results, indent=1) + "\n")
        print(f"written {args.json}")


if __name__ == "__main__":
    main()
