"""Barge-in reaction and holes in the bot's speech, measured from the caller's side.

    .venv/bin/python bench/bench_bargein.py [--json bench/results/bargein.json] [--hold-ms 100]

Starts ``voicebot serve`` and places calls with streamdouble (a Twilio Media Streams
simulator that plays audio in real time and echoes marks as a phone would):

- interruptions: a caller talks over the greeting ("Sorry to interrupt...") at five
  points of it; reaction = from the caller's first voiced audio (Silero on the clip) to
  the ``clear`` that empties the carrier's buffer, and to the last bot audio received;
- backchannels: a cough, an "mm", an "okay" over the greeting; the bot should go on:
  how long its audio stopped, and whether the greeting carried on after;
- holes: the longest silence inside one reply, over the greeting of calls nobody
  interrupts, in English and French (Kokoro, the slow voice).

``--hold-ms 0`` measures the service with the early stop turned off (the barge-in then
waits for half a second of speech), for a before and after.
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

import numpy as np
from streamdouble.api import run_scenario
from streamdouble.scenario import parse
from streamdouble.session import SessionConfig

sys.path.insert(0, str(Path(__file__).resolve().parent))
from service import ROOT, service

FIXTURES = ROOT / "audio_fixtures"


def onset_seconds(clip: str) -> float:
    """Seconds into a clip where the voice activity model first hears speech."""
    import wave

    from voicebot.audio.resample import resample
    from voicebot.turns.vad import WINDOW_SECONDS, SileroVad

    with wave.open(str(FIXTURES / clip)) as wav:
        rate = wav.getframerate()
        pcm = np.frombuffer(wav.readframes(wav.getnframes()), dtype=np.int16)
    audio = resample(pcm.astype(np.float32) / 32768, rate, 16_000)
    probs = SileroVad().stream().push(audio)
    return next(i for i, p in enumerate(probs) if p >= 0.5) * WINDOW_SECONDS


async def place(ws: str, steps: list[dict], params: dict[str, str]):  # type: ignore[no-untyped-def]
    scenario = parse({"name": "bench", "steps": steps}, base_dir=FIXTURES)
    config = SessionConfig(custom_parameters=params, quiet_period_s=1.0, max_drain_s=10.0,
                           response_timeout_s=15.0, max_call_s=60.0)
    return (await run_scenario(ws, scenario, config=config)).result


def times(result, kind: str) -> list[float]:  # type: ignore[no-untyped-def]
    return [e.at - result.started_at for e in result.events_of(kind)]


def longest_hole(media: list[float], clears: list[float] = (), after: float = 0.5,  # type: ignore[assignment]
                 between_replies: float = 2.0) -> float:
    """The longest time the caller's line went silent while the bot was speaking, as a
    phone plays it: each 20 ms frame plays after the one before, or on arrival if the
    buffer had run dry (a clear empties it). Past ``after``; a silence of
    ``between_replies`` or more ends one reply and is not a hole in it."""
    playhead, longest, previous = None, 0.0, after
    for at in sorted(t for t in media if t > after):
        cut = [c for c in clears if previous < c <= at]
        if cut and playhead is not None:
            playhead = min(playhead, max(cut))  # the carrier dropped what it held
        previous = at
        if playhead is not None and at > playhead:
            dry = at - playhead
            if dry < between_replies:
                longest = max(longest, dry)
        playhead = max(playhead or at, at) + 0.02
    return longest


async def measure(ws: str) -> dict:
    out: dict = {"interruptions": [], "backchannels": [], "holes": []}
    onset = onset_seconds("en_interrupt.wav")
    for at in (1.5, 2.5, 3.5, 4.5, 5.5):
        result = await place(ws, [{"wait": at}, {"say": "en_interrupt.wav"}, {"wait": 2.5}],
                             {"creditor": "acme-telecom"})
        clears = times(result, "clear_received")
        media = times(result, "media_received")
        spoke = at + onset
        if not clears:
            out["interruptions"].append({"at": at, "clear_ms": None})
            continue
        before = [t for t in media if t <= clears[0] + 0.1]
        out["interruptions"].append({
            "at": at, "clear_ms": round((clears[0] - spoke) * 1000),
            "last_audio_ms": round((max(before) - spoke) * 1000) if before else None})
    for clip in ("cough.wav", "en_mm.wav", "en_okay.wav"):
        result = await place(ws, [{"wait": 2.5}, {"say": clip}, {"wait": 3.0}],
                             {"creditor": "acme-telecom"})
        media, clears = times(result, "media_received"), times(result, "clear_received")
        out["backchannels"].append({
            "clip": clip, "clears": len(clears),
            "stopped_ms": round(longest_hole(media, clears, 1.0) * 1000),
            "went_on": bool(media) and max(media) > 5.0})
    for creditor, account in (("acme-telecom", "100200"), ("northwind-energy", "300400")):
        for _ in range(3):
            result = await place(ws, [{"wait": 16.0}], {"creditor": creditor,
                                                        "account": account})
            out["holes"].append({"creditor": creditor, "longest_ms": round(
                longest_hole(times(result, "media_received")) * 1000)})
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", type=Path)
    parser.add_argument("--hold-ms", type=int, default=None,
                        help="VOICEBOT_BARGE_IN_HOLD_MS for the service (default: its own)")
    args = parser.parse_args()
    env = {} if args.hold_ms is None else {"VOICEBOT_BARGE_IN_HOLD_MS": str(args.hold_ms)}
    with service(env=env) as svc:
        out = asyncio.run(measure(svc.ws))
    reactions = [i["clear_ms"] for i in out["interruptions"] if i["clear_ms"] is not None]
    summary = {
        "clear_ms_median": statistics.median(reactions) if reactions else None,
        "clear_ms_max": max(reactions) if reactions else None,
        "interruptions_heard": f"{len(reactions)}/{len(out['interruptions'])}",
        "backchannel_stopped_ms_max": max(b["stopped_ms"] for b in out["backchannels"]),
        "backchannels_went_on": all(b["went_on"] for b in out["backchannels"]),
        "hole_ms_max": max(h["longest_ms"] for h in out["holes"]),
    }
    print(f"machine: {platform.machine()}, {os.cpu_count()} cores; hold "
          f"{args.hold_ms if args.hold_ms is not None else 'default'} ms")
    for row in out["interruptions"]:
        print(f"  interrupt at {row['at']} s: clear {row['clear_ms']} ms after the voice")
    for row in out["backchannels"]:
        print(f"  {row['clip']}: {row['clears']} clear(s), audio stopped "
              f"{row['stopped_ms']} ms, went on: {row['went_on']}")
    for row in out["holes"]:
        print(f"  greeting {row['creditor']}: longest silence inside {row['longest_ms']} ms")
    print(json.dumps(summary))
    if args.json:
        args.json.write_text(json.dumps({"machine": {"machine": platform.machine(),
                                                     "cpus": os.cpu_count(),
                                                     "hold_ms": args.hold_ms},
                                         "summary": summary, **out}, indent=1) + "\n")


if __name__ == "__main__":
    main()
