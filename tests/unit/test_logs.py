"""Log lines: JSON for the service, text for people, each filed under its call."""

from __future__ import annotations

import asyncio
import io
import json
import logging

import pytest

from voicebot.logs import CALL_ID, CallIdFilter, JsonFormatter, TextFormatter


def logger_to(stream: io.StringIO, formatter: logging.Formatter) -> logging.Logger:
    handler = logging.StreamHandler(stream)
    handler.addFilter(CallIdFilter())
    handler.setFormatter(formatter)
    log = logging.getLogger(f"voicebot.test.{id(stream)}")
    log.handlers[:] = [handler]
    log.propagate = False
    log.setLevel(logging.INFO)
    return log


async def test_a_calls_tasks_log_under_its_id_and_other_calls_do_not_mix():
    stream = io.StringIO()
    log = logger_to(stream, JsonFormatter())

    async def one_call(call_id: str) -> None:
        CALL_ID.set(call_id)

        async def later() -> None:  # a task the call started: inherits the id
            await asyncio.sleep(0.01)
            log.info("turn done")

        await asyncio.create_task(later())

    await asyncio.gather(asyncio.create_task(one_call("CA1")),
                         asyncio.create_task(one_call("CA2")))
    log.info("no call here")
    records = [json.loads(line) for line in stream.getvalue().splitlines()]
    assert sorted(r.get("call_id", "-") for r in records) == ["-", "CA1", "CA2"]
    assert all(r["level"] == "info" and r["logger"].startswith("voicebot.test")
               for r in records)
    assert records[-1]["message"] == "no call here" and "call_id" not in records[-1]


def test_a_json_line_carries_the_error_and_keeps_accents():
    stream = io.StringIO()
    log = logger_to(stream, JsonFormatter())
    try:
        raise ValueError("échec")
    except ValueError:
        log.exception("la synthèse a échoué")
    [record] = [json.loads(line) for line in stream.getvalue().splitlines()]
    assert record["message"] == "la synthèse a échoué"
    assert "ValueError: échec" in record["error"] and record["level"] == "error"
    assert record["time"].endswith("+00:00")


def test_text_lines_name_the_call_when_the_message_does_not():
    stream = io.StringIO()
    log = logger_to(stream, TextFormatter())
    token = CALL_ID.set("CA9")
    try:
        log.info("CA9: said already")
        log.info("the turn's stages")
    finally:
        CALL_ID.reset(token)
    first, second = stream.getvalue().splitlines()
    assert not first.endswith("[CA9]") and second.endswith("[CA9]")


@pytest.mark.parametrize("fmt, json_lines", [("json", True), ("text", False)])
def test_the_command_line_chooses_the_format(tmp_path, fmt, json_lines):
    import subprocess
    import sys

    from voicebot.settings import PROJECT_ROOT

    scenario = PROJECT_ROOT / "audio_fixtures" / "calls" / "en_silence.yaml"
    done = subprocess.run([sys.executable, "-m", "voicebot", "--log-format", fmt, "replay",
                           str(scenario), "--out", str(tmp_path)], capture_output=True,
                          text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]
    lines = [line for line in done.stderr.splitlines() if line.strip()]
    assert len(lines) >= 3  # the records' database, the call's lines
    assert all(line.startswith("{") for line in lines) == json_lines, lines[:3]
    if json_lines:
        assert any(json.loads(line).get("call_id") for line in lines)


def test_an_error_cleaned_by_the_redaction_still_reaches_the_json_line():
    from voicebot.redaction.logs import RedactingFilter

    stream = io.StringIO()
    log = logger_to(stream, JsonFormatter())
    log.handlers[0].addFilter(RedactingFilter())
    try:
        raise ValueError("card 4111 1111 1111 1111 refused")
    except ValueError:
        log.exception("payment failed")
    [record] = [json.loads(line) for line in stream.getvalue().splitlines()]
    assert "ValueError" in record["error"] and "4111 1111" not in record["error"]


def test_configure_leaves_a_test_runners_handlers_alone():
    from voicebot.logs import configure

    root = logging.getLogger()
    foreign = logging.NullHandler()
    saved = list(root.handlers)
    root.handlers[:] = [foreign]
    try:
        configure("info", "json")
        assert root.handlers == [foreign]
        root.handlers[:] = []
        configure("info", "json")
        configure("warning", "text")  # again: replaces its own handler, not adds one
        assert len(root.handlers) == 1 and root.level == logging.WARNING
    finally:
        root.handlers[:] = saved
