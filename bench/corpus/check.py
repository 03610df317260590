#!/usr/bin/env python3
"""Check the understanding corpus (schema in bench/corpus/README.md).

Usage: python bench/corpus/check.py [FILES...]

Without arguments it checks tune.jsonl and heldout.jsonl next to this script
(each one only if it exists). For every file it checks the JSON, the fields
and their types, the labels, the ids (format and uniqueness across all the
files given), and the quotas; then it prints counts per intent and per stage
for each language. It never prints the lines themselves. It exits with
status 1 on any error or unmet quota, 0 otherwise.
"""

from __future__ import annotations

import datetime as _dt
import json
import re
import sys
from collections import Counter, defaultdict
from pathlib import Path

HERE = Path(__file__).resolve().parent

LANGS = ("en", "fr")
STAGES = ("greeting", "reference", "identity", "negotiate", "offer", "consent")
REGISTERS = (
    "plain", "casual", "angry", "hedging", "elderly", "non_native",
    "slang", "swearing", "formal", "asr",
)
SAFETY = (
    "vulnerable", "third_party", "stop_contact", "dispute", "validation",
    "lawyer", "bankruptcy", "ask_human",
)
NEGOTIATION = (
    "propose_plan", "pay_in_full", "settlement", "hardship", "ask_options",
    "choose_option",
)
ANSWERS = (
    "yes", "no", "unsure", "question", "repeat", "card_data",
    "switch_language", "identify", "other",
)
INTENTS = SAFETY + NEGOTIATION + ANSWERS
FREQUENCIES = ("weekly", "fortnightly", "monthly")
TOPICS = (
    "missed_payment", "down_payment_why", "minimum_why", "robot",
    "who_creditor", "pay_by_card", "how_dispute", "unknown",
)
OPTIONS = ("1", "2", "3", "last", "lowest", "highest", "shortest", "longest")

REQUIRED = ("id", "lang", "stage", "register", "text", "intents")
OPTIONAL = (
    "amount", "count", "frequency", "first_date", "lump_sum", "upfront",
    "ambiguous", "topic", "option", "reference", "name", "postcode",
)

ID_RE = re.compile(r"^(en|fr)-(t|h|d)-(\d{4})$")
DECIMAL_RE = re.compile(r"^\d+(\.\d{1,2})?$")
ISO_RE = re.compile(r"^\d{4}-\d{2}-\d{2}$")

# Quotas: lines per intent per language (a line counts once for each label it
# carries) and consent-stage lines per language.
QUOTAS = {
    "t": {"intent": 30, "consent": 70},
    "h": {"intent": 20, "consent": 40},
}
PART_NAMES = {"t": "tune", "h": "held-out", "d": "development"}


class Report:
    def __init__(self) -> None:
        self.errors: list[str] = []
        self.warnings: list[str] = []

    def error(self, where: str, msg: str) -> None:
        self.errors.append(f"ERROR {where}: {msg}")

    def warn(self, where: str, msg: str) -> None:
        self.warnings.append(f"warning {where}: {msg}")


def _is_int(v: object) -> bool:
    return isinstance(v, int) and not isinstance(v, bool)


def expected_part(path: Path) -> str | None:
    name = path.name.lower()
    if name.startswith("tune"):
        return "t"
    if name.startswith("heldout") or name.startswith("held_out") or name.startswith("held-out"):
        return "h"
    if name.startswith("dev"):
        return "d"
    return None


