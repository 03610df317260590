"""How well the service's speech recognition hears callers over the phone line.

    .venv/bin/python bench/bench_recognition.py [--json bench/results/recognition.json]

Each clip goes the way a caller's voice does: to 8 kHz mu-law (the phone line), back to
16 kHz, then the service's Whisper model. Two sets: real recorded human speech from
Debian's pocketsphinx-testdata (US English read speech: card names and a novel), and the
synthetic test callers of audio_fixtures (English and French, voices that are not the
bot's). Word error rate raw, and with spoken digits and numerals made the same ("nine
four" and "9 4"; "sixty" and "60").
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import statistics
import sys
import time
import wave
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
TESTDATA = Path("/usr/share/pocketsphinx/test/data")

from voicebot.replay.wer import edits, normalised, words  # noqa: E402


def read_wav(path: Path) -> tuple[np.ndarray, int]:
    with wave.open(str(path)) as wav:
        return np.frombuffer(wav.readframes(wav.getnframes()), dtype="<i2"), wav.getframerate()


def over_the_line(pcm: np.ndarray, rate: int) -> np.ndarray:
    from voicebot.audio.codec import int16_to_float, ulaw_decode
    from voicebot.audio.framing import to_telephony
    from voicebot.audio.resample import resample

    return resample(int16_to_float(ulaw_decode(to_telephony(pcm, rate))), 8000, 16000)


def clips() -> list[tuple[str, str, Path, str]]:
    """(set, language, file, reference)."""
    out = []
    for folder in ("cards", "librivox"):
        listing = TESTDATA / folder / ("cards.transcription" if folder == "cards"
                                       else "transcription")
        if not listing.is_file():
            continue
        for line in listing.read_text().splitlines():
            match = re.match(r"<s>(.*)</s>\s*\((.+)\)", line.strip())
            if match:
                out.append(("human", "en", TESTDATA / folder / f"{match[2]}.wav",
                            match[1].strip()))
    sys.path.insert(0, str(ROOT / "audio_fixtures"))
    from generate import CALLERS

    from voicebot.replay.scenario import find_scenarios

    seen = set()
    for name, (_, espeak, text, *_rest) in CALLERS.items():
        path = ROOT / "audio_fixtures" / name
        if path.is_file():
            out.append(("synthetic", espeak[:2], path, text))
            seen.add(path)
    for scenario in find_scenarios([ROOT / "audio_fixtures" / "calls"]):
        language = scenario.caller.language[:2] if scenario.caller else "en"
        for turn in scenario.turns:
            path = (ROOT / "audio_fixtures" / "calls" / turn.audio) if turn.audio else None
            if path is None or not path.is_file():
                path = ROOT / "audio_fixtures" / (turn.audio or "")
            if turn.audio and turn.words and path.is_file() and path not in seen:
                out.append(("synthetic", language, path, turn.words))
                seen.add(path)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    from voicebot.engines.models import ModelPaths
    from voicebot.engines.stt import WhisperRecognizer
    from voicebot.settings import Settings

    settings = Settings.from_env()
    stt = WhisperRecognizer(ModelPaths(settings.models_dir).whisper(settings.stt_model),
                            cpu_threads=settings.stt_cpu_threads,
                            beam_size=settings.stt_beam_size)
    totals: dict[tuple[str, str], list[float]] = {}
    rows = []
    for kind, language, path, reference in clips():
        pcm, rate = read_wav(path)
        started = time.perf_counter()
        heard = stt.transcribe(over_the_line(pcm, rate), language).text
        elapsed = time.perf_counter() - started
        raw = edits(words(reference), words(heard))
        norm = edits(normalised(reference, language), normalised(heard, language))
        t = totals.setdefault((kind, language), [0, 0, 0, 0, 0.0, 0.0])
        t[0] += raw
        t[1] += len(words(reference))
        t[2] += norm
        t[3] += len(normalised(reference, language))
        t[4] += elapsed
        t[5] += len(pcm) / rate
        rows.append({"set": kind, "language": language, "file": path.name,
                     "reference": reference, "heard": heard, "raw_errors": raw,
                     "normalised_errors": norm, "seconds": round(elapsed, 3)})
    print(f"{'set':10} {'lang':4} {'clips':>5} {'WER raw':>8} {'WER norm':>9} {'x real':>7}")
    summary = {}
    for (kind, language), (raw, n, norm, m, spent, audio) in sorted(totals.items()):
        count = sum(1 for r in rows if r["set"] == kind and r["language"] == language)
        summary[f"{kind}-{language}"] = {"clips": count, "wer_raw": round(raw / n, 3),
                                         "wer_normalised": round(norm / m, 3),
                                         "real_time_factor": round(spent / audio, 3)}
        print(f"{kind:10} {language:4} {count:>5} {raw / n:>8.3f} {norm / m:>9.3f} "
              f"{audio / spent:>7.1f}")
    print("median seconds per clip:",
          round(statistics.median(r["seconds"] for r in rows), 3) if rows else "-")
    if args.json:
        machine = {"machine": platform.machine(), "cpus": os.cpu_count(),
                   "python": platform.python_version(), "model": settings.stt_model}
        args.json.write_text(json.dumps({"machine": machine, "summary": summary,
                                         "clips": rows}, indent=1, ensure_ascii=False) + "\n")
        print(f"written {args.json}")


if __name__ == "__main__":
    main()
