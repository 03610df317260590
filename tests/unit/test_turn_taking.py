"""Turn-taking decisions (``voicebot/turns/taking.py``): detector events and the bot's
speaking state in, actions out. Pure: no clock, no audio, no tasks."""

import math

import pytest

from voicebot.turns.detector import (
    BargeIn,
    NoiseIgnored,
    Pause,
    SpeechEnded,
    SpeechStarted,
    VoiceOnset,
)
from voicebot.turns.taking import (
    ANSWER_OVER_END_SECONDS,
    CancelNoInput,
    DetectLanguage,
    DropTurn,
    EndNow,
    Hold,
    Interrupt,
    Moment,
    Note,
    Resume,
    TakeTurn,
    Transcribe,
    TurnTaking,
)

SPEAKING = dict(bot_speaking=True, bot_time_left=math.inf)  # a long reply under way
QUIET = dict(bot_speaking=False, bot_time_left=0.0)


def at(stream: float, *, clock_offset: float = 100.0, **state) -> Moment:
    """The call at stream time ``stream`` (its clock runs ``clock_offset`` ahead)."""
    return Moment(now=stream + clock_offset, stream_now=stream, **{**QUIET, **state})


def kinds(actions) -> list[type]:
    return [type(a) for a in actions]


def test_an_answer_in_silence_is_transcribed_at_the_pause_and_taken_at_the_end():
    t = TurnTaking()
    assert t.on_event(SpeechStarted(1.0), at(1.2)) == [CancelNoInput()]
    assert t.on_event(Pause(1.0, 1.8), at(1.95)) == [Transcribe(1.0, 1.8)]
    assert t.on_event(SpeechEnded(1.0, 1.8, 2.5), at(2.5)) == [
        TakeTurn(1.0, 1.8, 2.5, use_guess=True)]


def test_an_interruption_holds_at_once_then_ends_the_reply():
    t = TurnTaking()
    assert t.on_event(VoiceOnset(5.0, 5.1), at(5.1, **SPEAKING)) == [Hold(pytest.approx(0.1))]
    assert t.held_at == 105.1
    assert t.on_event(SpeechStarted(5.0), at(5.2, **SPEAKING)) == [CancelNoInput()]
    actions = t.on_event(BargeIn(5.0, 5.5), at(5.5, **SPEAKING))
    # The caller began at clock 105.0 and was heard (the audio stopped) at 105.1.
    assert actions == [Interrupt(pytest.approx(105.0), 105.1, pytest.approx(0.5))]
    assert t.held_at is None
    # The reply is over: the rest of what they say is a turn like any other.
    assert t.on_event(SpeechEnded(5.0, 7.0, 7.7), at(7.7)) == [TakeTurn(5.0, 7.0, 7.7, False)]


def test_a_cough_over_the_bot_resumes_the_reply():
    t = TurnTaking()
    assert kinds(t.on_event(VoiceOnset(3.0, 3.1), at(3.1, **SPEAKING))) == [Hold]
    assert t.on_event(NoiseIgnored(3.0, 0.15), at(3.3, **SPEAKING)) == [Resume("noise")]
    # Noise when nothing was held resumes nothing.
    assert t.on_event(NoiseIgnored(4.0, 0.05), at(4.2, **SPEAKING)) == []


def test_an_mm_hm_over_the_bot_is_neither_transcribed_nor_a_turn():
    t = TurnTaking()
    t.on_event(VoiceOnset(3.0, 3.1), at(3.1, **SPEAKING))
    t.on_event(SpeechStarted(3.0), at(3.2, **SPEAKING))
    # Quiet before it became an interruption: the bot goes on, no transcription.
    assert t.on_event(Pause(3.0, 3.35), at(3.5, **SPEAKING)) == [Resume("backchannel")]
    actions = t.on_event(SpeechEnded(3.0, 3.35, 4.05), at(4.05, **SPEAKING))
    assert actions == [Note("backchannel", "350 ms")]  # nothing left to resume
    assert t.onset is None


