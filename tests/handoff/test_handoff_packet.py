"""The hand-off packet: its JSON form, the summary, the flags and the redaction hook."""

from __future__ import annotations

import datetime as dt
import json
import re
from dataclasses import dataclass
from typing import Any

import pytest
from handoff_support import CALL_SID, CARD, card_redact

from voicebot.dialogue.prompts import HANDOFF_REASONS
from voicebot.handoff import REASONS, HandoffPacket, build_packet
from voicebot.handoff.packet import MAX_TRANSCRIPT_ENTRIES, redact_packet

KEYS = {"id", "created_at", "call_id", "creditor", "language", "reason", "status", "account",
        "decision", "agreed", "summary", "transcript", "flags", "timing", "agent", "notes",
        "accepted_at", "completed_at", "connection"}


def test_json_form(make_packet, decision):
    packet = make_packet()
    data = json.loads(json.dumps(packet.to_dict()))
    assert set(data) == KEYS
    assert re.fullmatch(r"[0-9a-f]{32}", data["id"])
    assert data["created_at"] == "2026-11-26T15:01:15.000Z"
    assert dt.datetime.fromisoformat(data["created_at"]).tzinfo is not None
    assert data["call_id"] == CALL_SID
    assert data["creditor"] == {"id": "acme-telecom", "name": "Acme Telecom"}
    assert (data["language"], data["reason"], data["status"]) == ("en", "payment", "waiting")
    assert data["account"] == {"reference": "100200", "name": "Jane Doe", "verified": True}
    assert data["decision"] == decision.as_dict()
    assert data["agreed"] is True
    assert data["transcript"][1] == {"speaker": "caller", "text": "A hundred a month.",
                                     "at": 30.0, "interrupted": False}
    assert data["timing"] == {"call_started": "2026-11-26T15:00:00.000Z",
                              "handoff_requested": "2026-11-26T15:01:15.000Z",
                              "duration_seconds": 75.0, "turns": 9, "median_turn_ms": 900.0}
    assert (data["agent"], data["notes"], data["accepted_at"], data["completed_at"],
            data["connection"]) == (None, "", None, None, None)
    assert HandoffPacket.from_dict(data) == packet


def test_summary_is_built_from_the_facts(make_packet, decision):
    summary = make_packet().summary
    assert summary.startswith("Ready to take the first payment.")
    assert "Account 100200, identity verified." in summary
    assert f"Agreed plan: {decision.summary}" in summary

    unverified = make_packet(reason="identity_not_verified", verified=False, decision=None,
                             agreed=True)
    assert "identity NOT verified" in unverified.summary
    assert "No plan discussed." in unverified.summary
    assert unverified.agreed is False  # nothing to agree to

    proposed = make_packet(agreed=False, reason="caller_asked_for_human")
    assert "Proposed plan, not agreed:" in proposed.summary

    anonymous = make_packet(account_reference=None, reason="reference_not_obtained")
    assert anonymous.account is None
    assert "No account reference." in anonymous.summary


def test_flags_from_the_reason_the_plan_and_the_caller(make_packet, decision):
    assert make_packet(reason="dispute").flags == ["dispute"]
    assert make_packet(reason="vulnerability", flags=["third_party", "vulnerability"]).flags \
        == ["vulnerability", "third_party"]
    hardship = dict(decision.as_dict(), hardship=True, requires_human=True)
    packet = make_packet(reason="hardship_approval", decision=hardship)
    assert packet.flags == ["hardship"]
    assert "The plan needs a person's approval." in packet.summary
    assert "Flags: hardship." in packet.summary


def test_every_dialogue_reason_is_a_packet_reason():
    # stream_lost is the service's own: a call cut off from the bot (/twilio/continue).
    assert set(HANDOFF_REASONS) | {"hardship_approval", "stream_lost"} == set(REASONS)


def test_unknown_reason_is_refused(make_packet):
    with pytest.raises(ValueError, match="unknown hand-off reason 'bored'"):
        make_packet(reason="bored")


