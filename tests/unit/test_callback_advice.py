"""A caller who is gone before the transfer is promised a call-back: the packet tells
the agent when the contact rules of the debtor's jurisdiction allow it."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from voicebot.clock import FakeClock
from voicebot.handoff import build_packet
from voicebot.settings import Settings
from voicebot.web.app import ServiceState

LOS_ANGELES = ZoneInfo("America/Los_Angeles")


@pytest.fixture
def state(tmp_path):
    return ServiceState(Settings.from_env({}, home=tmp_path), engines=None)


def packet(reference="100200", creditor="acme-telecom", verified=True):
    return build_packet(
        call_id="CA1", creditor_id=creditor, creditor_name="Acme Telecom", language="en",
        reason="payment", account_reference=reference, account_name="Jane Doe",
        verified=verified, decision=None, agreed=False, transcript=[],
        call_started=dt.datetime(2026, 12, 2, 4, 0, tzinfo=dt.UTC),
        handoff_requested=dt.datetime(2026, 12, 2, 4, 5, tzinfo=dt.UTC), turns=3, turn_ms=[])


def test_inside_calling_hours_a_call_back_is_allowed_now(state):
    noon_in_la = dt.datetime(2026, 12, 2, 20, 0, tzinfo=dt.UTC)
    advice = state.callback_advice(packet(), at=noon_in_la)
    assert advice.startswith("Call-back allowed now")


def test_at_night_it_says_when_the_calling_hours_open(state):
    ten_pm_in_la = dt.datetime(2026, 12, 3, 6, 0, tzinfo=dt.UTC)  # 22:00 on the 2nd
    advice = state.callback_advice(packet(), at=ten_pm_in_la)
    assert advice.startswith("Call back no earlier than 2026-12-03 08:00 America/Los_Angeles")


def test_a_flag_on_the_account_forbids_the_call_back(state):
    at = dt.datetime(2026, 12, 2, 20, 0, tzinfo=dt.UTC)
    state.records.set_flag("acme-telecom", "100200", "cease_contact", at=at - dt.timedelta(days=1))
    assert state.callback_advice(packet(), at=at).startswith("Do not call back")


def test_no_advice_without_a_verified_known_account(state):
    assert state.callback_advice(packet(verified=False)) is None
    assert state.callback_advice(packet(reference="999999")) is None


def state_on(tmp_path, clock):
    return ServiceState(Settings.from_env({}, home=tmp_path), engines=None, clock=clock)


def test_without_a_time_the_advice_is_for_now_on_the_service_clock(tmp_path):
    # 20:59:59 in Los Angeles: the last second of the calling hours.
    clock = FakeClock(wall=dt.datetime(2026, 12, 2, 20, 59, 59, tzinfo=LOS_ANGELES))
    state = state_on(tmp_path, clock)
    assert state.callback_advice(packet()).startswith("Call-back allowed now")
    clock.advance(2)
    assert state.callback_advice(packet()).startswith(
        "Call back no earlier than 2026-12-03 08:00 America/Los_Angeles")


def test_the_hours_open_by_local_time_on_the_night_clocks_spring_forward(tmp_path):
    # 22:00 PST on 2026-03-07; at 02:00 the clocks jump to 03:00 (PDT). The hours open
    # at 08:00 PDT: nine hours of real time later, not ten.
    clock = FakeClock(wall=dt.datetime(2026, 3, 7, 22, 0, tzinfo=LOS_ANGELES))
    state = state_on(tmp_path, clock)
    assert state.callback_advice(packet()).startswith(
        "Call back no earlier than 2026-03-08 08:00 America/Los_Angeles")
    clock.advance(9 * 3600 - 1)
    assert state.callback_advice(packet()).startswith("Call back no earlier than 2026-03-08")
    clock.advance(1)
    assert state.callback_advice(packet()).startswith("Call-back allowed now")