@pytest.mark.parametrize("left", [0.0, 0.2, 0.6, ANSWER_OVER_END_SECONDS])
@pytest.mark.parametrize("hold", [True, False])
def test_a_short_answer_as_the_question_ends_is_always_a_turn(left, hold):
    """ "Yes." begun in the question's last second: the question plays out, and the word
    is an answer, even though the bot was still speaking when it came and when it ended."""
    t = TurnTaking()
    speaking = dict(bot_speaking=left > 0, bot_time_left=left)
    if hold:
        actions = t.on_event(VoiceOnset(9.0, 9.1), at(9.1, **speaking))
        assert not any(isinstance(a, Hold) for a in actions)
    t.on_event(SpeechStarted(9.0), at(9.2, **speaking))
    assert not t.overlapped
    # Still inside the reply's tail at the pause and at the end: never a backchannel.
    assert t.on_event(Pause(9.0, 9.45), at(9.6, bot_speaking=True, bot_time_left=0.1)) == [
        Transcribe(9.0, 9.45)]
    actions = t.on_event(SpeechEnded(9.0, 9.45, 10.15),
                         at(10.15, bot_speaking=True, bot_time_left=0.05))
    assert actions == [TakeTurn(9.0, 9.45, 10.15, use_guess=True)]


def test_a_voice_with_more_than_a_second_of_reply_left_is_held():
    t = TurnTaking()
    left = ANSWER_OVER_END_SECONDS + 0.05
    assert kinds(t.on_event(VoiceOnset(2.0, 2.1),
                            at(2.1, bot_speaking=True, bot_time_left=left))) == [Hold]


def test_a_reply_not_yet_made_to_its_end_counts_as_long():
    """Time left is infinite while the last piece has not gone out: never 'the end'."""
    t = TurnTaking()
    assert kinds(t.on_event(VoiceOnset(2.0, 2.1), at(2.1, **SPEAKING))) == [Hold]


def test_a_hold_that_found_the_reply_over_is_forgotten():
    t = TurnTaking()
    t.on_event(VoiceOnset(2.0, 2.1), at(2.1, **SPEAKING))
    t.not_held()
    assert t.on_event(NoiseIgnored(2.0, 0.1), at(2.3, **SPEAKING)) == []


def test_a_caller_who_goes_on_before_being_answered_is_heard_whole():
    """ "one zero zero ... two zero zero": the first part's turn is dropped, and the
    second end of turn takes everything from the first onset."""
    t = TurnTaking()
    t.on_event(SpeechStarted(1.0), at(1.2))
    t.on_event(SpeechEnded(1.0, 2.0, 3.3), at(3.3))
    actions = t.on_event(SpeechStarted(3.5), at(3.7, answering=True))
    assert actions == [CancelNoInput(), DropTurn(), Note("turn_continued")]
    assert t.on_event(SpeechEnded(3.5, 4.5, 5.8), at(5.8, answering=True)) == [
        TakeTurn(1.0, 4.5, 5.8, False)]
    t.understood()
    t.on_event(SpeechStarted(8.0), at(8.2))
    assert t.on_event(SpeechEnded(8.0, 8.5, 9.2), at(9.2)) == [TakeTurn(8.0, 8.5, 9.2, False)]


def test_no_guess_while_recognition_is_queued():
    t = TurnTaking()
    t.on_event(SpeechStarted(1.0), at(1.2))
    assert t.on_event(Pause(1.0, 1.8), at(1.95, recognition_busy=True)) == []
    assert t.on_event(SpeechEnded(1.0, 1.8, 2.5), at(2.5)) == [TakeTurn(1.0, 1.8, 2.5, False)]


def test_a_guess_from_an_earlier_pause_is_not_used():
    t = TurnTaking()
    t.on_event(SpeechStarted(1.0), at(1.2))
    t.on_event(Pause(1.0, 1.8), at(1.95))  # "nine four one..."
    # ... "zero seven": the caller went on, so the guess covers only part of the turn.
    assert t.on_event(SpeechEnded(1.0, 3.0, 4.3), at(4.3)) == [TakeTurn(1.0, 3.0, 4.3, False)]


def test_whole_words_at_the_pause_end_the_turn_between_frames():
    t = TurnTaking()
    t.on_event(SpeechStarted(1.0), at(1.2))
    t.on_event(Pause(1.0, 1.6), at(1.75))
    t.words_heard(1.6, complete=True)
    after = dict(in_speech=True, first_answer=False, languages=1)
    assert t.after_frame(at(1.9), **after) == [EndNow(1.6)]
    assert t.after_frame(at(1.92), **after) == []  # once