def test_takes_the_decision_object_and_transcript_objects(make_packet, decision):
    @dataclass
    class Entry:  # the shape of the call session's TranscriptEntry
        speaker: str
        text: str
        at: float
        interrupted: bool = False

    packet = make_packet(decision=decision,
                         transcript=[Entry("bot", "Hello.", 100.5),
                                     Entry("caller", "Hi.", 103.25, False),
                                     Entry("bot", "Your balance", 104.0, True)],
                         transcript_origin=100.0)
    assert packet.decision == decision.as_dict()
    assert [(e["at"], e["interrupted"]) for e in packet.transcript] == \
        [(0.5, False), (3.25, False), (4.0, True)]


def test_transcript_is_bounded(make_packet):
    lines = [{"speaker": "caller", "text": "x" * 5000, "at": i} for i in range(500)]
    packet = make_packet(transcript=lines)
    assert len(packet.transcript) == MAX_TRANSCRIPT_ENTRIES
    assert packet.transcript[-1]["at"] == 499
    assert all(len(e["text"]) == 2000 for e in packet.transcript)


def test_every_string_goes_through_the_redaction_hook(make_packet):
    seen: list[str] = []

    def spy(value: Any) -> Any:
        if isinstance(value, str):
            seen.append(value)
            return card_redact(value)
        if isinstance(value, dict):
            return {k: spy(v) for k, v in value.items()}
        if isinstance(value, list):
            return [spy(v) for v in value]
        return value

    packet = make_packet(
        account_name=f"Jane {CARD}",
        transcript=[{"speaker": "caller", "text": f"my card is {CARD}", "at": 1.0},
                    {"speaker": "caller", "text": "expiry 12/29", "at": 2.0}],
        redact=spy)
    assert CARD not in json.dumps(packet.to_dict())
    assert packet.transcript[0]["text"] == "my card is [card number]"
    assert packet.account["name"] == "Jane [card number]"
    assert "card_data_detected" in packet.flags
    assert "card data detected" in packet.summary
    assert packet.summary in seen  # the summary too
    assert "my card is " + CARD in seen
    assert "Acme Telecom" in seen  # structure text goes through it as well
    # Identifiers and dates are not free text: never rewritten.
    assert packet.id not in seen and packet.call_id not in seen


def test_clean_packets_get_no_card_flag(make_packet):
    assert "card_data_detected" not in make_packet(redact=card_redact).flags


def test_a_hook_that_changes_the_shape_is_refused(make_packet):
    with pytest.raises(TypeError, match="same keys"):
        make_packet(redact=lambda value: {"nothing": "left"})
    packet = make_packet()
    with pytest.raises(TypeError):
        redact_packet(packet, lambda value: "flattened")


def test_naive_datetimes_are_utc():
    packet = build_packet(call_id="CA1", creditor_id="c", creditor_name="C", language="fr",
                          reason="dispute", call_started=dt.datetime(2026, 1, 1, 12, 0, 0),
                          handoff_requested=dt.datetime(2026, 1, 1, 12, 0, 30))
    assert packet.timing["call_started"] == "2026-01-01T12:00:00.000Z"
    assert packet.timing["duration_seconds"] == 30.0
    assert packet.timing["median_turn_ms"] is None


def test_with_the_service_redactor(make_packet, decision):
    redaction = pytest.importorskip("voicebot.redaction")
    packet = make_packet(redact=redaction.redact_obj, transcript=[
        {"speaker": "caller", "text": "one zero zero two zero zero", "at": 3.0},
        {"speaker": "caller", "text": f"my card number is {CARD} expiry 12/29", "at": 9.0}])
    assert CARD not in json.dumps(packet.to_dict())
    assert "card_data_detected" in packet.flags
    assert packet.transcript[0]["text"] == "one zero zero two zero zero"  # a reference stays
    assert packet.decision == decision.as_dict()  # amounts and dates untouched
    assert packet.account == {"reference": "100200", "name": "Jane Doe", "verified": True}
