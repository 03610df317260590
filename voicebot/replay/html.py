"""The replay report as one self-contained HTML page for operations staff: a summary,
latency plots, each call's checks (a failed one explained), both sides' words, what the
caller heard of the bot as playable audio (voice runs), and the differences when two
versions were compared. No script, no external file: audio is embedded."""

from __future__ import annotations

import base64
import statistics
from html import escape
from pathlib import Path
from typing import Any

STYLE = """
body{font:14px/1.45 system-ui,sans-serif;margin:2rem;color:#1b1b1b;max-width:72rem}
h1{font-size:1.4rem}h2{font-size:1.15rem;margin-top:2rem}h3{font-size:1rem}
table{border-collapse:collapse;margin:.5rem 0}td,th{border:1px solid #ccc;padding:.25rem .5rem;
text-align:left;vertical-align:top}th{background:#f3f3f3}
.pass{color:#0a6b2d;font-weight:600}.fail{color:#b00020;font-weight:600}
.bot{color:#0b3d91}.caller{color:#5a3d00}.cut{text-decoration:line-through;color:#888}
details{margin:.4rem 0;border:1px solid #ddd;padding:.3rem .6rem;border-radius:4px}
summary{cursor:pointer}.why{color:#b00020}svg text{font:11px system-ui,sans-serif}
.before{background:#fff1f1}.after{background:#effaf1}
audio{height:2rem;vertical-align:middle}.heard li{margin:.3rem 0}
"""
STAGES = (("end_detection", "end of turn", "#8a5a00"), ("stt", "recognition", "#5b8def"),
          ("dialogue", "dialogue", "#0b3d91"), ("tts_first_audio", "first audio", "#3a9d5d"))


def write_html(report: dict[str, Any], path: Path) -> None:
    path.write_text(render(report), encoding="utf-8")


def render(report: dict[str, Any]) -> str:
    parts = ["<!doctype html><html lang=en><meta charset=utf-8>",
             "<title>voicebot replay report</title>", f"<style>{STYLE}</style>",
             "<h1>Replay report</h1>", _summary(report["summary"], "")]
    if "compare" in report:
        compare = report["compare"]
        parts.append(_summary(compare["summary"],
                              f"with the {escape(compare['kind'])} in "
                              f"{escape(compare['directory'])}"))
        parts.append(_differences(compare["differences"]))
    parts.append("<h2>Calls</h2>")
    parts.append(_table(report["calls"]))
    parts.append("<h2>Reply latency</h2>")
    parts.append(_stage_table(report["calls"]))
    parts.append(_latency_plot(report["calls"]))
    parts.append("<h2>Each call</h2>")
    parts.extend(_call(call) for call in report["calls"])
    if "compare" in report:
        parts.append(f"<h2>Each call with {escape(report['compare']['directory'])}</h2>")
        parts.extend(_call(call) for call in report["compare"]["calls"])
    return "\n".join(parts) + "\n</html>\n"


def _summary(summary: dict[str, Any], label: str) -> str:
    ok = summary["passed"] == summary["calls"]
    verdict = "pass" if ok else "fail"
    return (f"<p class=summary>{label + ': ' if label else ''}"
            f"<span class={verdict}>{summary['passed']} of {summary['calls']} calls "
            f"passed</span>; {summary['call_seconds']:.0f} s of calls replayed in "
            f"{summary['wall_seconds']:.1f} s ({summary['speed']:.0f}&times; real time). "
            f"Policies: <code>{escape(str(summary['policies']))}</code>, prompts: "
            f"<code>{escape(str(summary['prompts']))}</code>.{_recognition(summary)}</p>")


def _recognition(summary: dict[str, Any]) -> str:
    raw = summary.get("word_error_rate") or {}
    if not raw:
        return ""
    norm = summary.get("word_error_rate_normalised") or {}
    rates = ", ".join(f"{escape(lang)} {rate:.3f}"
                      + (f" ({norm[lang]:.3f} with numbers written alike)" if lang in norm
                         else "") for lang, rate in sorted(raw.items()))
    gap = summary.get("speech_gap_ms_max")
    gaps = f" Longest silence inside one of the bot's replies: {gap} ms." if gap else ""
    return f" Word error rate of recognition: {rates}.{gaps}"


