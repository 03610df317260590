"""Pacing and marks on virtual time (``voicebot.telephony.pacing``): a frame every 20 ms
at most ``lead`` early, a mark heard when the audio before it has played (plus the
allowance), barge-in dropping what was not sent."""

from __future__ import annotations

import math

import pytest

from voicebot.errors import OverloadedError
from voicebot.telephony.pacing import MarkDue, Playout, SendAudio, SendMark

FRAME = b"\xff" * 160


def run(playout: Playout, start: float = 0.0, until: float = 10.0
        ) -> list[tuple[float, object]]:
    """Poll at every wake-up, as the line's writer does; (time, action) pairs."""
    now, out = start, []
    while now <= until:
        out += [(round(now, 6), action) for action in playout.poll(now)]
        wake = playout.next_wake(now)
        if wake is None:
            break
        now = max(wake, now + 1e-9)
    return out


def test_frames_go_out_at_the_pace_they_play():
    playout = Playout(lead=0.04)
    for _ in range(10):
        playout.push_audio(FRAME)
    sent = [at for at, action in run(playout) if isinstance(action, SendAudio)]
    # Three at once (the one playing and the two-frame lead), then one every 20 ms.
    assert sent[:3] == [0.0, 0.0, 0.0]
    assert sent[3:] == pytest.approx([0.02 * n for n in range(1, 8)])
    assert playout.playhead == pytest.approx(0.2)


def test_an_emulated_mark_is_heard_after_the_audio_before_it_plus_the_allowance():
    playout = Playout(lead=0.04, allowance=0.06)
    for _ in range(5):
        playout.push_audio(FRAME)
    playout.push_mark("u1.0")
    playout.push_audio(FRAME)
    events = run(playout)
    [(heard_at, _)] = [(at, a) for at, a in events if isinstance(a, MarkDue)]
    assert heard_at == pytest.approx(5 * 0.02 + 0.06)
    # The frame after the mark went out on time all the same.
    assert [at for at, a in events if isinstance(a, SendAudio)][-1] == pytest.approx(0.06)


def test_a_native_mark_is_passed_on_right_after_the_audio_before_it():
    playout = Playout(lead=0.04)
    for _ in range(5):
        playout.push_audio(FRAME)
    playout.push_mark("u1.0", native=True)
    events = run(playout)
    kinds = [type(a).__name__ for _, a in events]
    assert kinds == ["SendAudio"] * 5 + ["SendMark"]
    assert events[-1] == (pytest.approx(0.04), SendMark("u1.0"))
    assert not any(isinstance(a, MarkDue) for _, a in events)


def test_with_an_infinite_lead_everything_goes_at_once_and_marks_follow_the_playhead():
    """chan_websocket on a release without marks: Asterisk times the audio itself."""
    playout = Playout(lead=math.inf, allowance=0.06)
    for _ in range(50):
        playout.push_audio(FRAME)
    playout.push_mark("u1.0")
    events = run(playout)
    assert {at for at, a in events if isinstance(a, SendAudio)} == {0.0}
    assert [at for at, a in events if isinstance(a, MarkDue)] == [pytest.approx(1.06)]


def test_after_a_pause_the_line_starts_again_from_now():
    playout = Playout(lead=0.0)
    playout.push_audio(FRAME)
    assert playout.poll(0.0) == [SendAudio(FRAME)]
    playout.push_audio(FRAME)
    assert playout.next_wake(0.005) == pytest.approx(0.02)
    assert playout.poll(0.01) == []
    # 5 s of silence later, a new frame goes out at once.
    playout.push_audio(FRAME)
    assert playout.poll(0.02) == [SendAudio(FRAME)]
    assert playout.poll(5.0) == [SendAudio(FRAME)]
    assert playout.playhead == pytest.approx(5.02)


def test_barge_in_drops_the_audio_not_sent_and_the_marks_not_heard():
    playout = Playout(lead=0.04)
    for _ in range(50):
        playout.push_audio(FRAME)
    playout.push_mark("u1.0")
    run(playout, until=0.1)
    assert playout.queued_frames > 0
    playout.clear(0.1, recalled=False)
    assert playout.queued_frames == 0 and playout.poll(0.2) == []
    assert playout.next_wake(0.2) is None
    # AudioSocket: what was sent still plays (the frame playing and the lead);
    # chan_websocket flushes it.
    assert playout.playhead == pytest.approx(0.16)
    assert not playout.idle(0.14) and playout.idle(0.16)
    playout.clear(0.12, recalled=True)
    assert playout.playhead == pytest.approx(0.12) and playout.idle(0.12)


def test_the_queue_is_bounded():
    playout = Playout(max_frames=3)
    for _ in range(3):
        playout.push_audio(FRAME)
    with pytest.raises(OverloadedError):
        playout.push_audio(FRAME)


def test_a_mark_with_nothing_before_it_is_heard_after_the_allowance():
    playout = Playout(allowance=0.06)
    playout.push_mark("m")
    assert playout.poll(1.0) == []
    assert playout.next_wake(1.0) == pytest.approx(1.06)
    assert playout.poll(1.06) == [MarkDue("m")]


def test_a_filled_line_sends_silence_between_replies_and_never_runs_dry():
    silence = b"\x7f" * 160
    playout = Playout(lead=0.04, fill=silence)
    events = run(playout, until=0.1)
    sent = [at for at, a in events if isinstance(a, SendAudio)]
    assert all(a == SendAudio(silence) for _, a in events)
    assert len(sent) == pytest.approx(0.1 / 0.02 + 3, abs=1)  # every 20 ms, from now on
    assert playout.idle(0.1)  # silence is not speech: nothing waits to be heard
    # Speech goes out as soon as the silence already sent has played.
    playout.push_audio(FRAME)
    playout.push_mark("m")
    later = run(playout, start=0.1, until=0.4)
    [(spoken, _)] = [(at, a) for at, a in later if a == SendAudio(FRAME)]
    assert 0.1 <= spoken <= 0.12
    [(heard, _)] = [(at, a) for at, a in later if isinstance(a, MarkDue)]
    assert heard == pytest.approx(playout.heard_until + playout.allowance)
    assert not playout.idle(spoken) and playout.idle(0.3)
    with pytest.raises(ValueError):
        Playout(lead=math.inf, fill=silence)
