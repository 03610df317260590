"""``voicebot replay`` over the call library, run as operations staff would run it."""

from __future__ import annotations

import asyncio
import json
import shutil
import subprocess
import sys
import time
import wave
from pathlib import Path

import pytest

from voicebot.replay.clock import SkipClock
from voicebot.replay.wer import normalised_errors, word_errors
from voicebot.settings import PROJECT_ROOT

LIBRARY = PROJECT_ROOT / "audio_fixtures" / "calls"
VOICEBOT = [sys.executable, "-m", "voicebot"]


def replay(*args: object, out: Path) -> tuple[int, dict, str]:
    done = subprocess.run([*VOICEBOT, "--log-level", "warning", "replay", *map(str, args),
                           "--out", str(out)], capture_output=True, text=True, timeout=600)
    report = out / "report.json"
    data = json.loads(report.read_text()) if report.exists() else {}
    return done.returncode, data, done.stdout + done.stderr


@pytest.fixture(scope="module")
def library_report(tmp_path_factory):
    out = tmp_path_factory.mktemp("replay")
    return replay(LIBRARY, out=out)


def test_the_library_replays_green_and_fast(library_report):
    code, report, printed = library_report
    assert code == 0, printed
    summary = report["summary"]
    assert summary["calls"] == len(list(LIBRARY.glob("*.yaml"))) >= 10
    assert summary["passed"] == summary["calls"]
    # Text calls skip recognition, synthesis and every idle wait.
    assert summary["call_seconds"] > 20 * summary["wall_seconds"]
    for call in report["calls"]:
        assert call["checks"] and all(c["passed"] for c in call["checks"]), call["id"]
        assert call["transcript"][0]["speaker"] == "bot"  # the greeting came first
        assert not call["transcript"][0]["interrupted"] or "barge" in call["id"]


def test_each_call_reports_its_outcome_transcript_and_timings(library_report):
    _, report, _ = library_report
    calls = {call["id"]: call for call in report["calls"]}
    agreed = calls["en_jane_agrees_100"]
    assert agreed["outcome"]["agreed"] and agreed["outcome"]["plan"]["instalment"] == "100.00"
    assert agreed["outcome"]["handoff"] == "payment"
    assert [t["speaker"] for t in agreed["transcript"]].count("caller") == 5
    assert all("dialogue" in t["stages_ms"] for t in agreed["turns"])
    distress = calls["en_jane_distress"]
    assert distress["outcome"]["handoff"] == "vulnerability"
    barge = calls["en_barge_in_and_keypad"]
    assert barge["transcript"][0]["interrupted"]  # the greeting was cut short
    assert any(t["via"] == "keypad" for t in barge["transcript"])
    silent = calls["en_silence"]
    assert silent["call_seconds"] >= 20  # the silence lasted, on the call's own clock


def test_a_broken_policy_turns_the_calls_it_breaks_red_in_the_comparison(tmp_path):
    policies = tmp_path / "policies"
    shutil.copytree(PROJECT_ROOT / "policies", policies)
    acme = policies / "acme-telecom.yaml"
    acme.write_text(acme.read_text().replace('min_amount: "25.00"', 'min_amount: "150.00"'))
    code, report, printed = replay(LIBRARY, "--compare", policies, out=tmp_path / "out")
    assert code == 1, printed
    assert report["summary"]["passed"] == report["summary"]["calls"]  # as they stand
    compare = report["compare"]
    assert compare["kind"] == "policies"
    failed = {call["id"] for call in compare["calls"] if not call["passed"]}
    assert "en_jane_agrees_100" in failed
    assert not any(name.startswith("fr_") for name in failed)  # another creditor
    changed = {change["id"]: change for change in compare["differences"]}
    assert set(changed) >= failed
    agreed = changed["en_jane_agrees_100"]
    assert agreed["outcome_before"]["plan"].endswith("100.00")
    assert agreed["outcome_before"]["plan"] != agreed["outcome_after"]["plan"]
    assert "CHANGED en_jane_agrees_100" in printed


@pytest.fixture(scope="module")
def broken_prompt_report(tmp_path_factory):
    out = tmp_path_factory.mktemp("broken-prompt")
    prompts = out / "prompts"
    shutil.copytree(PROJECT_ROOT / "prompts", prompts)
    english = prompts / "en.yaml"
    english.write_text(english.read_text().replace(
        "Thank you for telling me, and I'm so sorry you're going through this.",
        "Thank you for telling me."))
    code, report, printed = replay(LIBRARY, "--compare", prompts, out=out / "report")
    return code, report, printed, out / "report"


def test_a_broken_prompt_turns_the_calls_it_breaks_red_in_the_comparison(
        broken_prompt_report):
    code, report, printed, _ = broken_prompt_report
    assert code == 1, printed
    compare = report["compare"]
    assert compare["kind"] == "prompts"
    assert {call["id"] for call in compare["calls"] if not call["passed"]} == {
        "en_jane_distress"}
    (change,) = [c for c in compare["differences"] if c["id"] == "en_jane_distress"]
    assert change["outcome_after"]["checks"] == "FAIL"
    assert any("so sorry" in (r["before"] or "") and "so sorry" not in (r["after"] or "")
               for r in change["replies"])