def _table(calls: list[dict[str, Any]]) -> str:
    rows = ["<table><tr><th>call</th><th>result</th><th>plan</th><th>hand-off</th>"
            "<th>flags</th><th>turns</th><th>call s</th><th>median reply ms</th>"
            "<th>longest gap in a reply, ms</th></tr>"]
    for call in calls:
        outcome = call["outcome"]
        plan = outcome.get("plan")
        agreed = (f"{plan['count']} &times; {escape(str(plan['instalment']))}"
                  if outcome.get("agreed") and plan else "none")
        replies = [t["stages_ms"].get("dialogue") for t in call["turns"]]
        replies = sorted(r for r in replies if r is not None)
        median = f"{replies[len(replies) // 2]:.1f}" if replies else "&ndash;"
        verdict = PASS if call["passed"] else FAIL
        gap = call["extra"].get("speech_gap_ms")
        rows.append(
            f"<tr><td><a href='#{escape(call['id'])}'>{escape(call['id'])}</a></td>"
            f"<td>{verdict}</td><td>{agreed}</td><td>{escape(outcome.get('handoff') or 'none')}"
            f"</td><td>{escape(', '.join(outcome.get('flags') or []) or 'none')}</td>"
            f"<td>{len(call['turns'])}</td><td>{call['call_seconds']:.1f}</td>"
            f"<td>{median}</td><td>{'&ndash;' if gap is None else gap}</td></tr>")
    rows.append("</table>")
    return "".join(rows)


def _stage_table(calls: list[dict[str, Any]]) -> str:
    """Median and 95th percentile per stage over every caller turn."""
    rows = ["<table><tr><th>stage</th><th>turns</th><th>median ms</th><th>p95 ms</th>"
            "<th>max ms</th></tr>"]
    for key, label, _ in (*STAGES, ("total", "words to first audio", "")):
        values = sorted(t["stages_ms"][key] for c in calls for t in c["turns"]
                        if key in t["stages_ms"])
        if not values:
            continue
        p95 = values[min(len(values) - 1, round(0.95 * (len(values) - 1)))]
        rows.append(f"<tr><td>{label}</td><td>{len(values)}</td>"
                    f"<td>{statistics.median(values):.1f}</td><td>{p95:.1f}</td>"
                    f"<td>{values[-1]:.1f}</td></tr>")
    rows.append("</table>")
    return "".join(rows) if len(rows) > 2 else ""


def _latency_plot(calls: list[dict[str, Any]]) -> str:
    """Each caller turn's time from the end of its words to the reply's first audio, a
    bar per turn, stacked by stage (a text run has the dialogue stage only)."""
    bars = [(call["id"], [(key, turn["stages_ms"].get(key, 0.0)) for key, _, _ in STAGES])
            for call in calls for turn in call["turns"]]
    if not bars:
        return "<p>No caller turns.</p>"
    top = max(max(sum(ms for _, ms in stages) for _, stages in bars), 1.0)
    width, height, left = 720, 160, 48
    step = (width - left) / len(bars)
    colours = {key: colour for key, _, colour in STAGES}
    shapes = [f"<svg width={width} height={height + 48} role=img "
              f"aria-label='reply latency per caller turn, by stage'>",
              f"<text x=0 y=12>{top:.0f} ms</text><text x=0 y={height}>0</text>"]
    for index, (name, stages) in enumerate(bars):
        x, base = left + index * step, float(height)
        for key, ms in stages:
            if ms <= 0:
                continue
            h = max(0.5, ms / top * (height - 20))
            base -= h
            shapes.append(f"<rect x={x:.1f} y={base:.1f} width={max(1.0, step - 1):.1f} "
                          f"height={h:.1f} fill='{colours[key]}'><title>{escape(name)}: "
                          f"{key} {ms:.1f} ms</title></rect>")
    legend = [(label, colour) for key, label, colour in STAGES
              if any(dict(stages).get(key, 0) > 0 for _, stages in bars)]
    for number, (label, colour) in enumerate(legend):
        x = left + number * 130
        shapes.append(f"<rect x={x} y={height + 8} width=10 height=10 fill='{colour}'/>"
                      f"<text x={x + 14} y={height + 17}>{label}</text>")
    shapes.append(f"<text x={left} y={height + 38}>caller turns, in call order (from the "
                  "end of the caller's words to the reply's first audio)</text></svg>")
    return "".join(shapes)


PASS, FAIL = "<span class=pass>pass</span>", "<span class=fail>FAIL</span>"


