"""Fixed phrases: which pieces are fixed, how they are kept, and that a reply
made of them plays at once without synthesis."""

from __future__ import annotations

import numpy as np
import pytest

from tests.unit.test_playout import Carrier, SpeechLikeVoice
from tests.unit.virtual_time import TimedPool, VirtualClock
from voicebot.call.phrases import fixed_pieces, prerender, service_phrases
from voicebot.call.playout import BOUNDARY_TOLERANCE
from voicebot.call.speaker import Speaker
from voicebot.call.text import split_for_speech
from voicebot.dialogue.prompts import Prompts, load_prompts
from voicebot.engines.phrases import PhraseCache
from voicebot.engines.pool import WorkerPool
from voicebot.engines.tts import Voice
from voicebot.policy import load_policies
from voicebot.settings import PROJECT_ROOT


def prompts(**templates: str) -> Prompts:
    return Prompts(version="t", language="en", system="s", templates=templates)


def test_pieces_with_caller_data_are_never_fixed():
    p = prompts(
        balance="Thank you, {name}. Your balance with {creditor} is {balance}.",
        confirm="To confirm: {plan}. That is {total} in total.",
        ask="Do you agree to this plan?",
    )
    pieces = fixed_pieces(p, ["Acme Telecom"])
    assert "Do you agree to this plan?" in pieces
    assert "To confirm:" in pieces  # cut off a long plan, it stands alone
    assert all("\x00" not in piece for piece in pieces)
    assert not any("balance with" in piece for piece in pieces)  # holds {balance}
    assert not any("Thank you," in piece and len(piece) > len("Thank you,") for piece in pieces)


def test_the_creditors_name_is_filled_in():
    p = prompts(greeting="Hello, this is the assistant of {creditor}. How can I help?")
    pieces = fixed_pieces(p, ["Acme Telecom", "Contoso Bank"])
    assert "Hello," in pieces  # the first piece of a reply is cut short
    assert "this is the assistant of Acme Telecom." in pieces
    assert "Hello, this is the assistant of Contoso Bank." in pieces  # later in a reply


@pytest.mark.parametrize("language", ["en", "fr"])
def test_the_shipped_prompts_cover_whole_fixed_replies(language):
    p = load_prompts(PROJECT_ROOT / "prompts", language)
    wanted = service_phrases({language: p}, load_policies(PROJECT_ROOT / "policies").values())
    pieces = set(wanted[language])
    for name in ("ask_name", "ask_postcode", "ask_consent", "agreed", "handoff_payment",
                 "no_input", "not_understood"):
        text = p.render(name)
        assert set(split_for_speech(text)) <= pieces, name
    assert not any(ch.isdigit() for piece in pieces for ch in piece)


def test_the_cache_keeps_audio_on_disk_per_voice(tmp_path):
    first = PhraseCache("voice-a", tmp_path)
    first.put("Hello.", b"\x01\x02")
    assert first.get("Hello.") == b"\x01\x02"
    again = PhraseCache("voice-a", tmp_path)  # a restart
    assert again.get("Hello.") == b"\x01\x02"
    assert PhraseCache("voice-b", tmp_path).get("Hello.") is None  # another voice
    assert not list(tmp_path.rglob("*.part"))


def test_the_cache_is_bounded_and_survives_a_read_only_disk(tmp_path, caplog):
    cache = PhraseCache("v", tmp_path, max_bytes=10)
    cache.put("a", b"x" * 8)
    cache.put("b", b"y" * 8)  # over the bound: not kept
    assert cache.get("b") is None and len(cache) == 1
    blocked = tmp_path / "file"
    blocked.write_text("not a directory")
    cache = PhraseCache("v", blocked)
    cache.put("a", b"x")
    cache.put("b", b"y")
    assert cache.get("a") == b"x" and cache.get("b") == b"y"
    assert sum("memory only" in r.message for r in caplog.records) == 1


async def test_prerender_makes_what_is_missing_once(tmp_path):
    voice = Voice(SpeechLikeVoice(0.1), PhraseCache("speech-like", tmp_path))
    pool = WorkerPool("tts", 1, 4)
    try:
        assert await prerender(voice, ["Hello.", "Goodbye."], pool) == 2
        assert await prerender(voice, ["Hello.", "Goodbye."], pool) == 0
    finally:
        pool.shutdown()
    assert len(voice.phrases.get("Hello.") or b"") == int(0.07 * 6 * 8000)


async def test_a_reply_of_fixed_phrases_plays_at_once_without_synthesis():
    clock = VirtualClock(100.0)
    synth = SpeechLikeVoice(0.9)  # a very slow voice
    voice = Voice(synth)
    text = "Thank you. And what is the ZIP code on the account?"
    for piece in split_for_speech(text):
        voice.phrases.put(piece, bytes(np.full(int(0.07 * len(piece) * 8000), 0x7F, np.uint8)))
    pool = TimedPool(clock, synth.cost)
    carrier = Carrier(clock)
    speaker = Speaker(carrier, voice, pool, clock)
    utterance = speaker.say(text)
    await clock.run_until(lambda: utterance.synthesis_done)
    assert pool.jobs == 0
    assert carrier.frames[0] == 100.0 and not carrier.holes()


async def test_fixed_and_new_pieces_mix_without_holes():
    clock = VirtualClock(100.0)
    synth = SpeechLikeVoice(0.8)
    voice = Voice(synth)
    voice.meter.record("warm up phrase", 1.0, 0.9)
    text = ("To confirm: 3 monthly payments of 60 dollars starting today, and a last payment "
            "of 56 dollars 40 on March 1st. Do you agree to this plan?")
    for piece in ("To confirm:", "Do you agree to this plan?"):
        voice.phrases.put(piece, bytes(np.full(int(0.07 * len(piece) * 8000), 0x7F, np.uint8)))
    pool = TimedPool(clock, synth.cost)
    carrier = Carrier(clock)
    speaker = Speaker(carrier, voice, pool, clock)
    utterance = speaker.say(text)
    await clock.run_until(lambda: utterance.synthesis_done)
    assert pool.jobs == len(utterance.pieces) - 2
    assert max(carrier.holes(), default=0.0) <= BOUNDARY_TOLERANCE + 0.02
