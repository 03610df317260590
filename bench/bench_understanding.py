"""How well the bot understands callers: per-intent precision, recall and F1 on the
labelled corpus, the confusion matrix, slot accuracy, false consent, and the time
per line.

Designs measured (``--design``, several allowed):

- ``parsers``: the keyword rules and deterministic parsers alone;
- ``llm``: the parsers, and the language model (embedded Qwen2.5-Coder-0.5B-Instruct, as the
  service runs it) for every line where they find nothing actionable;
- ``shipped``: what calls use: the parsers with the intent classifier trained on
  ``tune.jsonl``, ``dev.jsonl`` and ``devcheck.jsonl`` (the language model stays a
  fallback the dialogue rarely needs).

The held-out parts are what the closing notes report; nothing is tuned on them.
``heldout5`` (the default) is the newest; of its failures only one line (a false
consent) was read. The failures of ``heldout`` and ``heldout2`` were read (on
2026-12-01 and 2026-12-02) and the classes of problem they showed were fixed, so those
now read optimistic; ``heldout3`` and ``heldout4`` were measured several times unread,
and decisions were taken on heldout3 (see ``bench/corpus/README.md``). The
labels a design predicts for a line come from the same ``Understanding`` the dialogue
acts on.

    .venv/bin/python bench/bench_understanding.py
        [--part heldout5|heldout4|heldout3|heldout2|heldout|dev|devcheck|tune|all]
        [--design parsers shipped llm] [--json FILE]

Runs on an older checkout too (``PYTHONPATH=OLD_CHECKOUT``) with ``--design
parsers`` or ``llm``, to measure the design before a change.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import json
import os
import platform
import statistics
import sys
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Sequence
from decimal import Decimal
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.append(str(ROOT))  # after PYTHONPATH: an older checkout may come first

CORPUS = ROOT / "bench" / "corpus"
TODAY = dt.date(2026, 12, 1)
SAFETY = ("vulnerable", "third_party", "stop_contact", "dispute", "validation", "lawyer",
          "bankruptcy", "ask_human")
TARGETS = {"vulnerable": 0.99, "third_party": 0.99, **{s: 0.98 for s in SAFETY[2:]}}
LABELS = (*SAFETY, "propose_plan", "pay_in_full", "settlement", "hardship", "ask_options",
          "choose_option", "yes", "no", "unsure", "question", "repeat", "card_data",
          "switch_language", "identify", "other")
# What the dialogue's stages are called in the corpus.
STAGE_OF = {"greeting": "account reference", "reference": "confirm account reference",
            "identity": "identity check", "negotiate": "negotiation",
            "offer": "accept or refuse an offer", "consent": "consent to the plan read back"}


def read(part: str) -> list[dict[str, Any]]:
    names = {"heldout": ["heldout.jsonl"], "heldout2": ["heldout2.jsonl"],
             "heldout3": ["heldout3.jsonl"], "heldout4": ["heldout4.jsonl"],
             "heldout5": ["heldout5.jsonl"],
             "tune": ["tune.jsonl"], "dev": ["dev.jsonl"],
             "devcheck": ["devcheck.jsonl"],
             "all": ["tune.jsonl", "heldout.jsonl", "heldout2.jsonl", "heldout3.jsonl",
                     "heldout4.jsonl", "heldout5.jsonl"]}[part]
    return [line for name in names for line in read_file(CORPUS / name)]


def read_file(path: Path) -> list[dict[str, Any]]:
    with path.open(encoding="utf-8") as handle:
        return [json.loads(row) for row in handle if row.strip()]


def predicted(heard: Any, stage: str) -> set[str]:
    """The corpus labels an Understanding amounts to, as the dialogue would act on it."""
    out = {getattr(i, "value", str(i)) for i in heard.intents}
    # A safety intent the dialogue asks the caller about counts as heard: it does not
    # go on negotiating before the answer.
    out |= {getattr(i, "value", str(i)) for i in getattr(heard, "checks", ())}
    out = {"ask_human" if x == "human" else x for x in out}
    plan = heard.plan
    hedge = getattr(heard, "hedge", False) or "unsure" in out
    # A yes or a no counts where the dialogue asked for one, or when it is all the line says.
    answers = stage in ("reference", "offer", "consent") or not (
        out or not plan.empty or (heard.digits and len(heard.digits) >= 4))
    if heard.yes_no is True and not hedge and answers:
        out.add("yes")
    if heard.yes_no is False and answers:
        out.add("no")
    if plan.amount is not None or plan.count or plan.frequency or plan.first_date \
            or getattr(plan, "upfront", None) is not None:
        out.add("propose_plan")
    if plan.lump_sum and getattr(plan, "upfront", None) is None and plan.amount is None:
        out.add("pay_in_full")
    if stage in ("greeting", "reference", "identity") and heard.digits \
            and len(heard.digits) >= 4:
        out.add("identify")
    out.discard("propose_plan") if out & {"pay_in_full"} and plan.amount is None else None
    out &= set(LABELS)
    return out or {"other"}


def consents(heard: Any, line: dict[str, Any]) -> bool:
    """Would the dialogue take this line, at the read-back, as agreement?"""
    values = {getattr(i, "value", str(i)) for i in heard.intents}
    taken = (heard.yes_no is True and not getattr(heard, "hedge", False)
             and "unsure" not in values and heard.plan.amount is None and not heard.plan.count)
    try:
        from voicebot.dialogue.consent import clear_yes
    except ImportError:  # an older design, with no such check
        return taken
    return taken and clear_yes(line["text"], line["lang"])


readers_keep: list[Any] = []


def design_readers(designs: Sequence[str], train: Sequence[Path] | None = None
                   ) -> dict[str, Callable[[dict[str, Any]], Any]]:
    from voicebot.dialogue import understanding as u

    readers: dict[str, Callable[[dict[str, Any]], Any]] = {}
    if "parsers" in designs:
        readers["parsers"] = lambda line: u.parse(line["text"], line["lang"], TODAY)
    if "shipped" in designs:
        from voicebot.dialogue.classifier import load_or_train
        from voicebot.settings import Settings

        train = train or Settings.from_env().intent_corpus  # what calls use

        started = time.perf_counter()
        model = load_or_train(train, Path(os.environ.get(
            "VOICEBOT_HOME", Path.home() / ".cache" / "voicebot")) / "intents")
        print(f"classifier ready in {time.perf_counter() - started:.1f} s", file=sys.stderr)

        def shipped(line: dict[str, Any]) -> Any:
            scores = model.classify(line["text"], line["lang"], line["stage"])
            return u.understand(line["text"], line["lang"], TODAY, labels=scores.labels(),
                                alerts=scores.alerts())

        readers["shipped"] = shipped
    if "llm" in designs:
        from voicebot.dialogue.prompts import load_prompts
        from voicebot.engines.llm import build_language_model
        from voicebot.settings import Settings

        settings = Settings.from_env()
        llm, server = build_language_model(settings)
        readers_keep.append(server)  # the embedded server stops when it is collected
        if llm is None:
            raise SystemExit("no language model configured (VOICEBOT_LLM_BACKEND)")
        prompts = {lang: load_prompts(settings.prompts_dir, lang) for lang in ("en", "fr")}
        loop = asyncio.new_event_loop()
        for p in prompts.values():  # the service primes the cached prefix at start-up
            loop.run_until_complete(u.ask_model(llm, p.system, "negotiation", "hello",
                                                p.language, TODAY, timeout=30))

        def with_llm(line: dict[str, Any]) -> Any:
            heard = u.parse(line["text"], line["lang"], TODAY)
            if heard.intents or not heard.plan.empty or heard.yes_no is not None:
                return heard
            model = loop.run_until_complete(u.ask_model(
                llm, prompts[line["lang"]].system, STAGE_OF[line["stage"]], line["text"],
                line["lang"], TODAY, timeout=settings.llm_timeout_seconds))
            return model or heard

        readers["llm"] = with_llm
    return readers


def score(lines: list[dict[str, Any]], reader: Callable[[dict[str, Any]], Any]
          ) -> dict[str, Any]:
    counts = {label: Counter() for label in LABELS}
    confusion: dict[str, Counter[str]] = defaultdict(Counter)
    times, failures, slots = [], [], Counter()
    false_consent, consent_lines = [], 0
    checks = Counter()
    for line in lines:
        started = time.perf_counter()
        heard = reader(line)
        times.append((time.perf_counter() - started) * 1000)
        gold = set(line["intents"])
        guess = predicted(heard, line["stage"])
        for label in LABELS:
            counts[label]["tp" if label in gold and label in guess else
                          "fn" if label in gold else "fp" if label in guess else "tn"] += 1
        asked = {getattr(i, "value", str(i)) for i in getattr(heard, "checks", ())}
        if asked:
            checks["asked"] += 1
            checks["needless"] += not (gold & set(SAFETY))
        checks["plain_lines"] += not (gold & set(SAFETY))
        main = next((x for x in LABELS if x in guess), "other")
        confusion[line["intents"][0]][main] += 1
        if gold & set(SAFETY):
            checks["safety_lines"] += 1
            checks["safety_stopped"] += bool(guess & set(SAFETY))
        else:
            checks["plain_stopped"] += bool(guess & set(SAFETY))
            # As the dialogue acts: a third party the rules did not hear is asked about
            # ("am I speaking with the account holder?"), not acted on.
            rules = set(getattr(heard, "by_rules", ()))
            acted = {getattr(i, "value", str(i)) for i in heard.intents
                     if getattr(i, "value", "") != "third_party" or i in rules}
            checks["plain_acted"] += bool({"ask_human" if x == "human" else x
                                           for x in acted} & set(SAFETY))
        missed = gold - guess
        if missed & set(SAFETY) or (gold & set(SAFETY)) != (guess & set(SAFETY)):
            failures.append({"id": line["id"], "text": line["text"], "gold": sorted(gold),
                             "got": sorted(guess)})
        if line["stage"] == "consent":
            consent_lines += 1
            if consents(heard, line) and "yes" not in gold:
                false_consent.append({"id": line["id"], "text": line["text"],
                                      "gold": sorted(gold)})
        for slot in ("amount", "count", "upfront"):
            if slot in line:
                slots[f"{slot}_total"] += 1
                value = getattr(heard.plan, slot, None)
                want = Decimal(str(line[slot]))
                slots[f"{slot}_right"] += value is not None and Decimal(value) == want
        if line.get("lump_sum"):
            slots["lump_sum_total"] += 1
            slots["lump_sum_right"] += bool(heard.plan.lump_sum)
    table = {}
    for label, c in counts.items():
        tp, fp, fn = c["tp"], c["fp"], c["fn"]
        precision = tp / (tp + fp) if tp + fp else None
        recall = tp / (tp + fn) if tp + fn else None
        f1 = (2 * precision * recall / (precision + recall)
              if precision and recall else 0.0 if tp + fn else None)
        table[label] = {"support": tp + fn, "precision": precision, "recall": recall, "f1": f1}
    times.sort()
    return {
        "lines": len(lines), "per_intent": table,
        "confusion": {k: dict(v) for k, v in confusion.items()},
        "median_ms": statistics.median(times),
        "p95_ms": times[min(len(times) - 1, int(0.95 * len(times)))],
        "slots": {s: (slots[f"{s}_right"], slots[f"{s}_total"])
                  for s in ("amount", "count", "upfront", "lump_sum")},
        "false_consent": false_consent, "consent_lines": consent_lines,
        "safety_failures": failures,
        "checks": dict(checks),
    }


def show(name: str, result: dict[str, Any], *, failures: int) -> None:
    def pct(x: float | None) -> str:
        return "   -  " if x is None else f"{x:6.3f}"

    print(f"\n== {name}: {result['lines']} lines; time per line median "
          f"{result['median_ms']:.2f} ms, p95 {result['p95_ms']:.2f} ms")
    print(f"{'intent':16} {'n':>4} {'prec':>6} {'recall':>6} {'F1':>6}  target")
    for label, row in result["per_intent"].items():
        target = TARGETS.get(label)
        mark = ""
        if target is not None and row["recall"] is not None:
            mark = f"  >= {target}  {'ok' if row['recall'] >= target else 'MISSED'}"
        print(f"{label:16} {row['support']:4d} {pct(row['precision'])} {pct(row['recall'])} "
              f"{pct(row['f1'])}{mark}")
    slots = ", ".join(f"{k} {r}/{t}" for k, (r, t) in result["slots"].items())
    print(f"slots right: {slots}")
    print(f"false consent: {len(result['false_consent'])} of {result['consent_lines']} "
          "lines at the read-back")
    for item in result["false_consent"][:failures]:
        print(f"   consent? {item['id']}: {item['text']!r} (gold {item['gold']})")
    checks = result.get("checks", {})
    if checks.get("safety_lines"):
        print(f"lines with a safety intent on which negotiation stops (any safety intent "
              f"heard): {checks['safety_stopped']} of {checks['safety_lines']} "
              f"({checks['safety_stopped'] / checks['safety_lines']:.3f})")
    if checks.get("asked"):
        print(f"safety checks asked: {checks['asked']}; on lines with no safety intent: "
              f"{checks['needless']} of {checks['plain_lines']}")
    if checks.get("plain_lines"):
        print(f"lines with no safety intent on which negotiation stops: "
              f"{checks['plain_stopped']} of {checks['plain_lines']}, "
              f"{checks['plain_acted']} of them acted on (a hand-off or an end) "
              f"rather than asked about")
    print(f"safety errors (missed or extra): {len(result['safety_failures'])}")
    for item in result["safety_failures"][:failures]:
        print(f"   {item['id']}: {item['text']!r} gold {item['gold']} got {item['got']}")


def confusion_table(result: dict[str, Any]) -> None:
    """Rows: the line's main label; columns: the most urgent label predicted."""
    cols = [label for label in LABELS if any(label in row for row in
                                                  result["confusion"].values())]
    short = {label: label[:5] for label in cols}
    print("\nconfusion (row: gold main intent, column: predicted main intent)")
    print(" " * 16 + " ".join(f"{short[c]:>5}" for c in cols))
    for label in LABELS:
        row = result["confusion"].get(label)
        if row:
            print(f"{label:16}" + " ".join(f"{row.get(c, 0):5d}" for c in cols))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--part", choices=["heldout5", "heldout4", "heldout3", "heldout2",
                                           "heldout", "dev", "devcheck", "tune", "all"],
                        default="heldout5")
    parser.add_argument("--file", type=Path, default=None,
                        help="read the lines from this corpus file instead of a part (a "
                             "development set, or candidate lines)")
    parser.add_argument("--train", type=Path, nargs="+", default=None,
                        help="the corpus files the shipped design's classifier is trained on "
                             "(an experiment; default: VOICEBOT_INTENT_CORPUS, what calls use)")
    parser.add_argument("--design", nargs="+", default=["parsers", "shipped"],
                        choices=["parsers", "llm", "shipped"])
    parser.add_argument("--failures", type=int, default=15, help="failures to print")
    parser.add_argument("--confusion", action="store_true", help="print the confusion matrix")
    parser.add_argument("--json", type=Path, default=None,
                        help="where to write the results (default: /tmp/understanding-PART.json)")
    args = parser.parse_args()
    part = args.file.stem if args.file else args.part
    args.json = args.json or Path(f"/tmp/understanding-{part}.json")
    lines = read_file(args.file) if args.file else read(args.part)
    results = {}
    for name, reader in design_readers(args.design, args.train).items():
        result = score(lines, reader)
        results[name] = result
        show(name, result, failures=args.failures)
        if args.confusion:
            confusion_table(result)
    args.json.parent.mkdir(parents=True, exist_ok=True)
    machine = {"machine": platform.machine(), "cpus": os.cpu_count(),
               "python": platform.python_version()}
    args.json.write_text(json.dumps({"part": part, "machine": machine,
                                     "results": results}, indent=1, default=str) + "\n")
    print(f"\nwritten {args.json}")


if __name__ == "__main__":
    main()
