"""Turn-taking through a whole call session on virtual time: the service's session,
listener, speaker, dialogue, records and carrier line, with scripted recognition,
synthesis and voice activity that take the time the real models take
(``scripted_call.py``). The end-to-end calls with the real models stay the proof;
these pin the timing cases down, the same way on every run."""

from __future__ import annotations

import pytest
from scripted_call import ScriptedCall

NAME_QUESTION = "full name"


def greeting(call: ScriptedCall):
    return next(e for e in call.session.transcript if e.speaker == "bot")


async def test_a_call_by_scripted_voice_agrees_a_plan(call):
    await call.bot_done()
    assert await call.turn(("Yes, that's right.", 0.8)) == "Yes, that's right."
    assert NAME_QUESTION in call.bot_lines()[-1]
    assert await call.turn(("Jane Doe.", 0.7)) == "Jane Doe."
    assert "ZIP" in call.bot_lines()[-1]
    # A postcode read with a pause in it is one turn, never cut off mid-number.
    assert await call.turn(("9 4 1", 1.0), 0.5, ("0 7", 0.7)) == "9 4 1 0 7"
    assert await call.turn(("I can pay 100 a month", 1.5)) == "I can pay 100 a month"
    assert "To confirm" in call.bot_lines()[-1]
    assert await call.turn(("yes I agree", 0.8)) == "yes I agree"
    outcome = call.session.dialogue.outcome()
    assert outcome.agreed and outcome.handoff == "payment"
    assert not call.events("no_input")
    # Whole answers end their turn at the pause, before the silence runs out.
    assert len(call.events("early_end")) >= 3
    for timing in call.session.timings.turns:
        assert timing.stages()["total"] < 2000, timing.stages()


@pytest.mark.parametrize("lead", [0.9, 0.6, 0.3, 0.1, -0.05])
async def test_a_short_answer_as_the_question_ends_is_never_lost(call, lead):
    """ "Yes." begun ``lead`` seconds before the greeting's question has finished playing
    (after it, when negative): the question plays out and the word is the answer."""
    if lead > 0:
        await call.until(lambda: call.bot_playing_for() > 0 and call.bot_time_left() <= lead)
    else:
        await call.until(lambda: call.bot_playing_for() > 1.0)
        await call.bot_done()
        await call.wait(-lead)
    assert await call.turn(("Yes.", 0.45)) == "Yes."
    assert NAME_QUESTION in call.bot_lines()[-1]
    assert not greeting(call).interrupted
    assert not call.events("hold") and not call.events("barge_in")
    assert not call.events("no_input") and not call.events("backchannel")


async def test_an_mm_hm_over_the_bot_holds_it_and_it_resumes(call):
    await call.until(lambda: call.bot_playing_for() > 1.0)
    call.say(("mm-hm", 0.3))
    await call.bot_done()
    assert call.events("hold") and call.events("resumed") == ["backchannel"]
    assert call.events("backchannel")
    assert not call.caller_lines()  # not a turn
    assert not greeting(call).interrupted  # the greeting was said to its end
    assert call.recognizer.heard == []  # and nothing was spent transcribing an "mm"


async def test_a_cough_over_the_bot_resumes_it(call):
    await call.until(lambda: call.bot_playing_for() > 1.0)
    call.say(("cough", 0.12))
    await call.bot_done()
    assert call.events("hold") and call.events("resumed") == ["noise"]
    assert not call.caller_lines() and not greeting(call).interrupted


async def test_an_interruption_stops_the_bot_within_a_quarter_second(call):
    await call.until(lambda: call.bot_playing_for() > 1.0)
    said = await call.turn(("Sorry, hold on, my reference is 1 0 0 2 0 0", 2.5))
    assert said == "Sorry, hold on, my reference is 1 0 0 2 0 0"
    assert len(call.session.timings.barge_in_ms) == 1
    assert call.session.timings.barge_in_ms[0] <= 250
    assert call.line.clears >= 1  # the carrier was told to drop what it held
    assert greeting(call).interrupted
    assert greeting(call).text != call.session.dialogue.start().text  # cut short


async def test_a_caller_who_pauses_mid_sentence_is_not_cut_off(call):
    await call.bot_done()
    await call.turn(("Yes, that's right.", 0.8))
    # Half a second into "I lost my job ... I can only do 60 a month": the words at the
    # pause are no whole answer, so the turn waits for the rest.
    said = await call.turn(("I lost my job", 0.9), 0.5, ("I can only do 60 a month", 1.4))
    assert said == "I lost my job I can only do 60 a month"
    assert not call.events("turn_continued")


async def test_recognition_queued_behind_other_calls_loses_no_turn(tmp_path):
    """One recognition worker busy with others' work: no guess is made, the turn waits
    for room, and what the caller said is still heard."""
    call = ScriptedCall(tmp_path)
    call.engines.stt_pool.pending = 2  # two other calls' jobs ahead (counted, not run)
    await call.start()
    try:
        await call.bot_done()
        assert await call.turn(("Yes, that's right.", 0.8)) == "Yes, that's right."
        assert call.recognizer.heard == ["Yes, that's right."]  # no speculative pass
        assert not call.events("early_end")
    finally:
        call.engines.stt_pool.pending = 0
        await call.close()
