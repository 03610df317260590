"""A stream's real-time budget, capped gap filling and call slots, on virtual time."""

from __future__ import annotations

import numpy as np
import pytest

from voicebot.call.listener import MAX_GAP_FILL, Listener
from voicebot.clock import FakeClock
from voicebot.errors import ProtocolError
from voicebot.telephony.budget import BudgetConfig, StreamBudget, TokenBucket
from voicebot.telephony.events import AudioReceived, CallStarted, DigitPressed, MarkPlayed
from voicebot.turns.detector import TurnConfig
from voicebot.turns.vad import WINDOW
from voicebot.web.twilio_stream import CallSlots

FRAME = AudioReceived(b"\xff" * 160, 0)  # 20 ms of mu-law


def test_token_bucket_refills_at_its_rate_up_to_its_burst():
    bucket = TokenBucket(rate=10, burst=5, now=0.0)
    assert bucket.take(5, 0.0) and not bucket.take(1, 0.0)
    assert bucket.grant(3, 0.2) == pytest.approx(2.0)  # two came back in 0.2 s
    assert bucket.level(100.0) == 5  # never more than the burst
    assert not bucket.take(6, 100.0) and bucket.take(5, 100.0)
    assert bucket.level(50.0) == 0  # a clock read out of order adds nothing


def test_spending_into_debt_says_how_long_to_wait():
    bucket = TokenBucket(rate=10, burst=5, now=0.0)
    assert bucket.spend(5, 0.0) == 0.0
    assert bucket.spend(2, 0.0) == pytest.approx(0.2)
    assert bucket.level(0.1) == pytest.approx(-1.0)
    assert bucket.spend(0, 0.2) == 0.0


def test_a_stream_at_line_rate_is_never_held_back():
    budget = StreamBudget(now=0.0)
    now = 0.0
    for n in range(50 * 600):  # ten minutes, a frame every 20 ms, with jitter
        now += 0.02
        assert budget.charge([FRAME], now + (0.015 if n % 7 == 0 else 0.0)) == 0.0
    assert budget.held_back == 0.0


def test_a_late_clump_of_frames_within_the_burst_is_read_at_once():
    budget = StreamBudget(now=0.0)
    # Two seconds of nothing, then the two seconds of frames all at once.
    assert all(budget.charge([FRAME], 2.0) == 0.0 for _ in range(100))


def test_a_backlog_after_a_long_stall_drains():
    budget = StreamBudget(now=0.0)
    now = 0.0
    for _ in range(250):  # five seconds of frames arrive at once after a stall
        now += budget.charge([FRAME], now)
    behind = now - 0.0
    assert 2.5 < behind < 3.0  # the burst covered two of the five seconds
    # Then the carrier goes on at line rate: the reader catches up with it.
    arrival = 5.0
    while arrival < 60:
        arrival += 0.02
        now = max(now, arrival) + budget.charge([FRAME], max(now, arrival))
    assert now - arrival < 0.05


def test_a_flood_is_read_no_faster_than_line_rate():
    budget = StreamBudget(now=0.0)
    now, frames = 0.0, 0
    while now < 30.0:  # a client that always has the next frame ready
        now += budget.charge([FRAME], now)
        frames += 1
    # Two seconds of burst, then 110% of line rate: 50 frames of 20 ms a second.
    assert frames <= 100 + 30 * 55 + 1
    assert budget.held_back > 25


def test_tiny_frames_cost_at_least_ten_milliseconds():
    budget = StreamBudget(now=0.0)
    tiny = AudioReceived(b"\xff", 0)
    assert sum(budget.charge([tiny], 0.0) == 0.0 for _ in range(1000)) == 200  # 2 s of burst


def test_other_frames_have_their_own_budget():
    budget = StreamBudget(now=0.0, config=BudgetConfig(other_frames_burst=10,
                                                       other_frames_per_second=20))
    assert budget.charge([CallStarted("MZ1", "CA1")], 0.0) == 0.0
    waits = [budget.charge([MarkPlayed("m")], 0.0) for _ in range(9)]
    assert waits == [0.0] * 9
    assert budget.charge([DigitPressed("1")], 0.0) == pytest.approx(0.05)
    assert budget.charge([], 0.0) == pytest.approx(0.1)  # a frame that gave no event
    assert budget.charge([FRAME], 0.0) == 0.0  # audio is counted apart


class CountingVad:
    """Counts the samples it is asked to look at; never hears speech."""

    def __init__(self) -> None:
        self.samples = 0

    def push(self, samples: np.ndarray) -> list[float]:
        self.samples += len(samples)
        windows = self.samples // WINDOW - (self.samples - len(samples)) // WINDOW
        return [0.0] * windows