def check_record(rec: object, where: str, rep: Report, part: str | None = None) -> dict | None:
    if not isinstance(rec, dict):
        rep.error(where, "line is not a JSON object")
        return None
    ok = True
    for f in REQUIRED:
        if f not in rec:
            rep.error(where, f"missing required field '{f}'")
            ok = False
    for f in rec:
        if f not in REQUIRED and f not in OPTIONAL:
            rep.error(where, f"unknown field '{f}'")
            ok = False

    rid = rec.get("id")
    lang = rec.get("lang")
    if "id" in rec and (not isinstance(rid, str) or not ID_RE.match(rid)):
        rep.error(where, "id must look like <en|fr>-<t|h|d>-<4 digits>")
        ok = False
    if "lang" in rec and lang not in LANGS:
        rep.error(where, f"lang must be one of {LANGS}")
        ok = False
    if (isinstance(rid, str) and ID_RE.match(rid) and lang in LANGS
            and not rid.startswith(lang + "-")):
        rep.error(where, "id prefix does not match lang")
        ok = False
    if "stage" in rec and rec.get("stage") not in STAGES:
        rep.error(where, f"unknown stage {rec.get('stage')!r}")
        ok = False
    if "register" in rec and rec.get("register") not in REGISTERS:
        rep.error(where, f"unknown register {rec.get('register')!r}")
        ok = False
    if "text" in rec:
        text = rec.get("text")
        if not isinstance(text, str) or not text.strip():
            rep.error(where, "text must be a non-empty string")
            ok = False
        elif text != text.strip():
            rep.warn(where, "text has leading or trailing spaces")

    intents = rec.get("intents")
    if "intents" in rec:
        if not isinstance(intents, list) or not intents:
            rep.error(where, "intents must be a non-empty list")
            ok = False
            intents = []
        else:
            for it in intents:
                if it not in INTENTS:
                    rep.error(where, f"unknown intent {it!r}")
                    ok = False
            if len(set(map(str, intents))) != len(intents):
                rep.error(where, "intents listed twice")
                ok = False
            safety = [i for i, it in enumerate(intents) if it in SAFETY]
            other = [i for i, it in enumerate(intents) if it not in SAFETY]
            if safety and other and max(safety) > min(other):
                rep.warn(where, "a safety intent comes after a non-safety one")
    else:
        intents = []
    intents = [it for it in intents if isinstance(it, str)]

    # Slots.
    for f in ("amount", "upfront"):
        if f in rec:
            v = rec[f]
            if not isinstance(v, str) or not DECIMAL_RE.match(v):
                rep.error(where, f"{f} must be a decimal string like \"50\" or \"72.50\"")
                ok = False
    if "count" in rec:
        v = rec["count"]
        if not _is_int(v) or v < 1:
            rep.error(where, "count must be a positive integer")
            ok = False
    if "frequency" in rec and rec["frequency"] not in FREQUENCIES:
        rep.error(where, f"frequency must be one of {FREQUENCIES}")
        ok = False
    if "first_date" in rec:
        v = rec["first_date"]
        valid = isinstance(v, str) and bool(ISO_RE.match(v))
        if valid:
            try:
                _dt.date.fromisoformat(v)
            except ValueError:
                valid = False
        if not valid:
            rep.error(where, "first_date must be an ISO date YYYY-MM-DD")
            ok = False
    for f in ("lump_sum", "ambiguous"):
        if f in rec and rec[f] is not True:
            rep.error(where, f"{f} must be true when present")
            ok = False
    if "topic" in rec:
        if rec["topic"] not in TOPICS:
            rep.error(where, f"unknown topic {rec['topic']!r}")
            ok = False
        if "question" not in intents:
            rep.error(where, "topic given without the intent 'question'")
            ok = False
    elif "question" in intents:
        # A development set is labelled for the safety intents; its topics may be missing.
        if part == "d":
            rep.warn(where, "intent 'question' without a topic")
        else:
            rep.error(where, "intent 'question' without a topic")
            ok = False
    if "option" in rec:
        v = rec["option"]
        if _is_int(v):
            v = str(v)
        if v not in OPTIONS:
            rep.error(where, f"unknown option {rec['option']!r}")
            ok = False
        if "choose_option" not in intents:
            rep.error(where, "option given without the intent 'choose_option'")
            ok = False
    elif "choose_option" in intents:
        rep.warn(where, "choose_option without an option")
    for f in ("reference", "name", "postcode"):
        if f in rec:
            v = rec[f]
            if not isinstance(v, str) or not v.strip():
                rep.error(where, f"{f} must be a non-empty string")
                ok = False
    if "lump_sum" in rec and "pay_in_full" not in intents:
        rep.warn(where, "lump_sum without pay_in_full")
    if "pay_in_full" in intents and "lump_sum" not in rec:
        rep.warn(where, "pay_in_full without lump_sum")
    return rec if ok else None


