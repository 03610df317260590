"""The SIP rig on its own: Asterisk 22 and baresip phones, calls over real SIP and RTP
(G.711 u-law, RFC 4733 digits) on loopback, what each side heard checked by ear
(Whisper)."""

from __future__ import annotations

import json
import secrets
import shutil
import time
from pathlib import Path

import httpx
import pytest

from tests.sip.conftest import JANE, MONTH, YES, heard, seconds_of_sound
from tests.sip.phone import Call, place_call
from tests.sip.rig import CHROOT, Asterisk, missing

pytestmark = pytest.mark.sip


def processes_mentioning(text: str) -> list[str]:
    """Command lines of running processes that contain ``text``."""
    found = []
    for cmdline in Path("/proc").glob("[0-9]*/cmdline"):
        try:
            line = cmdline.read_bytes().replace(b"\0", b" ").decode(errors="replace")
        except OSError:
            continue
        if text in line:
            found.append(line)
    return found


def test_asterisk_starts_and_stops_in_seconds(tmp_path):
    if reason := missing():
        pytest.skip(reason)
    began = time.monotonic()
    pbx = Asterisk(tmp_path / "pbx").start()
    started = time.monotonic() - began
    try:
        assert pbx.cli("core show version").startswith("Asterisk 22.")
        modules = pbx.cli("module show")
        for module in ("chan_pjsip.so", "app_audiosocket.so", "chan_audiosocket.so",
                       "chan_websocket.so", "res_websocket_client.so", "res_ari.so",
                       "res_ari_channels.so", "res_http_websocket.so", "app_stasis.so"):
            assert module in modules, f"{module} not loaded:\n{pbx.log()}"
        info = pbx.ari("GET", "/asterisk/info")
        assert info.status_code == 200 and info.json()["system"]["version"].startswith("22.")
        wrong = httpx.get(f"{pbx.ari_url}/asterisk/info", auth=("voicebot", "wrong"))
        assert wrong.status_code == 401
    finally:
        began = time.monotonic()
        pbx.stop()
        stopped = time.monotonic() - began
    assert started < 10 and stopped < 10, (started, stopped)
    assert "Asterisk cleanly ending (0)" in pbx.log()
    assert processes_mentioning(str(pbx.dir)) == []
    mounts = Path("/proc/self/mountinfo").read_text()
    assert str(CHROOT) not in mounts


def test_echo_the_caller_hears_itself(asterisk, tmp_path, recognizer):
    result = place_call(asterisk, "echo", JANE, tmp_path / "heard.wav", 4)
    assert result.established and result.hung_up_by == "caller", result
    assert 3.5 < result.duration < 5
    assert "jane" in heard(recognizer, result.heard), asterisk.log()[-3000:]


def test_record_keeps_what_the_caller_said(asterisk, tmp_path, recognizer):
    name = secrets.token_hex(4)
    result = place_call(asterisk, f"rec-{name}", [(0.5, MONTH)], tmp_path / "heard.wav", 4)
    assert result.established and result.hung_up_by == "caller", result
    recording = asterisk.dir / "recordings" / f"{name}.wav"
    assert recording.exists(), asterisk.log()[-3000:]
    # The caller's 2 s of speech, not the silence around it.
    assert 1.2 < seconds_of_sound(recording) < 3, seconds_of_sound(recording)
    assert "month" in heard(recognizer, recording)


def test_playback_is_heard_and_asterisk_hangs_up(asterisk, tmp_path, recognizer):
    name = f"greeting-{secrets.token_hex(4)}"
    shutil.copy(YES, asterisk.dir / "sounds" / f"{name}.wav")
    result = place_call(asterisk, f"play-{name}", [], tmp_path / "heard.wav", 15)
    assert result.established and result.hung_up_by == "remote", result
    assert result.duration < 5, result
    assert "yes" in heard(recognizer, result.heard)


def test_a_dialled_agent_hears_the_caller(asterisk, agent, tmp_path, recognizer):
    result = place_call(asterisk, "agent", JANE, tmp_path / "heard.wav", 4)
    assert result.established and result.hung_up_by == "caller", result
    assert agent.wait_event("CALL_CLOSED", timeout=5)
    assert "jane" in heard(recognizer, agent.record_to), agent.log()


def test_the_agent_hangs_up_and_the_caller_is_released(asterisk, agent, tmp_path):
    with Call(asterisk, "agent", [], tmp_path / "heard.wav", 30) as call:
        assert call.wait_answered()
        agent.wait_event("CALL_ESTABLISHED")
        channels = asterisk.channels()
        assert len(channels) == 2 and all(c.startswith("PJSIP/") for c in channels), channels
        time.sleep(1)
        agent.hangup()
        result = call.wait_closed(5)
    assert result.hung_up_by == "remote" and result.duration < 3, result


def test_keypad_digits_reach_asterisk(asterisk, tmp_path):
    digits = "".join(secrets.choice("0123456789") for _ in range(4)) + "*9"
    place_call(asterisk, "dtmf", [], tmp_path / "heard.wav", 4, dtmf=[(1.0, digits + "#")])
    line = asterisk.wait_for_log(f"rig: digits {digits} on PJSIP/caller-")
    assert "NOTICE" in line


def test_ari_transfers_a_call_to_the_agent(asterisk, agent, tmp_path, recognizer):
    with asterisk.ari_events("rig") as events, \
            Call(asterisk, "stasis", [(2.5, JANE)], tmp_path / "heard.wav", 30) as call:
        assert call.wait_answered()
        event = next_event(events, "StasisStart")
        channel = event["channel"]["id"]
        assert event["channel"]["name"].startswith("PJSIP/caller-")
        done = asterisk.ari("POST", f"/channels/{channel}/continue",
                            context="from-caller", extension="agent", priority="1")
        assert done.status_code == 204, done.text
        agent.wait_event("CALL_ESTABLISHED", timeout=5)
        time.sleep(max(0.0, call.answered_at + 5.5 - time.monotonic()))
        result = call.hangup()
    assert result.established, result
    agent.wait_event("CALL_CLOSED", timeout=5)
    assert "jane" in heard(recognizer, agent.record_to), agent.log()


def next_event(events, kind: str, timeout: float = 5) -> dict:
    """The next ARI event of type ``kind``."""
    deadline = time.monotonic() + timeout
    while True:
        event = json.loads(events.recv(timeout=max(0.01, deadline - time.monotonic())))
        if event["type"] == kind:
            return event