def test_gap_filling_is_capped_per_second_of_wall_time():
    vad = CountingVad()
    listener = Listener(vad, TurnConfig())
    payload = b"\xff" * 160
    # A hostile stream: every frame claims the longest gap, 500 frames in one second.
    ts = 0
    for i in range(500):
        listener.push_ulaw(payload, ts, now=i / 500)
        ts += 20 + int(MAX_GAP_FILL * 1000)
    heard = listener.now
    # 10 s of frames plus at most the burst and one second's worth of silence.
    assert heard <= 500 * 0.02 + MAX_GAP_FILL + 1.0 + 0.1, heard
    assert listener.gap_seconds_refused > 900


def test_gaps_of_an_honest_stream_are_filled_in_full():
    listener = Listener(CountingVad(), TurnConfig())
    payload = b"\xff" * 160
    now, ts = 0.0, 0
    for i in range(1500):  # 30 s; every tenth packet lost
        now += 0.02
        ts += 20
        if i % 10 != 3:
            listener.push_ulaw(payload, ts, now=now)
    assert listener.gap_seconds_refused == 0
    assert listener.now == pytest.approx(30.0, abs=0.05)


def test_call_slots_are_held_from_accept_and_keyed_by_the_server():
    slots = CallSlots(max_calls=3, clock=FakeClock())
    first, second = slots.reserve(), slots.reserve()
    assert first and second and first.id != second.id
    assert slots.held == 2 and slots.waiting == 2
    first.claim("CA1")
    third = slots.reserve()
    assert third is not None and slots.held == 3 and slots.waiting == 2
    assert slots.reserve() is None  # every slot held, though one call has started
    with pytest.raises(ProtocolError) as raised:
        second.claim("CA1")
    assert raised.value.close_code == 1008 and "already on another stream" in str(raised.value)
    assert len(slots) == 0  # no session attached yet
    first.attach(object())  # type: ignore[arg-type]
    assert list(slots) == [first.id] and len(slots) == 1
    first.release()
    first.release()  # twice is harmless
    assert slots.held == 2 and len(slots) == 0


def test_streams_that_never_start_make_room_after_a_second():
    clock = FakeClock()
    slots = CallSlots(max_calls=3, max_waiting=2, clock=clock)
    idle = [slots.reserve(), slots.reserve()]
    assert slots.reserve() is None  # two waiting, neither for long: a burst of real calls
    clock.advance(1.5)
    newcomer = slots.reserve()  # the one that has waited longest goes
    assert newcomer is not None and idle[0].evicted.is_set() and not idle[1].evicted.is_set()
    assert slots.held == 2 and slots.evictions == 1
    with pytest.raises(ProtocolError):
        idle[0].claim("CA0")  # too late: its slot was given away
    newcomer.claim("CA1")
    idle[1].claim("CA2")
    late = slots.reserve()
    assert late is not None and slots.held == 3
    clock.advance(1.5)
    last = slots.reserve()  # every slot full: the silent one makes room
    assert last is not None and late.evicted.is_set()
    last.claim("CA3")
    clock.advance(10)
    assert slots.held == 3 and slots.waiting == 0
    assert slots.reserve() is None  # every slot holds a call: refused


def test_one_address_reopening_sockets_cannot_hold_the_door():
    clock = FakeClock()
    slots = CallSlots(max_calls=4, clock=clock)
    calls = [slots.reserve("198.51.100.1"), slots.reserve("198.51.100.2")]
    for n, slot in enumerate(calls):
        assert slot is not None
        slot.claim(f"CA{n}")
    hostile = [slots.reserve("203.0.113.9"), slots.reserve("203.0.113.9")]
    assert all(hostile) and slots.reserve("203.0.113.9") is None  # its own turn: wait
    # A caller from elsewhere gets in at once: the busiest address's oldest goes.
    carrier = slots.reserve("198.51.100.3")
    assert carrier is not None and hostile[0].evicted.is_set() and not hostile[1].evicted.is_set()
    carrier.claim("CA3")
    # One waiting stream per address is no crowd: the age rule applies again.
    assert slots.reserve("198.51.100.4") is None
    clock.advance(1.5)
    assert slots.reserve("198.51.100.4") is not None and hostile[1].evicted.is_set()


def test_an_address_whose_streams_never_start_gives_way_at_the_last_slot():
    clock = FakeClock()
    slots = CallSlots(max_calls=3, clock=clock)
    for n in range(2):
        live = slots.reserve("198.51.100.1")
        assert live is not None
        live.claim(f"CA{n}")
    # The last free slot, taken over and over by one address that never starts a call.
    for _ in range(3):
        silent = slots.reserve("203.0.113.9")
        assert silent is not None
        clock.advance(0.3)
        silent.release()  # closed without a start
    squatter = slots.reserve("203.0.113.9")
    assert squatter is not None
    clock.advance(0.2)  # young: the age rule alone would refuse the caller
    caller = slots.reserve("198.51.100.7")
    assert caller is not None and squatter.evicted.is_set()
    # A newcomer from that same address still waits its turn.
    caller.claim("CA9")
    assert slots.reserve("203.0.113.9") is None
