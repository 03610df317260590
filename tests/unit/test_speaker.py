"""The speaker's framing, marks, pacing and barge-in bookkeeping, on virtual time.

The synthesizer here is a tone generator: these tests are about timing and
bookkeeping, not voices (the end-to-end tests use the real ones).
"""

import asyncio

import numpy as np

from voicebot.call.speaker import PLAYOUT_LEAD, Speaker
from voicebot.clock import FakeClock
from voicebot.engines.pool import WorkerPool


class ToneVoice:
    sample_rate = 8000
    identity = "tone"

    def synthesize(self, text: str) -> np.ndarray:
        seconds = 0.1 * len(text.split())  # 100 ms a word
        t = np.arange(int(seconds * self.sample_rate)) / self.sample_rate
        return (8000 * np.sin(2 * np.pi * 300 * t)).astype(np.int16)


class Recorder:
    def __init__(self, clock):
        self.clock = clock
        self.sent: list[tuple[float, str, object]] = []

    async def send_audio(self, ulaw: bytes) -> None:
        self.sent.append((self.clock.now(), "media", ulaw))

    async def send_mark(self, name: str) -> None:
        self.sent.append((self.clock.now(), "mark", name))

    async def clear(self) -> None:
        self.sent.append((self.clock.now(), "clear", None))


TEXT = "One two three four five. Six seven eight nine ten. Eleven twelve."


def make():
    clock = FakeClock(100.0)
    out = Recorder(clock)
    speaker = Speaker(out, ToneVoice(), WorkerPool("tts", 1, 4), clock)
    return clock, out, speaker


async def test_frames_marks_and_pacing():
    clock, out, speaker = make()
    first_audio = []
    utt = speaker.say(TEXT, on_first_audio=first_audio.append)
    while not utt.synthesis_done:
        await asyncio.sleep(0.001)
    media = [x for x in out.sent if x[1] == "media"]
    marks = [x[2] for x in out.sent if x[1] == "mark"]
    assert all(len(m[2]) == 160 for m in media)
    assert marks == ["u1.0", "u1.1", "u1.2"]
    assert first_audio == [100.0]
    # Sent at the pace it plays: never more than the lead ahead of the clock.
    total = len(media) * 0.02
    assert clock.now() - 100.0 >= total - PLAYOUT_LEAD - 0.021
    for index, (at, _, _) in enumerate(media):
        assert 100.0 + index * 0.02 - at <= PLAYOUT_LEAD + 1e-6
    assert speaker.speaking()  # the carrier has not confirmed playback yet


async def test_marks_confirm_what_was_heard():
    clock, out, speaker = make()
    utt = speaker.say(TEXT)
    while not utt.synthesis_done:
        await asyncio.sleep(0.001)
    for name in ("u1.0", "u1.1", "u1.2"):
        speaker.on_mark(name)
    assert not speaker.speaking()
    assert utt.heard == TEXT
    speaker.on_mark("u0.9")  # an old mark changes nothing


async def test_interrupt_keeps_only_what_was_heard():
    clock, out, speaker = make()
    utt = speaker.say(TEXT)
    # Let the first sentence play fully and the second one halfway.
    while len(utt.pieces) < 2 or not utt.pieces[1].sent_at:
        await asyncio.sleep(0.001)
    speaker.on_mark("u1.0")
    second = utt.pieces[1]
    clock._now = second.play_start + second.duration * 0.5
    heard = await speaker.interrupt()
    assert heard.startswith("One two three four five. Six seven")
    assert heard.endswith("…") and "Eleven" not in heard
    assert out.sent[-1][1] == "clear"
    assert utt.interrupted and not speaker.speaking()
    sent_after = len(out.sent)
    await asyncio.sleep(0.01)
    assert len(out.sent) == sent_after  # synthesis really stopped


async def test_missing_marks_fall_back_to_the_clock():
    clock, out, speaker = make()
    utt = speaker.say("Short one.")
    while not utt.synthesis_done:
        await asyncio.sleep(0.001)
    assert speaker.speaking()
    clock.advance(5.0)
    assert not speaker.speaking()
    assert (await speaker.wait_until_heard()) is utt
    assert utt.heard == "Short one."


class FailingVoice(ToneVoice):
    """A voice that cannot say one piece: the fault a consent must never survive."""

    def synthesize(self, text: str) -> np.ndarray:
        if "Six" in text:
            from voicebot.errors import EngineError

            raise EngineError("synthesis failed")
        return super().synthesize(text)


async def test_a_piece_that_cannot_be_said_is_reported_not_skipped_silently():
    clock = FakeClock(100.0)
    out = Recorder(clock)
    speaker = Speaker(out, FailingVoice(), WorkerPool("tts", 1, 4), clock)
    utt = speaker.say(TEXT)
    while not utt.synthesis_done:
        await asyncio.sleep(0.001)
    assert utt.failed == ["Six seven eight nine ten."]
    assert [p.text for p in utt.pieces] == ["One two three four five.", "Eleven twelve."]


async def test_a_pause_stops_the_audio_and_a_resume_says_the_cut_sentence_again():
    clock, out, speaker = make()
    utt = speaker.say(TEXT)
    while len(utt.pieces) < 2 or not utt.pieces[1].sent_at:
        await asyncio.sleep(0.001)
    speaker.on_mark("u1.0")
    second = utt.pieces[1]
    clock._now = second.play_start + second.duration * 0.4  # a cough, mid-sentence
    assert await speaker.pause()
    assert out.sent[-1][1] == "clear" and utt.paused
    assert speaker.speaking()  # the bot still holds the floor while it is weighed
    assert not await speaker.pause()  # once
    sent = len(out.sent)
    await asyncio.sleep(0.01)
    assert len(out.sent) == sent  # nothing more goes out while paused
    assert speaker.resume()
    while not utt.synthesis_done:
        await asyncio.sleep(0.001)
    marks = [x[2] for x in out.sent[sent:] if x[1] == "mark"]
    assert marks == ["u1.1.1", "u1.2.1"]  # the cut sentence from its start, then the rest
    for name in marks:
        speaker.on_mark(name)
    assert not speaker.speaking() and utt.heard == TEXT and not utt.interrupted
    assert utt.longest_gap == 0.0  # the pause is not a hole in the reply


async def test_a_paused_reply_the_caller_then_interrupts_keeps_what_was_heard_at_the_pause():
    clock, out, speaker = make()
    utt = speaker.say(TEXT)
    while not utt.pieces or not utt.pieces[0].sent_at:
        await asyncio.sleep(0.001)
    first = utt.pieces[0]
    clock._now = first.play_start + first.duration * 0.5
    assert await speaker.pause()
    clock.advance(0.4)  # the caller keeps talking: a real interruption
    heard = await speaker.interrupt()
    assert heard.startswith("One two") and heard.endswith("…")
    assert utt.interrupted and not speaker.speaking()
    assert [x[1] for x in out.sent].count("clear") == 1  # stopped once, at the pause


async def test_a_pause_after_the_last_piece_resumes_to_nothing():
    clock, out, speaker = make()
    utt = speaker.say("Short one.")
    while not utt.synthesis_done:
        await asyncio.sleep(0.001)
    speaker.on_mark("u1.0")
    assert not await speaker.pause()  # all heard: nothing to stop
