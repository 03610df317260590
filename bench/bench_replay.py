"""How fast the call library replays, and how well recognition hears the recorded callers.

    .venv/bin/python bench/bench_replay.py [--json bench/results/replay.json]

Runs ``voicebot replay`` over audio_fixtures/calls twice: every call as text, then the
calls that carry recordings with recognition and synthesis (``--voice``). Prints the speed
against real time (target: at least 5x on a 2-core machine) and the word error rate per
language (raw: a ZIP code heard as digits counts its words as errors).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
LIBRARY = ROOT / "audio_fixtures" / "calls"


def run(calls: list[Path], voice: bool) -> dict:
    with tempfile.TemporaryDirectory() as out:
        args = [sys.executable, "-m", "voicebot", "--log-level", "warning", "replay",
                *map(str, calls), "--out", out, *(["--voice"] if voice else [])]
        subprocess.run(args, check=False, capture_output=True, text=True, timeout=3600)
        return json.loads((Path(out) / "report.json").read_text())["summary"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    every = sorted(LIBRARY.glob("*.yaml"))
    recorded = [p for p in every if "audio:" in p.read_text()]
    results = {"text": run(every, voice=False), "voice": run(recorded, voice=True)}
    print(f"{'mode':6} {'calls':>5} {'passed':>6} {'call s':>8} {'wall s':>7} {'x real':>7}"
          "  word error rate")
    for mode, s in results.items():
        print(f"{mode:6} {s['calls']:>5} {s['passed']:>6} {s['call_seconds']:>8.0f} "
              f"{s['wall_seconds']:>7.1f} {s['speed']:>7.1f}  {s['word_error_rate'] or '-'}")
    if args.json:
        machine = {"machine": platform.machine(), "cpus": os.cpu_count(),
                   "python": platform.python_version()}
        args.json.write_text(json.dumps({"machine": machine, **results}, indent=1) + "\n")
        print(f"written {args.json}")


if __name__ == "__main__":
    main()
