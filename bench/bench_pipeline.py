"""Per-stage latency of a caller's turn through the whole pipeline, and the
service's memory, measured on real calls.

Starts ``voicebot serve`` on a free loopback port, places N scripted calls with
streamdouble (audio_fixtures/demo_call.yaml: a whole negotiation, five caller
turns), and reports the
median and worst time per stage over every turn, plus the server's resident
memory after the calls.

    .venv/bin/python bench/bench_pipeline.py [--calls 3] [--stt-model base]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import statistics
import sys
from pathlib import Path

from streamdouble.api import run_scenario
from streamdouble.scenario import load
from streamdouble.session import SessionConfig

sys.path.insert(0, str(Path(__file__).resolve().parent))
from service import ROOT, rss_mb, service

STAGES = ("end_detection", "stt", "dialogue", "tts_first_audio", "total")


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--calls", type=int, default=3)
    parser.add_argument("--stt-model", default="base", choices=["base", "tiny.en"])
    args = parser.parse_args()

    with service("--stt-model", args.stt_model) as svc:
        startup = svc.startup_seconds
        server = svc.process
        idle_rss = rss_mb(server.pid)
        scenario = load(ROOT / "audio_fixtures" / "demo_call.yaml")
        config = SessionConfig(custom_parameters={"creditor": "acme-telecom",
                                                  "account": "100200"},
                               quiet_period_s=1.5, max_drain_s=15.0)
        first_audio = []
        for _ in range(args.calls):
            report = await run_scenario(svc.ws, scenario,
                                        config=config)
            first_audio.append(report.time_to_first_audio_ms)
        await asyncio.sleep(1.0)
        calls = svc.api("/api/calls/recent")
        busy_rss = rss_mb(server.pid)

    per_stage: dict[str, list[float]] = {s: [] for s in STAGES}
    for record in calls:
        for turn in record["turns"]:
            for stage, ms in turn["stages_ms"].items():
                per_stage[stage].append(ms)
    turns = len(per_stage["total"])
    print(f"machine: {platform.machine()}, {os.cpu_count()} cores, {platform.python_version()}")
    print(f"stt model: {args.stt_model}; {args.calls} calls, {turns} caller turns")
    print(f"startup to healthy: {startup:.1f} s; RSS idle {idle_rss:.0f} MB, "
          f"after calls {busy_rss:.0f} MB")
    print(f"greeting first audio (stream start -> first audio), median: "
          f"{statistics.median(x for x in first_audio if x is not None):.0f} ms")
    print(f"{'stage':<18}{'median ms':>10}{'max ms':>10}")
    for stage, values in per_stage.items():
        if values:
            print(f"{stage:<18}{statistics.median(values):>10.0f}{max(values):>10.0f}")
    print(json.dumps({"turns": [t for c in calls for t in c["turns"]]}, ensure_ascii=False)[:2000])


if __name__ == "__main__":
    asyncio.run(main())
