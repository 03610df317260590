"""How many calls at once: N simultaneous Twilio-protocol calls on loopback.

    .venv/bin/python bench/bench_capacity.py [--calls 1 4 8 16] [--json bench/results/capacity.json]

For each N, starts a fresh ``voicebot serve`` (``VOICEBOT_MAX_CALLS`` raised to N) and
places N copies of audio_fixtures/demo_call.yaml at once with streamdouble (real-time
audio, marks echoed), staggered by 0.3 s as calls arrive. Reports per N: calls that
reached a plan, the reply latency over every caller turn (end of the caller's words to
the reply's first audio; median, p95, max, as the service measured it), the server's
CPU (cores busy over the run) and its memory (resident, idle and with the calls; the
growth per call).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import random
import statistics
import sys
import time
from pathlib import Path

from streamdouble.api import run_scenario
from streamdouble.scenario import load
from streamdouble.session import SessionConfig

sys.path.insert(0, str(Path(__file__).resolve().parent))
from service import ROOT, cpu_seconds, rss_mb, service


async def place_all(ws: str, n: int, spread: float) -> list:  # type: ignore[type-arg]
    scenario = load(ROOT / "audio_fixtures" / "demo_call.yaml")
    config = SessionConfig(custom_parameters={"creditor": "acme-telecom",
                                              "account": "100200"},
                           quiet_period_s=1.5, max_drain_s=15.0, response_timeout_s=30.0,
                           max_call_s=180.0)

    # In lockstep (0.3 s apart: every call's turns end together, the worst case), or
    # arriving at random over ``spread`` seconds as calls to a line do.
    rng = random.Random(n)
    starts = [rng.uniform(0, spread) for _ in range(n)] if spread else [
        0.3 * index for index in range(n)]

    async def one(index: int):  # type: ignore[no-untyped-def]
        await asyncio.sleep(starts[index])
        return await run_scenario(ws, scenario, config=config)

    return await asyncio.gather(*(one(i) for i in range(n)), return_exceptions=True)


def p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


def measure(n: int, spread: float = 0.0) -> dict:
    with service(env={"VOICEBOT_MAX_CALLS": str(max(n, 1))}) as svc:
        pid = svc.process.pid
        idle_rss = rss_mb(pid)
        cpu0, wall0 = cpu_seconds(pid), time.monotonic()
        peak = {"rss": idle_rss}

        async def run() -> list:  # type: ignore[type-arg]
            async def sample() -> None:
                while True:
                    peak["rss"] = max(peak["rss"], rss_mb(pid))
                    await asyncio.sleep(0.5)

            sampler = asyncio.ensure_future(sample())
            try:
                return await place_all(svc.ws, n, spread)
            finally:
                sampler.cancel()

        reports = asyncio.run(run())
        cpu = (cpu_seconds(pid) - cpu0) / (time.monotonic() - wall0)
        time.sleep(1.0)
        calls = svc.api("/api/calls/recent")[-n:]
    totals = [t["stages_ms"]["total"] for c in calls for t in c["turns"]
              if "total" in t["stages_ms"]]
    failed = [r for r in reports if isinstance(r, BaseException)]
    stage_names = sorted({name for c in calls for t in c["turns"] for name in t["stages_ms"]})
    stages = {}
    for name in stage_names:
        values = [t["stages_ms"][name] for c in calls for t in c["turns"]
                  if name in t["stages_ms"]]
        stages[name] = {"median": round(statistics.median(values)), "p95": round(p95(values))}
    return {
        "calls": n, "arrivals": f"random over {spread:g} s" if spread else "lockstep",
        "placed": n - len(failed), "agreed": sum(bool(c.get("agreed"))
                                                           for c in calls),
        "turns": len(totals),
        "reply_ms": {"median": round(statistics.median(totals)), "p95": round(p95(totals)),
                     "max": round(max(totals))} if totals else None,
        "stages_ms": stages,
        # What the calls that reached no plan heard, to read why.
        "not_agreed": [[t["text"] for t in c["turns"]] for c in calls if not c.get("agreed")],
        "not_agreed_calls": [{k: c[k] for k in ("transcript", "events", "timings")}
                             for c in calls if not c.get("agreed")],
        "cpu_cores_busy": round(cpu, 2),
        "rss_mb": {"idle": round(idle_rss), "peak": round(peak["rss"]),
                   "per_call": round((peak["rss"] - idle_rss) / n, 1)},
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, nargs="+", default=[1, 4, 8, 16])
    parser.add_argument("--spread", type=float, default=0.0,
                        help="calls arrive at random over this many seconds (default: in "
                             "lockstep, 0.3 s apart)")
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    rows = [measure(n, args.spread) for n in args.calls]
    print(f"machine: {platform.machine()}, {os.cpu_count()} cores, "
          f"Python {platform.python_version()}")
    print(f"{'calls':>5} {'agreed':>6} {'turns':>5} {'median ms':>9} {'p95 ms':>7} "
          f"{'max ms':>7} {'cores':>5} {'MB/call':>7}")
    for r in rows:
        ms = r["reply_ms"] or {"median": 0, "p95": 0, "max": 0}
        print(f"{r['calls']:>5} {r['agreed']:>6} {r['turns']:>5} {ms['median']:>9} "
              f"{ms['p95']:>7} {ms['max']:>7} {r['cpu_cores_busy']:>5} "
              f"{r['rss_mb']['per_call']:>7}")
    for r in rows:
        print(f"{r['calls']} calls, per stage ms (median / p95): " + ", ".join(
            f"{name} {v['median']} / {v['p95']}" for name, v in r["stages_ms"].items()))
        for heard in r["not_agreed"]:
            print(f"  no plan; heard: {heard}")
    if args.json:
        args.json.write_text(json.dumps({"machine": {"machine": platform.machine(),
                                                     "cpus": os.cpu_count()},
                                         "runs": rows}, indent=1) + "\n")


if __name__ == "__main__":
    main()
