"""Intent classifier: cross-validated precision and recall on the tuning corpus, speed, memory.

Every fold trains the whole recipe (thresholds included, from an inner cross-validation)
on the other folds and predicts lines it never saw. Only ``tune.jsonl`` is read: the
held-out corpus is the understanding benchmark's, never the classifier's.

    .venv/bin/python bench/bench_classifier.py [--folds 5] [--corpus bench/corpus/tune.jsonl]
"""

from __future__ import annotations

import argparse
import hashlib
import json
import resource
import statistics
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from voicebot.dialogue.classifier import (  # noqa: E402
    RECALL_TARGETS,
    IntentClassifier,
    Recipe,
    asr_variant,
)
from voicebot.dialogue.classifier_cv import CrossValidation, cross_validate  # noqa: E402
from voicebot.dialogue.labels import INTENTS, LabelledLine, read_corpus  # noqa: E402
from voicebot.dialogue.training import TrainConfig  # noqa: E402
from voicebot.engines.embeddings import E5Embedder, TextEmbedder  # noqa: E402

CACHE = ROOT / ".cache" / "embeddings"


def cached_vectors(texts: list[str], embedder: TextEmbedder) -> np.ndarray:
    """Embeddings kept on disk by text, so that recipe experiments skip the encoder."""
    CACHE.mkdir(parents=True, exist_ok=True)
    path = CACHE / (hashlib.sha256(embedder.name.encode()).hexdigest()[:12] + ".npz")
    known: dict[str, np.ndarray] = {}
    if path.exists():
        with np.load(path) as data:
            known = dict(zip(data["keys"].tolist(), data["vectors"], strict=True))
    keys = [hashlib.sha256(t.encode()).hexdigest() for t in texts]
    missing = sorted({k: t for k, t in zip(keys, texts, strict=True) if k not in known}.items())
    if missing:
        vectors = embedder.embed([t for _, t in missing])
        known.update(zip([k for k, _ in missing], vectors, strict=True))
        np.savez(path, keys=np.array(list(known)), vectors=np.stack(list(known.values())))
    return np.stack([known[k] for k in keys])


def report(cv: CrossValidation) -> list[str]:
    """A Markdown table of precision and recall per intent, both tiers for safety."""
    alerts = cv.counts(alerts=True)
    out = ["| intent | lines | precision | recall | alert precision | alert recall | target |",
           "|---|---:|---:|---:|---:|---:|---:|"]
    for label, c in cv.counts().items():
        target = RECALL_TARGETS.get(label)
        if target is None:
            out.append(f"| {label} | {c.support} | {c.precision:.3f} | {c.recall:.3f} | | | |")
            continue
        a = alerts[label]
        flag = f"{target:.2f}" + (" ✗" if a.recall < target else "")
        out.append(f"| {label} | {c.support} | {c.precision:.3f} | {c.recall:.3f} "
                   f"| {a.precision:.3f} | {a.recall:.3f} | {flag} |")
    return out


def errors(cv: CrossValidation, *, alerts: bool) -> list[str]:
    """Missed safety lines, with what came out instead."""
    out = []
    for label in RECALL_TARGETS:
        for line, got in cv.missed(label, alerts=alerts):
            out.append(f"- {label} [{line.id} {line.stage} {line.register}] {line.text!r} "
                       f"-> {list(got)}")
    return out


def latency(classifier: IntentClassifier, lines: list[LabelledLine], n: int) -> list[float]:
    """Milliseconds per line, one line at a time as in a call (embedding included)."""
    times = []
    for line in lines[:n]:
        started = time.perf_counter()
        classifier.classify(line.text, line.lang, line.stage)
        times.append((time.perf_counter() - started) * 1000)
    return times


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--corpus", type=Path, default=ROOT / "bench/corpus/tune.jsonl")
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--recipe", default="{}", help="JSON overrides of Recipe fields")
    parser.add_argument("--network", default="{}", help="JSON overrides of TrainConfig")
    parser.add_argument("--by-register", action="store_true",
                        help="one fold per register instead of stratified folds")
    parser.add_argument("--errors", action="store_true", help="list the missed safety lines")
    parser.add_argument("--latency", type=int, default=200, help="lines to time (0: skip)")
    args = parser.parse_args()
    if "heldout" in args.corpus.name:
        sys.exit("the held-out corpus is not for tuning the classifier")

    lines = read_corpus(args.corpus)
    recipe = Recipe(**json.loads(args.recipe),
                    network=TrainConfig(**json.loads(args.network)))
    started = time.perf_counter()
    embedder = E5Embedder()
    load_seconds = time.perf_counter() - started
    vectors = cached_vectors([line.text for line in lines], embedder)
    extra = (cached_vectors([asr_variant(line.text) for line in lines], embedder)
             if recipe.augment_asr else None)

    started = time.perf_counter()
    registers = sorted({line.register for line in lines})
    fold_of = ([registers.index(line.register) for line in lines] if args.by_register
               else None)
    cv = cross_validate(lines, vectors, extra, embedder, recipe, folds=args.folds,
                        fold_of=fold_of)
    cv_seconds = time.perf_counter() - started
    folds = f"{len(registers)} register folds" if args.by_register else f"{args.folds} folds"
    print(f"{len(lines)} lines, {folds}, recipe {recipe}")
    print("\n".join(report(cv)))
    print(f"\nlines without a safety label on which one fires: decision "
          f"{cv.false_alarms():.3f}, alert {cv.false_alarms(alerts=True):.3f}")
    hedges = cv.hedges_read_as_yes()
    consent = [line for line in hedges if line.stage == "consent"]
    print(f"\nhedges read as yes: {len(hedges)} (at consent: {len(consent)})")
    for line in hedges:
        print(f"- {line.id} [{line.stage}] {line.text!r}")
    if args.errors:
        print("\nsafety lines missed by the decision tier:")
        print("\n".join(errors(cv, alerts=False)))
        print("\nsafety lines missed by the alert tier too:")
        print("\n".join(errors(cv, alerts=True)))
    print(f"\ncross-validation {cv_seconds:.0f} s")

    if args.latency:
        started = time.perf_counter()
        classifier = IntentClassifier.train(lines, embedder, recipe)
        train_seconds = time.perf_counter() - started
        print(f"training on all lines: {train_seconds:.1f} s ({dict(classifier.metadata)})")
        times = latency(classifier, lines, args.latency)
        p95 = float(np.percentile(times, 95))
        print(f"embedder load {load_seconds:.2f} s; per line median {statistics.median(times):.1f}"
              f" ms, p95 {p95:.1f} ms over {len(times)} lines")
        vectors_one = vectors[:1]
        started = time.perf_counter()
        for _ in range(200):
            classifier.classify_vectors(vectors_one, ["en"], ["consent"])
        print(f"classifier alone: {(time.perf_counter() - started) / 200 * 1000:.2f} ms per line")
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak RSS {rss:.0f} MB; labels {len(INTENTS)}")


if __name__ == "__main__":
    main()
