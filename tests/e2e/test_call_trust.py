"""Hearing callers right, by voice: distress, a hedge at the read-back and a third
party, through the whole pipeline (streamdouble caller -> speech recognition ->
dialogue -> speech -> what the caller heard)."""

from __future__ import annotations

import asyncio

import pytest

from tests.conftest import read_wav
from tests.e2e.helpers import call, dialogue, spoken_digits, transcribe
from tests.e2e.test_call import turn
from voicebot.engines.stt import transcribe_recording

pytestmark = [pytest.mark.e2e, pytest.mark.models]

GREETING = [{"wait": 2.0}, {"wait_for": {"event": "quiet", "timeout": 30}}]
JANE = [*turn("en_jane_yes.wav"), *turn("en_jane_name.wav"), *turn("en_jane_zip.wav")]


async def after_call(server, steps, params, before: int, out=None) -> dict:
    """Place a call, then wait until the service has finished with it (its last words,
    its transfer) and return its record."""
    await call(server.ws, steps, params, out=out)
    for _ in range(120):
        calls = server.api("/api/calls/recent")
        if len(calls) > before:
            return calls[-1]
        await asyncio.sleep(0.25)
    raise AssertionError("the call never finished")


def calls_so_far(server) -> int:
    return len(server.api("/api/calls/recent"))


def packet_of(server, record) -> dict:
    [packet] = [p for p in server.api("/api/handoffs")["handoffs"]
                if p["call_id"] == record["call_id"]]
    return packet


async def test_distress_by_voice_stops_collection_and_gets_a_priority_hand_off(
        server, recognizer, tmp_path):
    reply = tmp_path / "reply.wav"
    # The reply (acknowledgement, support line, hand-off) takes about 17 s to say.
    record = await after_call(server, [*GREETING, *JANE, {"say": "en_jane_ending_my_life.wav"},
                                       {"wait": 24}],
                              {"creditor": "acme-telecom", "account": "100200"},
                              calls_so_far(server), out=reply)
    assert record["handoff"] == "vulnerability", dialogue(record)
    assert "vulnerability" in record["flags"] and record["priority"] is True
    packet = packet_of(server, record)
    assert packet["reason"] == "vulnerability" and packet["flags"][0] == "priority"
    last = record["transcript"][-1]["text"]
    assert "9 8 8" in last and "How would you like" not in last
    heard = transcribe(recognizer, reply, "en").lower()
    assert "sorry" in heard and "colleague" in heard
    assert "988" in spoken_digits(heard, "en")


async def test_a_hedge_at_the_read_back_is_not_consent_by_voice(server, recognizer, tmp_path):
    reply = tmp_path / "reply.wav"
    record = await after_call(server, [*GREETING, *JANE, *turn("en_jane_100_a_month.wav"),
                                       *turn("en_jane_not_sure.wav")],
                              {"creditor": "acme-telecom", "account": "100200"},
                              calls_so_far(server), out=reply)
    assert record["agreed"] is False and record["handoff"] is None, dialogue(record)
    last_words = [t["text"] for t in record["transcript"][-4:]]
    assert "no rush" in record["transcript"][-1]["text"], last_words
    assert "no rush" in transcribe(recognizer, reply, "en").lower()


async def test_a_third_party_by_voice_learns_nothing(server, recognizer, tmp_path):
    reply = tmp_path / "reply.wav"
    record = await after_call(server, [*GREETING, {"say": "en_calling_for_jane.wav"},
                                       {"wait": 12}],
                              {"creditor": "acme-telecom", "account": "100200"},
                              calls_so_far(server), out=reply)
    assert "third_party" in record["flags"], dialogue(record)
    assert record["decision"] is None
    heard = transcribe(recognizer, reply, "en").lower()
    assert "account holder" in heard
    assert "480" not in spoken_digits(heard, "en") and "debt collector" not in heard


async def test_distress_in_french_by_voice(server, recognizer, tmp_path):
    reply = tmp_path / "reply.wav"
    record = await after_call(server, [*GREETING, *turn("fr_oui.wav"),
                                       {"say": "fr_marie_suicidaire.wav"}, {"wait": 24}],
                              {"creditor": "northwind-energy", "account": "300400"},
                              calls_so_far(server), out=reply)
    assert record["handoff"] == "vulnerability", dialogue(record)
    assert "31 14" in record["transcript"][-1]["text"]
    assert "conseiller" in transcribe(recognizer, reply, "fr").lower()


async def test_a_french_caller_on_an_english_line_is_answered_in_french(server, recognizer,
                                                                        tmp_path):
    reply = tmp_path / "reply.wav"
    record = await after_call(server, [*GREETING, *turn("fr_bonjour_facture.wav")],
                              {"creditor": "acme-telecom"}, calls_so_far(server), out=reply)
    last = record["transcript"][-1]["text"]
    assert "anglais" in last and "conseiller" in last, dialogue(record)
    # What the caller heard last (the greeting before it was in English), in French.
    tail = read_wav(reply)[-12 * 16_000:]
    assert "conseiller" in transcribe_recording(recognizer, tail, "fr").lower()


AGREE = [*GREETING, *JANE, *turn("en_jane_100_a_month.wav"), {"say": "en_jane_agree.wav"}]


async def test_an_agreed_plan_survives_a_hang_up_during_the_confirmation(server,
                                                                         twilio_recorder):
    # The caller hangs up two seconds into "Thank you, your plan is agreed...".
    record = await after_call(server, [*AGREE, {"wait": 2.5}, "hangup"],
                              {"creditor": "acme-telecom", "account": "100200"},
                              calls_so_far(server))
    assert record["agreed"] is True, dialogue(record)
    packet = packet_of(server, record)
    assert packet["agreed"] and packet["decision"]["instalment_amount"] == "100.00"
    assert packet["status"] == "fallback" and "Call back" in packet["notes"]
    assert not [r for r in twilio_recorder.requests if record["call_id"] in r["path"]]


async def test_talking_over_the_confirmation_still_moves_the_call(server, twilio_recorder):
    record = await after_call(server, [*AGREE, {"wait": 3.0}, {"say": "en_interrupt.wav"},
                                       {"wait": 8}],
                              {"creditor": "acme-telecom", "account": "100200"},
                              calls_so_far(server))
    assert record["agreed"] is True, dialogue(record)
    assert packet_of(server, record)["agreed"]
    assert [r for r in twilio_recorder.requests if record["call_id"] in r["path"]]
    said = " ".join(t["text"] for t in record["transcript"] if t["speaker"] == "bot")
    assert "didn't catch that" not in said.split("your plan is agreed")[-1]
