"""What an agent hears before the caller is connected: the packet's facts, nothing a
caller read out, no identifying detail, and no plan when collection must stop."""

from __future__ import annotations

import re

import pytest
from handoff_support import CARD, card_redact

from voicebot.dialogue.whisper import whisper_text
from voicebot.handoff.packet import no_redaction

NAME, REFERENCE = "Jane Doe", "100200"


def digits_of(text: str) -> str:
    return re.sub(r"\D", "", text)


def test_a_payment_handoff_says_the_plan_in_words(make_packet):
    text = whisper_text(make_packet())
    assert text == ("Hand-off from the assistant. Ready to take the first payment. Identity "
                    "verified. Agreed plan: 6 monthly payments, 480 dollars in all: 48 dollars "
                    "now, then 5 of 100 dollars, the last 32 dollars.")


def test_in_the_callers_language(make_packet):
    text = whisper_text(make_packet(language="fr", agreed=False))
    assert text.startswith("Transfert de l'assistant. Prêt pour le premier paiement. "
                           "Identité vérifiée. Plan proposé, non accepté : six paiements "
                           "mensuels, quatre cent quatre-vingts dollars au total")
    assert "le dernier de trente-deux dollars" in text
    assert whisper_text(make_packet(language="fr"), "en").startswith("Hand-off")


@pytest.mark.parametrize("redacted", [True, False])
def test_nothing_a_caller_read_out_and_nothing_identifying(make_packet, redacted):
    # Unredacted too: the whisper never reads the transcript, whatever is in it.
    packet = make_packet(
        transcript=[
            {"speaker": "caller", "text": f"my card is {CARD}, code 123", "at": 40.0},
            {"speaker": "caller", "text": "I live at 12 Elm Street, call me on 415 555 0100",
             "at": 50.0}],
        redact=card_redact if redacted else no_redaction,
        flags=[] if redacted else ["card_data_detected"])
    assert "card_data_detected" in packet.flags
    assert (CARD in str(packet.to_dict())) is not redacted
    text = whisper_text(packet)
    assert "The caller started reading card details: take payment only on the secure " \
           "payment line." in text
    for said in (NAME, "Jane", REFERENCE, "Elm", "Acme", "[card number]"):
        assert said not in text
    # The only figures are the plan's amounts and counts.
    assert set(re.findall(r"\d+", text)) <= {"6", "480", "48", "5", "100", "32"}
    assert digits_of(CARD) not in digits_of(text) and "4111" not in text


def test_identity_not_verified_comes_first(make_packet):
    text = whisper_text(make_packet(reason="identity_not_verified", verified=False,
                                    flags=["identity_mismatch"]))
    assert "Identity not verified: verify the caller before discussing the account." in text
    assert "An identity check did not match." in text
    assert "No account identified" in whisper_text(make_packet(account_reference=None))


@pytest.mark.parametrize(("reason", "flags", "warning"), [
    ("vulnerability", [], "Vulnerability flagged: no talk of money"),
    ("bankruptcy", [], "Bankruptcy mentioned: do not collect."),
    ("lawyer", [], "A lawyer was mentioned"),
    ("dispute", [], "The debt is disputed: collection of it is suspended."),
    ("validation", [], "collection is suspended until it is sent"),
    ("stop_contact", [], "The caller asked to stop contact."),
    ("account_flagged", ["attorney"], "The account has an attorney"),
    ("account_flagged", ["cease_contact"], "request to stop contact"),
])
def test_no_plan_when_collection_must_stop(make_packet, reason, flags, warning):
    text = whisper_text(make_packet(reason=reason, flags=flags))
    assert warning in text
    assert "plan" not in text.lower() and "dollars" not in text


def test_priority_and_hardship(make_packet):
    text = whisper_text(make_packet(reason="vulnerability", flags=["priority"]))
    assert text.startswith("Hand-off from the assistant. Priority call. Caller may be "
                           "vulnerable")
    text = whisper_text(make_packet(reason="hardship_approval"))
    assert "Financial hardship." in text and "It needs a person's approval." not in text


def test_no_plan_and_an_unreadable_plan(make_packet, decision):
    assert whisper_text(make_packet(decision=None, reason="caller_asked_for_human")).endswith(
        "Caller asked for a person. Identity verified. No plan was discussed.")
    broken = {**decision.as_dict(), "total": "a lot"}
    assert whisper_text(make_packet(decision=broken)).endswith("No plan was discussed.")