CHROMIUM = Path("/usr/bin/chromium")


@pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian's chromium is not installed")
def test_the_html_report_reads_in_a_browser(broken_prompt_report):
    sync_api = pytest.importorskip("playwright.sync_api")
    _, _, _, out = broken_prompt_report
    page_file = out / "report.html"
    html = page_file.read_text()
    assert "<script" not in html and "http" not in html.split("<body", 1)[0]
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=["--headless", "--no-sandbox",
                                                 "--disable-gpu", "--no-first-run"])
        page = browser.new_page(viewport={"width": 1200, "height": 900})
        page.goto(page_file.resolve().as_uri())
        text = page.inner_text("body")
        total = len(list(LIBRARY.glob("*.yaml")))
        assert f"{total} of {total} calls passed" in text
        assert f"{total - 1} of {total} calls passed" in text
        assert "What changed" in text and "en_jane_distress" in text
        # The failed call is open with its reason; a passing one is folded.
        failed = page.locator("details[open]")
        assert failed.count() == 1 and "reply says 'sorry'" in failed.inner_text()
        assert page.locator("svg rect").count() >= 30  # a bar per caller turn
        page.screenshot(path=str(out / "report.png"), full_page=True)
        browser.close()
    assert (out / "report.png").stat().st_size > 20_000


@pytest.mark.parametrize(("text", "problem"), [
    ("name: x\nturns: []\n", "turns"),
    ("name: x\nturns:\n  - say: hi\n    keypad: '12'\n", "exactly one of"),
    ("name: x\nturns:\n  - keypad: 12a\n", "keypad"),
    ("name: x\nturns:\n  - say: hi\nexpect: {plan: maybe}\n", "plan"),
    ("name: [unclosed\n", "cannot read"),
    ("- just a list\n", "mapping"),
])
def test_a_broken_scenario_is_refused_with_its_problem_named(tmp_path, text, problem):
    scenario = tmp_path / "bad.yaml"
    scenario.write_text(text)
    code, _, printed = replay(scenario, out=tmp_path / "out")
    assert code == 2 and "bad.yaml" in printed and problem in printed, printed


async def test_the_clock_skips_idle_waits_in_order_and_counts_work_as_time():
    clock = SkipClock()
    clock.watch(asyncio.get_running_loop())
    woke: list[tuple[str, float]] = []

    async def sleeper(name: str, seconds: float) -> None:
        await clock.sleep(seconds)
        woke.append((name, clock.now()))

    async def worker() -> None:
        await asyncio.to_thread(time.sleep, 0.2)  # real work: real time passes
        woke.append(("work", clock.now()))

    start, wall = clock.now(), time.perf_counter()
    tasks = [asyncio.ensure_future(c) for c in (sleeper("late", 30), sleeper("early", 5),
                                                worker())]
    await clock.drive(asyncio.gather(*tasks))
    assert [name for name, _ in woke] == ["work", "early", "late"]
    at = dict(woke)
    assert at["early"] - start == pytest.approx(5, abs=0.05)
    assert at["late"] - start == pytest.approx(30, abs=0.05)
    assert at["work"] - start == pytest.approx(0.2, abs=0.1)
    assert time.perf_counter() - wall < 2  # 30 s of waiting took no time


async def test_a_wait_that_ends_while_work_runs_ends_on_time():
    """Playout paces itself with short sleeps while a voice synthesizes the next piece:
    a sleep that is over must end then, not when the work is done (a hole in speech)."""
    clock = SkipClock()
    clock.watch(asyncio.get_running_loop())
    woke: dict[str, float] = {}

    async def pacer() -> None:
        await clock.sleep(0.1)
        woke["pacer"] = clock.now()

    async def worker() -> None:
        await asyncio.to_thread(time.sleep, 0.6)
        woke["work"] = clock.now()

    start = clock.now()
    tasks = [asyncio.ensure_future(c) for c in (pacer(), worker())]
    await clock.drive(asyncio.gather(*tasks))
    assert woke["pacer"] - start == pytest.approx(0.1, abs=0.05)
    assert woke["work"] - start == pytest.approx(0.6, abs=0.1)