def check_file(path: Path, seen_ids: dict[str, str], rep: Report):
    part = expected_part(path)
    records: list[dict] = []
    texts: dict[tuple[str, str], str] = {}
    parts_seen: Counter = Counter()
    try:
        raw = path.read_bytes()
    except OSError as exc:
        rep.error(str(path), f"cannot read: {exc}")
        return None, records
    try:
        content = raw.decode("utf-8")
    except UnicodeDecodeError:
        rep.error(str(path), "not valid UTF-8")
        return None, records
    for n, line in enumerate(content.splitlines(), start=1):
        where = f"{path.name}:{n}"
        if not line.strip():
            rep.error(where, "empty line")
            continue
        try:
            rec = json.loads(line)
        except json.JSONDecodeError as exc:
            rep.error(where, f"invalid JSON ({exc.msg} at column {exc.colno})")
            continue
        rid = rec.get("id") if isinstance(rec, dict) else None
        if isinstance(rid, str):
            where = f"{where} ({rid})"
            if rid in seen_ids:
                rep.error(where, f"duplicate id (first in {seen_ids[rid]})")
            else:
                seen_ids[rid] = f"{path.name}:{n}"
            m = ID_RE.match(rid)
            if m:
                parts_seen[m.group(2)] += 1
                if part is not None and m.group(2) != part:
                    rep.error(where, f"id part '{m.group(2)}' does not belong in {path.name}")
        good = check_record(rec, where, rep, part)
        if good is None:
            continue
        key = (good["lang"], " ".join(good["text"].lower().split()))
        if key in texts:
            rep.warn(where, f"same text as {texts[key]}")
        else:
            texts[key] = good["id"]
        records.append(good)
    if part is None and parts_seen:
        part = parts_seen.most_common(1)[0][0]
    return part, records


def summarise(path: Path, part: str | None, records: list[dict], rep: Report) -> None:
    by_intent: dict[str, Counter] = defaultdict(Counter)
    by_stage: dict[str, Counter] = defaultdict(Counter)
    by_register: dict[str, Counter] = defaultdict(Counter)
    by_topic: dict[str, Counter] = defaultdict(Counter)
    total: Counter = Counter()
    for r in records:
        lang = r["lang"]
        total[lang] += 1
        by_stage[lang][r["stage"]] += 1
        by_register[lang][r["register"]] += 1
        for it in r["intents"]:
            by_intent[lang][it] += 1
        if "topic" in r:
            by_topic[lang][r["topic"]] += 1

    label = PART_NAMES.get(part or "", "unknown part")
    print(f"== {path.name} ({label}): {sum(total.values())} lines, "
          + ", ".join(f"{lang} {total[lang]}" for lang in LANGS))

    def table(title: str, keys, counters) -> None:
        print(f"  {title:<18}" + "".join(f"{lang:>6}" for lang in LANGS))
        for k in keys:
            print(f"  {k:<18}" + "".join(f"{counters[lang][k]:>6}" for lang in LANGS))

    table("intent", INTENTS, by_intent)
    table("stage", STAGES, by_stage)
    table("register", REGISTERS, by_register)
    table("topic", TOPICS, by_topic)

    if part == "d":
        return  # a development set has no quotas
    if part not in QUOTAS:
        rep.warn(path.name, "cannot tell tune from held-out; quotas not checked")
        return
    q = QUOTAS[part]
    for lang in LANGS:
        for it in INTENTS:
            if by_intent[lang][it] < q["intent"]:
                rep.error(path.name, f"quota: {lang} '{it}' has {by_intent[lang][it]} lines, "
                                     f"needs {q['intent']}")
        if by_stage[lang]["consent"] < q["consent"]:
            rep.error(path.name, f"quota: {lang} consent stage has "
                                 f"{by_stage[lang]['consent']} lines, needs {q['consent']}")


def main(argv: list[str]) -> int:
    if argv:
        paths = [Path(a) for a in argv]
    else:
        paths = [p for p in (HERE / "tune.jsonl", HERE / "heldout.jsonl") if p.exists()]
        if not paths:
            print("no corpus files found", file=sys.stderr)
            return 1
    rep = Report()
    seen_ids: dict[str, str] = {}
    for path in paths:
        part, records = check_file(path, seen_ids, rep)
        summarise(path, part, records, rep)
    for w in rep.warnings:
        print(w)
    for e in rep.errors:
        print(e)
    if rep.errors:
        print(f"FAILED: {len(rep.errors)} error(s), {len(rep.warnings)} warning(s)")
        return 1
    print(f"OK: {len(rep.warnings)} warning(s)")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
