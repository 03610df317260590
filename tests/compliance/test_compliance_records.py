"""Contact-history records as JSON gives them: what is read, and what is refused."""

from __future__ import annotations

import pytest
from compliance_support import utc

from voicebot.compliance import (
    Attempt,
    Consent,
    Conversation,
    Direction,
    Flag,
    FlagRecord,
    RecordError,
    from_dict,
)


def test_an_attempt_with_defaults():
    record = from_dict({"kind": "attempt", "at": "2026-11-02T08:00:00-08:00",
                        "account": "100200"})
    assert record == Attempt(utc("2026-11-02 16:00"), "100200", "100200",
                             Direction.OUTBOUND, consented=False)


def test_every_kind_with_every_field():
    call = from_dict({"kind": "attempt", "at": "2026-11-02T16:00:00Z", "account": "1",
                      "debt": "d", "direction": "inbound", "consented": True})
    assert (call.debt, call.direction, call.consented) == ("d", Direction.INBOUND, True)
    talk = from_dict({"kind": "conversation", "at": "2026-11-02T16:00:00Z", "account": "1",
                      "debt": "d"})
    assert talk == Conversation(utc("2026-11-02 16:00"), "1", "d")
    consent = from_dict({"kind": "consent", "at": "2026-11-02T16:00:00+00:00", "account": "1"})
    assert consent == Consent(utc("2026-11-02 16:00"), "1", "1")
    flag = from_dict({"kind": "flag", "at": "2026-11-02T16:00:00Z", "account": "1",
                      "flag": "lawyer", "cleared_at": "2026-11-03T16:00:00Z"})
    assert flag == FlagRecord(Flag.ATTORNEY, "1", utc("2026-11-02 16:00"),
                              utc("2026-11-03 16:00"))


OK = {"kind": "attempt", "at": "2026-11-02T16:00:00Z", "account": "1"}


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ([], "expected a JSON object, got list"),
        ({**OK, "kind": "letter"},
         "kind: expected one of attempt, conversation, consent, flag, got 'letter'"),
        ({**OK, "kind": "call"}, "kind: expected one of"),
        ({**OK, "kind": None}, "kind: expected one of"),
        ({**OK, "whom": "x"}, "unknown field(s) for attempt records: whom"),
        ({**OK, "at": "2026-11-02T16:00:00"}, "at: '2026-11-02T16:00:00' has no UTC offset"),
        ({**OK, "at": "yesterday"}, "at: not an ISO 8601 time: 'yesterday'"),
        ({**OK, "at": 1762099200}, "at: expected an ISO 8601 time as text"),
        ({k: v for k, v in OK.items() if k != "at"}, "at: expected an ISO 8601 time as text"),
        ({**OK, "account": ""}, "account: expected non-empty text"),
        ({**OK, "account": 100200}, "account: expected non-empty text, got 100200"),
        ({**OK, "direction": "sideways"}, "direction: expected outbound or inbound"),
        ({**OK, "kind": "conversation", "direction": "inbound"},
         "unknown field(s) for conversation records: direction"),
        ({**OK, "consented": 1}, "consented: expected true or false, got 1"),
        ({**OK, "kind": "flag", "flag": "angry"}, "unknown flag 'angry' (known: dispute"),
        ({**OK, "kind": "flag"}, "flag: expected non-empty text"),
        ({**OK, "kind": "flag", "flag": "dispute", "cleared_at": "2026-11-01T00:00:00Z"},
         "cleared_at: before the flag was set"),
        ({**OK, "kind": "consent", "consented": True},
         "unknown field(s) for consent records: consented"),
    ],
)
def test_bad_records_are_refused_with_the_field(data, message):
    with pytest.raises(RecordError) as caught:
        from_dict(data)
    assert str(caught.value).startswith(message), caught.value
