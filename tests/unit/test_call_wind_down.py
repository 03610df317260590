"""A call when the service stops (``CallSession.wind_down``), on virtual time: the
exchange in progress finishes, the sentence being said is heard to its end, then the
caller is handed to a person with everything said so far."""

from __future__ import annotations

import pytest
from scripted_call import ScriptedCall

from voicebot.call.tasks import cancel, spawn

HANDOVER = "can see everything we've said"


def bot_entries(call: ScriptedCall):
    return [e for e in call.session.transcript if e.speaker == "bot"]


async def test_the_sentence_being_said_is_heard_to_its_end_before_the_hand_over(call):
    await call.until(lambda: call.bot_playing_for() > 1.0)  # in the greeting
    stopping = spawn(call.session.wind_down(30), "wind-down")
    await call.until(lambda: call.session.ended)
    await cancel(stopping)
    greeting, last = bot_entries(call)
    assert not greeting.interrupted and "Is that right?" in greeting.text
    assert HANDOVER in last.text and not last.interrupted
    assert call.session.dialogue.outcome().handoff == "service_restart"
    # The hand-over started only once the greeting had played out.
    assert call.events("handoff") == ["service_restart"]


async def test_a_turn_being_answered_is_answered_first(call):
    await call.bot_done()
    call.say(("Yes, that's right.", 0.8))
    await call.until(lambda: call.session.listener.in_speech)  # the caller's turn begins
    stopping = spawn(call.session.wind_down(30), "wind-down")
    await call.until(lambda: call.session.ended)
    await cancel(stopping)
    lines = [e.text for e in bot_entries(call)]
    assert "full name" in lines[1] and HANDOVER in lines[2], lines
    assert call.caller_lines() == ["Yes, that's right."]


async def test_a_caller_still_talking_at_the_deadline_is_handed_over_then(call):
    await call.bot_done()
    call.say(("I have been meaning to call you about all of this for a while", 12.0))
    await call.until(lambda: call.session.listener.in_speech)
    began = call.clock.now()
    stopping = spawn(call.session.wind_down(3), "wind-down")
    await call.until(lambda: any(HANDOVER in line for line in call.bot_lines()))
    assert call.clock.now() - began == pytest.approx(3, abs=0.2)
    await call.until(lambda: call.session.ended)
    await cancel(stopping)
    assert call.session.dialogue.outcome().handoff == "service_restart"


async def test_a_quiet_line_is_handed_over_at_once(call):
    await call.bot_done()
    began = call.clock.now()
    stopping = spawn(call.session.wind_down(30), "wind-down")
    await call.until(lambda: any(HANDOVER in line for line in call.bot_lines()))
    assert call.clock.now() - began < 0.5
    await call.until(lambda: call.session.ended)
    await cancel(stopping)


async def test_a_call_already_ending_is_left_to_end_as_it_was(call):
    await call.bot_done()
    await call.turn(("I want to speak to a person", 1.2))
    assert call.session.dialogue.outcome().handoff == "caller_asked_for_human"
    await call.session.wind_down(30)
    await call.until(lambda: call.session.ended)
    assert call.session.dialogue.outcome().handoff == "caller_asked_for_human"
    assert not any(HANDOVER in line for line in call.bot_lines())