def _call(call: dict[str, Any]) -> str:
    checks = "".join(
        f"<li>{PASS if c['passed'] else FAIL}"
        f" {escape(c['name'])}"
        + ("" if c["passed"] else f" &mdash; <span class=why>{escape(c['detail'])}</span>")
        + "</li>" for c in call["checks"])
    lines = []
    for line in call["transcript"]:
        if not line["text"] and line["speaker"] == "bot":
            continue
        css = line["speaker"] + (" cut" if line.get("interrupted") else "")
        via = " (keypad)" if line.get("via") == "keypad" else ""
        lines.append(f"<li class='{css}'>{line['at']:.1f} s {escape(line['speaker'])}{via}: "
                     f"{escape(line['text'])}</li>")
    opened = "" if call["passed"] else " open"
    return (f"<details id='{escape(call['id'])}'{opened}><summary>"
            f"{PASS if call['passed'] else FAIL} {escape(call['id'])} &mdash; "
            f"{escape(call['name'])}</summary>"
            f"<h3>Checks</h3><ul>{checks}</ul><h3>Transcript</h3><ul>{''.join(lines)}</ul>"
            f"{_heard_words(call)}{_heard_audio(call)}</details>")


def _heard_words(call: dict[str, Any]) -> str:
    """Each recorded caller turn: what was said and what recognition heard."""
    turns = call["extra"].get("recognition") or []
    if not turns:
        return ""
    rows = ["<h3>Recognition</h3><table><tr><th>said</th><th>heard</th><th>word errors"
            "</th><th>with numbers written alike</th></tr>"]
    for turn in turns:
        rows.append(f"<tr><td>{escape(turn['reference'] or '')}</td>"
                    f"<td>{escape(turn['heard'])}</td><td>{turn['errors']} of "
                    f"{turn['words']}</td><td>{turn.get('normalised_errors', '')} of "
                    f"{turn.get('normalised_words', '')}</td></tr>")
    rows.append("</table>")
    return "".join(rows)


def _heard_audio(call: dict[str, Any]) -> str:
    """What the caller heard of the bot, a player per stretch of speech, with the words
    the bot said in it."""
    heard = call["extra"].get("heard")
    if not heard:
        return ("<p>Text run: the bot's replies were timed, not synthesized, so there is "
                "no audio to play.</p>")
    bot = [line for line in call["transcript"] if line["speaker"] == "bot" and line["text"]]
    items = []
    for played in heard:
        start, end = played["at"] - 0.5, played["at"] + played["seconds"]
        said = " ".join(line["text"] for line in bot if start <= line["at"] <= end)
        cut = " <em>(cut off by the caller)</em>" if played["cut"] else ""
        items.append(f"<li>{played['at']:.1f} s, {played['seconds']:.1f} s{cut}: "
                     f"{_audio(played['file'])} {escape(said)}</li>")
    return "<h3>What the caller heard</h3><ul class=heard>" + "".join(items) + "</ul>"


def _audio(file: str) -> str:
    try:
        data = Path(file).read_bytes()
    except OSError:
        return f"<em>(audio missing: {escape(file)})</em>"
    encoded = base64.b64encode(data).decode("ascii")
    return f"<audio controls preload=none src='data:audio/wav;base64,{encoded}'></audio>"


def _differences(changes: list[dict[str, Any]]) -> str:
    if not changes:
        return "<p>No call changed.</p>"
    rows = ["<h2>What changed</h2><table><tr><th>call</th><th>before</th><th>after</th>"
            "<th>dialogue ms</th></tr>"]
    for change in changes:
        before = "<br>".join(f"{escape(k)}: {escape(v)}"
                             for k, v in change["outcome_before"].items())
        after = "<br>".join(f"{escape(k)}: {escape(v)}"
                            for k, v in change["outcome_after"].items())
        rows.append(f"<tr><td>{escape(change['id'])}<br>"
                    f"{escape('; '.join(change['changes']))}</td>"
                    f"<td class=before>{before}</td><td class=after>{after}</td>"
                    f"<td>{change['dialogue_ms_delta']:+.1f}</td></tr>")
        for reply in change["replies"]:
            rows.append(f"<tr><td></td><td class=before>{escape(reply['before'] or '')}</td>"
                        f"<td class=after>{escape(reply['after'] or '')}</td><td></td></tr>")
    rows.append("</table>")
    return "".join(rows)
