"""Replies start when they can play to the end without a hole, whatever the
voice's speed; the plan is pure, the speaker is checked on virtual time."""

from __future__ import annotations

import numpy as np
import pytest

from tests.unit.virtual_time import TimedPool, VirtualClock
from voicebot.call.playout import BOUNDARY_TOLERANCE, PlannedPiece, earliest_start, plan_pieces
from voicebot.call.speaker import Speaker
from voicebot.engines.tts import SynthesisMeter, Voice

FRAME = 0.02
GREETING = ("Bonjour, vous êtes en ligne avec l'assistant automatisé de Northwind Energy. "
            "Cet appel peut être enregistré. J'ai votre numéro de dossier : trois, zéro, zéro, "
            "quatre, zéro, zéro. Est-ce bien cela ?")


def test_ready_pieces_start_now():
    pieces = [PlannedPiece(1.0, 5.0), PlannedPiece(2.0, 5.0)]
    assert earliest_start(5.0, pieces) == 5.0


def test_a_short_first_piece_waits_for_a_slow_second():
    # 0.6 s of "Bonjour," is ready; the next piece is ready in 2 s.
    pieces = [PlannedPiece(0.6, 0.0), PlannedPiece(3.5, 2.0)]
    start = earliest_start(0.0, pieces)
    assert start == pytest.approx(2.0 - 0.6 - BOUNDARY_TOLERANCE)


def test_the_latest_piece_decides():
    pieces = [PlannedPiece(1.0, 0.0), PlannedPiece(5.0, 0.5), PlannedPiece(1.0, 9.0)]
    # The third must be ready 6 s after the start.
    assert earliest_start(0.0, pieces) == pytest.approx(9.0 - 6.0 - BOUNDARY_TOLERANCE)


def test_pending_pieces_are_made_one_after_another():
    meter = SynthesisMeter(seconds_per_char=0.1, real_time_factor=0.5, overhead=0.1)
    planned = plan_pieces(10.0, [0.5, "x" * 10, "y" * 20], making_since=9.5, meter=meter,
                          gap=0.1)
    assert planned[0] == PlannedPiece(0.5, 10.0)
    first, second = planned[1:]
    assert first.duration == pytest.approx(1.0 + 0.1)  # followed by the gap
    assert second.duration == pytest.approx(2.0)  # the last: no gap
    assert first.ready_at == pytest.approx(9.5 + meter.synthesis_seconds("x" * 10))
    assert second.ready_at == pytest.approx(first.ready_at + meter.synthesis_seconds("y" * 20))


def test_the_meter_fits_overhead_and_speed():
    meter = SynthesisMeter()
    for seconds in (0.6, 3.8, 1.8, 0.9):  # like Kokoro: 0.06 s + 0.17 s a second
        meter.record("a" * int(seconds * 16), seconds, 0.06 + 0.17 * seconds)
    assert meter.real_time_factor == pytest.approx(0.17, abs=1e-6)
    assert meter.overhead == pytest.approx(0.06, abs=1e-6)
    assert meter.seconds_per_char == pytest.approx(1 / 16, rel=0.1)


def test_the_meter_learns_slowness_fast_and_speed_slowly():
    meter = SynthesisMeter()
    for seconds in (1.0, 3.0, 2.0, 1.0, 3.0):
        meter.record("a" * 50, seconds, 0.2 * seconds)
    assert meter.predict(3.0) == pytest.approx(0.6)
    meter.record("a" * 50, 3.0, 3.0)  # the machine got busy
    slow = meter.predict(3.0)
    assert slow > 0.6 + 0.6 * (3.0 - 0.6)
    meter.record("a" * 50, 3.0, 0.6)  # and quiet again
    assert slow > meter.predict(3.0) > 0.6 + 0.4 * (slow - 0.6)


def test_one_observation_gives_a_ratio():
    meter = SynthesisMeter()
    meter.record("Bonjour, merci de votre appel.", 2.0, 0.5)
    assert meter.predict(4.0) == pytest.approx(1.0)