@pytest.mark.models
def test_a_voice_replay_hears_the_recordings_and_measures_recognition(tmp_path):
    calls = [LIBRARY / "en_jane_distress.yaml", LIBRARY / "fr_marie_60_par_mois.yaml"]
    code, report, printed = replay(*calls, "--voice", out=tmp_path)
    said = [(c["id"], [(line["speaker"], line["text"]) for line in c["transcript"]])
            for c in report.get("calls", [])]
    assert code == 0, f"{printed}\n{said}"
    summary = report["summary"]
    assert summary["mode"] == "voice" and summary["passed"] == 2
    assert summary["call_seconds"] > 2 * summary["wall_seconds"]  # idle waits skipped
    by_id = {call["id"]: call for call in report["calls"]}
    heard = by_id["en_jane_distress"]["extra"]["recognition"]
    assert len(heard) == 4  # every recorded turn was heard
    assert heard[-1]["heard"] == "Honestly, I'm thinking of ending my life."
    french = by_id["fr_marie_60_par_mois"]
    assert len(french["extra"]["recognition"]) == 5
    assert all(t["stages_ms"]["end_detection"] > 0 for t in french["turns"])
    assert set(summary["word_error_rate"]) == {"en", "fr"}
    # numbers written as digits are not counted as mishearings
    rates, alike = summary["word_error_rate"], summary["word_error_rate_normalised"]
    assert all(alike[lang] <= rates[lang] for lang in rates)
    # what the caller heard of the bot, a WAV per stretch of speech, the greeting first
    played = french["extra"]["heard"]
    assert played[0]["at"] < 0.5 and len(played) >= 5
    for stretch in played:
        with wave.open(stretch["file"]) as wav:
            assert wav.getframerate() == 8000
            assert wav.getnframes() / 8000 == pytest.approx(stretch["seconds"], abs=0.05)
    first_answer = french["transcript"][1]["at"]
    greeting = [p for p in played if p["at"] < first_answer]
    assert sum(p["seconds"] for p in greeting) > 8  # the whole French greeting was heard
    # holes in the bot's speech are measured: the longest silence inside one reply
    assert french["extra"]["speech_gap_ms"] >= 0
    assert (tmp_path / "audio" / "fr_marie_60_par_mois").is_dir()
    if CHROMIUM.exists():
        _listen_in_a_browser(tmp_path / "report.html", sum(
            len(call["extra"]["heard"]) for call in report["calls"]))


def _listen_in_a_browser(page_file: Path, players: int) -> None:
    """The report's players load in Chromium and hold the bot's audio."""
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=["--headless", "--no-sandbox",
                                                 "--disable-gpu", "--no-first-run",
                                                 "--autoplay-policy=no-user-gesture-required"])
        page = browser.new_page(viewport={"width": 1200, "height": 900})
        page.goto(page_file.resolve().as_uri())
        assert page.locator("audio").count() == players
        text = page.inner_text("body")
        assert "end of turn" in text and "recognition" in text  # the stage table
        assert "Word error rate of recognition" in text
        seconds = page.evaluate("""async () => {
            const audio = document.querySelector('audio');
            audio.preload = 'auto';
            audio.load();
            await new Promise((ok, bad) => {
                audio.addEventListener('loadedmetadata', ok, {once: true});
                audio.addEventListener('error', () => bad(audio.error.message), {once: true});
            });
            return audio.duration;
        }""")
        assert seconds > 0.2  # the greeting's first stretch, decoded by the browser
        page.locator("details").first.evaluate("d => d.open = true")
        page.screenshot(path=str(page_file.parent / "report.png"), full_page=True)
        browser.close()


def test_word_errors_count_edits_over_the_reference():
    assert word_errors("Yes, that's right.", "yes that's right") == (0, 3)
    assert word_errors("Marie Dupont.", "Marie du pont") == (2, 2)
    assert word_errors("one two three", "one three") == (1, 3)
    assert word_errors("", "hello") == (1, 0)


@pytest.mark.parametrize("reference, heard, language, expected", [
    ("Nine, four, one, zero, seven.", "94107.", "en", (0, 5)),
    ("I can pay a hundred dollars a month.", "I can pay $100 a month.", "en", (0, 5)),
    ("Je peux payer soixante euros par mois.", "Je peux payer 60 € par mois.", "fr", (0, 6)),
    ("Sept cinq zéro un un.", "75011", "fr", (0, 5)),
    ("one zero zero zero one", "10001", "en", (0, 5)),
    ("Jane Doe.", "Jane Dough.", "en", (1, 2)),  # a mishearing still counts
    ("eighty a month", "eighteen a month", "en", (1, 2)),
])
def test_normalised_word_errors_write_numbers_alike(reference, heard, language, expected):
    assert normalised_errors(reference, heard, language) == expected


def test_jobs_split_the_library_and_report_it_in_order(tmp_path, library_report):
    code, report, printed = replay(LIBRARY, "--jobs", "2", out=tmp_path)
    assert code == 0, printed
    assert report["summary"]["jobs"] == 2
    _, alone, _ = library_report
    assert [c["id"] for c in report["calls"]] == [c["id"] for c in alone["calls"]]
    assert [c["outcome"] for c in report["calls"]] == [c["outcome"] for c in alone["calls"]]


def test_realtime_paces_the_call_as_a_phone_line_would(tmp_path):
    code, report, printed = replay(LIBRARY / "en_third_party_husband.yaml", "--realtime",
                                   out=tmp_path)
    assert code == 0, printed
    summary = report["summary"]
    assert summary["realtime"] and summary["wall_seconds"] >= 0.9 * summary["call_seconds"]