@pytest.mark.parametrize("case", ["incomplete", "stale", "after the end"])
def test_words_that_do_not_end_the_turn(case):
    t = TurnTaking()
    t.on_event(SpeechStarted(1.0), at(1.2))
    t.on_event(Pause(1.0, 1.6), at(1.75))
    if case == "incomplete":
        t.words_heard(1.6, complete=False)  # "nine four one"
    elif case == "stale":
        t.on_event(Pause(1.0, 2.4), at(2.55))  # the caller went on and paused again
        t.words_heard(1.6, complete=True)
    else:
        t.on_event(SpeechEnded(1.0, 1.6, 2.3), at(2.3))  # the silence ended it first
        t.words_heard(1.6, complete=True)
    assert t.after_frame(at(2.6), in_speech=True, first_answer=False, languages=1) == []


def test_the_first_answer_language_is_asked_once_a_second_in():
    t = TurnTaking()
    t.on_event(SpeechStarted(1.0), at(1.2))
    first = dict(in_speech=True, first_answer=True, languages=2)
    assert t.after_frame(at(1.9), **first) == []  # too little to tell yet
    assert t.after_frame(at(2.0, recognition_busy=True), **first) == []
    assert t.after_frame(at(2.02), **first) == [DetectLanguage(1.0, 2.02)]
    assert t.after_frame(at(2.5), **first) == []


@pytest.mark.parametrize("change", [dict(first_answer=False), dict(languages=1),
                                    dict(in_speech=False)])
def test_no_language_detection_when_it_cannot_matter(change):
    t = TurnTaking()
    t.on_event(SpeechStarted(1.0), at(1.2))
    assert t.after_frame(at(2.5), **{**dict(in_speech=True, first_answer=True,
                                            languages=2), **change}) == []


def test_keys_or_text_over_the_bot_interrupt_it():
    t = TurnTaking()
    assert t.on_typed(at(3.0)) == [CancelNoInput()]
    assert t.on_typed(at(4.0, **SPEAKING)) == [CancelNoInput(), Interrupt(None, None)]


def test_a_barge_in_after_the_reply_ended_does_nothing():
    t = TurnTaking()
    t.on_event(SpeechStarted(1.0), at(1.2))
    assert t.on_event(BargeIn(1.0, 1.5), at(1.5)) == []


def test_random_event_streams_never_lose_a_turn():
    """Whatever order the detector's events and the bot's state come in, every end of
    a turn that is not a backchannel under the bot's speech is taken, and no turn is
    taken twice for one end."""
    import random

    rng = random.Random(7)
    for _ in range(300):
        t = TurnTaking()
        stream = 0.0
        for _ in range(12):
            stream += rng.uniform(0.3, 3.0)
            left = rng.choice([0.0, 0.3, 0.9, 1.5, math.inf])
            state = dict(bot_speaking=left > 0, bot_time_left=left,
                         answering=rng.random() < 0.3, recognition_busy=rng.random() < 0.2)
            onset = stream
            if rng.random() < 0.5:
                t.on_event(VoiceOnset(onset, onset + 0.1), at(onset + 0.1, **state))
            t.on_event(SpeechStarted(onset), at(onset + 0.2, **state))
            if rng.random() < 0.5:
                t.on_event(BargeIn(onset, onset + 0.5), at(onset + 0.5, **state))
            stream += rng.uniform(0.3, 2.0)
            end_state = dict(state, bot_speaking=rng.random() < 0.5)
            actions = t.on_event(SpeechEnded(onset, stream, stream + 0.7),
                                 at(stream + 0.7, **end_state))
            taken = [a for a in actions if isinstance(a, TakeTurn)]
            backchannel = t.overlapped and not t.barged and end_state["bot_speaking"]
            assert len(taken) == (0 if backchannel else 1), (actions, state, end_state)
            if state["bot_time_left"] <= ANSWER_OVER_END_SECONDS or not state["bot_speaking"]:
                assert taken, "an answer begun at the reply's end or in silence was lost"
            if taken:
                assert taken[0].onset <= onset and taken[0].last_voiced == stream
                t.understood()
