"""Voice to voice over SIP: real calls through Asterisk 22 into the service, over each
of its Asterisk adapters, timed from the caller's own recording.

    sudo .venv/bin/python bench/bench_sip.py [--calls 3] [--json bench/results/sip.json]

Needs what tests/sip needs: root and the rig ``scripts/asterisk-rig`` installs. Starts
one ``voicebot serve`` (AudioSocket port and chan_websocket secret set) and one
Asterisk, then places ``--calls`` calls on each adapter from a baresip phone: the demo
caller (Jane Doe, 100200) says her reference, a yes, her name and her ZIP code, each at
a fixed second of the call, between the bot's questions.

Each reply's latency is measured by the caller: from the end of her words in what her
phone sent to the first sound of the reply in what it recorded (frames of 20 ms louder
than RMS 300). baresip starts sending the one file and recording the other together,
when the call's audio starts, so both are on one timeline from the answer; a first,
echo call (Asterisk's ``Echo()``) measures what the rig itself adds going there and
back (RTP, Asterisk, the phone's jitter and playout buffers), which is part of every
figure here as it is of any caller's. A turn where the bot was still talking when the
caller began is left out (the offsets assume the replies' usual lengths). Beside it,
the service's own figure for the same turns (the record's ``turn_ms``: from the end of
speech as its voice detector placed it to the reply's first audio handed to the line).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import sys
import tempfile
import time
import wave
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from service import ROOT, free_port, service

sys.path.insert(0, str(ROOT))  # the SIP rig and phones of the tests
from tests.sip.phone import place_call
from tests.sip.rig import Asterisk, missing
from tests.sip.sound import FRAME, LOUD, first_sound, levels, spans

FIXTURES = ROOT / "audio_fixtures"
SECRET = "bench-asterisk-secret-0123456789"
ADAPTERS = ("audiosocket", "websocket")
# The caller's lines, at seconds after the answer: each after the bot's question has
# ended (the greeting about 10.5 s; the read-back 5 s; the name question 8 s; the ZIP
# code question 3.5 s), with a margin.
SCRIPT = (
    (12.0, "en_account_100200.wav"),  # "My account number is one, zero, zero... two, ..."
    (24.5, "en_jane_yes.wav"),  # "Yes, that's right."
    (37.0, "en_jane_name.wav"),  # "Jane Doe."
    (46.0, "en_jane_zip.wav"),  # "Nine, four, one, zero, seven."
)
CALL_SECONDS = 56.0  # the caller hangs up during the reply to the ZIP code


def turns(sent: Path, heard: Path) -> list[dict]:
    """Each caller line's end (in what was sent), the reply's first sound (in what was
    heard), and whether the bot was quiet while the caller spoke."""
    said, got = levels(sent), levels(heard)
    out = []
    for offset, name in SCRIPT:
        with wave.open(str(FIXTURES / name)) as clip:
            length = clip.getnframes() / clip.getframerate()
        line = [s for s in spans(said) if offset <= s[0] < offset + length]
        if not line:
            continue
        start, end = line[0][0], line[-1][1]
        before = got[round((start - 0.3) / FRAME):round(end / FRAME)]
        reply = first_sound(got, end)
        out.append({
            "at": offset, "caller_end_s": end,
            "reply_s": reply,
            "latency_ms": None if reply is None else round((reply - end) * 1000),
            "overlapped": bool((before > LOUD).any()),
        })
    return out


def echo_round_trip(pbx: Asterisk, directory: Path) -> float:
    """Seconds from what the phone sent to hearing it back through Asterisk's Echo():
    the lag of the best cross-correlation, to a sample."""
    result = place_call(pbx, "echo", [(1.0, FIXTURES / "en_jane_name.wav")],
                        directory / "echo.wav", seconds=5, directory=directory / "echo")
    assert result.sent is not None

    def pcm(path: Path) -> np.ndarray:
        data = path.read_bytes()[44:]
        return np.frombuffer(data[: len(data) // 2 * 2], dtype="<i2").astype(np.float64)

    sent, heard = pcm(result.sent), pcm(result.heard)
    n = min(len(sent), len(heard))
    lags = range(0, 8000 // 2)  # up to half a second, in samples
    scores = [float(np.dot(sent[: n - lag], heard[lag:n])) for lag in lags]
    return lags[int(np.argmax(scores))] / 8000


def last_call(svc) -> dict | None:  # type: ignore[no-untyped-def]
    """The call the service finished last (it lists the last hundred)."""
    finished = svc.api("/api/calls/recent")
    return finished[-1] if finished else None


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def summary(values: list[float]) -> dict[str, float] | None:
    if not values:
        return None
    return {"median": round(statistics.median(values)), "p95": round(percentile(values, 0.95)),
            "min": round(min(values)), "max": round(max(values)), "n": len(values)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=3, help="calls per adapter")
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    if reason := missing():
        raise SystemExit(reason)
    work = Path(tempfile.mkdtemp(prefix="bench-sip-"))
    audiosocket = free_port()
    env = {"VOICEBOT_DATA_DIR": str(work / "data"), "VOICEBOT_AUDIOSOCKET_PORT": str(audiosocket),
           "VOICEBOT_ASTERISK_SECRET": SECRET}
    results: dict[str, list[dict]] = {adapter: [] for adapter in ADAPTERS}
    with service(env=env) as svc:
        pbx = Asterisk(work / "asterisk", audiosocket_port=audiosocket,
                       websocket_uri=f"ws://127.0.0.1:{svc.port}/asterisk/media",
                       websocket_password=SECRET).start()
        try:
            echo = echo_round_trip(pbx, work)
            print(f"rig's own round trip (Echo()): {echo * 1000:.0f} ms")
            for n in range(args.calls):
                for adapter in ADAPTERS:
                    before = last_call(svc)
                    out = work / f"{adapter}-{n}"
                    result = place_call(pbx, adapter, [(t, FIXTURES / name) for t, name in SCRIPT],
                                        out / "heard.wav", seconds=CALL_SECONDS,
                                        directory=out / "caller")
                    assert result.sent is not None and result.established, result
                    deadline = time.monotonic() + 10
                    while (record := last_call(svc)) is None or record == before:
                        if time.monotonic() > deadline:
                            raise SystemExit(f"the {adapter} call never ended in the service")
                        time.sleep(0.2)
                    measured = turns(result.sent, result.heard)
                    service_ms = [t["stages_ms"].get("total") for t in record["turns"]]
                    results[adapter].append({
                        "call": record["call_id"], "turns": measured, "service_turn_ms": service_ms,
                        "caller_lines": [t["text"] for t in record["transcript"]
                                         if t["speaker"] == "caller"]})
                    shown = ", ".join("-" if t["latency_ms"] is None else
                                      f"{t['latency_ms']}{'*' if t['overlapped'] else ''}"
                                      for t in measured)
                    print(f"  {adapter:12} call {n + 1}: caller-side ms {shown}; service "
                          f"turn_ms {', '.join(f'{v:.0f}' for v in service_ms if v)}")
        finally:
            pbx.stop()

    print(f"{'adapter':12} {'calls':>5} {'turns':>5}  caller-side ms median/p95/max"
          "   service turn_ms median/p95   caller - service, median")
    table = {}
    for adapter, calls in results.items():
        caller = [t["latency_ms"] for c in calls for t in c["turns"]
                  if t["latency_ms"] is not None and not t["overlapped"]]
        server = [v for c in calls for v in c["service_turn_ms"] if v]
        paired = [t["latency_ms"] - s for c in calls
                  if len(c["turns"]) == len(c["service_turn_ms"])
                  for t, s in zip(c["turns"], c["service_turn_ms"], strict=True)
                  if t["latency_ms"] is not None and not t["overlapped"] and s]
        table[adapter] = {"caller_ms": summary(caller), "service_turn_ms": summary(server),
                          "caller_minus_service_ms": summary(paired)}
        c, s, d = (table[adapter][k] or {"median": 0, "p95": 0, "max": 0} for k in
                   ("caller_ms", "service_turn_ms", "caller_minus_service_ms"))
        print(f"{adapter:12} {len(calls):>5} {len(caller):>5}  {c['median']:>6} / {c['p95']:>5}"
              f" / {c['max']:>5}   {s['median']:>10} / {s['p95']:>5}   {d['median']:>10}")
    left_out = sum(t["overlapped"] for calls in results.values() for c in calls
                   for t in c["turns"])
    print(f"turns left out (the bot still talking when the caller began): {left_out}")
    if args.json:
        machine = {"machine": platform.machine(), "cpus": os.cpu_count(),
                   "python": platform.python_version(), "system": platform.platform()}
        args.json.write_text(json.dumps({
            "machine": machine, "calls_per_adapter": args.calls,
            "echo_round_trip_ms": round(echo * 1000), "summary": table, "calls": results,
        }, indent=1) + "\n")
        print(f"written {args.json}")


if __name__ == "__main__":
    main()