class SpeechLikeVoice:
    """70 ms of tone a character, like speech; made at ``rtf`` on the virtual machine."""

    sample_rate = 8000
    identity = "speech-like"

    def __init__(self, rtf: float) -> None:
        self.rtf = rtf

    def synthesize(self, text: str) -> np.ndarray:
        t = np.arange(int(0.07 * len(text) * self.sample_rate)) / self.sample_rate
        return (8000 * np.sin(2 * np.pi * 300 * t)).astype(np.int16)

    def cost(self, fn, text, *, result) -> float:  # type: ignore[no-untyped-def]
        return 0.1 + self.rtf * len(result) / self.sample_rate


class Carrier:
    """Plays what it receives back to back, as a phone line does, and notes every hole."""

    def __init__(self, clock: VirtualClock) -> None:
        self.clock = clock
        self.frames: list[float] = []
        self.marks: list[str] = []

    async def send_audio(self, ulaw: bytes) -> None:
        self.frames.append(self.clock.now())

    async def send_mark(self, name: str) -> None:
        self.marks.append(name)

    async def clear(self) -> None:
        pass

    def holes(self) -> list[float]:
        """Silences the caller heard between the first and the last frame."""
        holes, runs_dry = [], None
        for at in self.frames:
            if runs_dry is not None and at > runs_dry + 1e-9:
                holes.append(at - runs_dry)
            runs_dry = max(runs_dry or at, at) + FRAME
        return holes


async def speak(rtf: float, text: str, *, warm: bool = True):
    clock = VirtualClock(100.0)
    voice = SpeechLikeVoice(rtf)
    metered = Voice(voice)
    if warm:  # as the engines do at start-up
        sample = "Bonjour, merci de votre appel."
        metered.meter.record(sample, 0.07 * len(sample), voice.cost(None, sample, result=np.zeros(
            int(0.07 * len(sample) * 8000))))
    carrier = Carrier(clock)
    speaker = Speaker(carrier, metered, TimedPool(clock, voice.cost), clock)
    utterance = speaker.say(text)
    await clock.run_until(lambda: utterance.synthesis_done)
    return carrier, utterance, metered


@pytest.mark.parametrize("rtf", [0.05, 0.2, 0.5, 0.8, 0.95])
async def test_a_reply_plays_without_holes_at_any_voice_speed(rtf):
    carrier, utterance, _ = await speak(rtf, GREETING)
    assert len(carrier.marks) == len(utterance.pieces) == 5
    assert max(carrier.holes(), default=0.0) <= BOUNDARY_TOLERANCE + FRAME
    # Nothing is held back much longer than a perfect forecast would: at most
    # the safety margin on the synthesis still to come.
    ideal, ready, offset = 0.0, 0.0, 0.0
    for index, piece in enumerate(utterance.pieces):
        seconds = 0.07 * len(piece.text)
        ready += 0.1 + rtf * seconds
        ideal = max(ideal, ready - offset - (BOUNDARY_TOLERANCE if index else 0.0))
        offset += piece.duration
    first = carrier.frames[0] - 100.0
    assert ideal - 1e-6 <= first <= ideal + 0.3 * ready + 0.05


async def test_a_fast_voice_starts_with_its_first_piece():
    carrier, utterance, metered = await speak(0.05, GREETING)
    first_piece = metered.synthesizer.cost(None, "Bonjour,", result=np.zeros(int(0.56 * 8000)))
    assert carrier.frames[0] - 100.0 == pytest.approx(first_piece, abs=0.01)


async def test_the_old_way_would_have_left_a_hole():
    """Guard on the test itself: with the voice this slow, starting at once opens a hole."""
    rtf = 0.8
    first_ready = 0.1 + rtf * 0.07 * len("Bonjour,")
    second = "vous êtes en ligne avec l'assistant automatisé de Northwind Energy."
    second_ready = first_ready + 0.1 + rtf * 0.07 * len(second)
    assert second_ready - first_ready > 0.07 * len("Bonjour,") + 0.12 + BOUNDARY_TOLERANCE
    carrier, _, _ = await speak(rtf, GREETING)
    assert carrier.frames[0] - 100.0 > first_ready + 0.2  # it waited


async def test_an_unmeasured_voice_learns_within_the_reply():
    carrier, _, metered = await speak(0.5, GREETING, warm=False)
    assert metered.meter.samples == 5
    assert metered.meter.real_time_factor == pytest.approx(0.5, abs=0.01)
    assert metered.meter.overhead == pytest.approx(0.1, abs=0.01)
    assert max(carrier.holes(), default=0.0) <= BOUNDARY_TOLERANCE + FRAME
