"""Redacting a text or a JSON-like structure, and telling early that card data
is being read."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from typing import Any

from voicebot.redaction.cards import _find_cards, _find_expiry, _find_security_codes
from voicebot.redaction.chains import find_linked_cards, run_windows
from voicebot.redaction.ibans import _find_ibans
from voicebot.redaction.lexicon import _NUMBERISH, CARD_NUMBER, EXPIRY, PLACEHOLDER, SECURITY_CODE
from voicebot.redaction.scan import _Scan
from voicebot.text.words import lang_of


@dataclass(frozen=True)
class Redaction:
    """The text with card data replaced, and which kinds of data were found."""

    text: str
    found: frozenset[str]


# What redaction leaves where card data was (an IBAN is not card data).
_CARD_PLACEHOLDERS = re.compile("|".join(
    re.escape(PLACEHOLDER[what]) for what in (CARD_NUMBER, SECURITY_CODE, EXPIRY)))


def prepare(text: str) -> str:
    """Unicode NFC, so "é" is one character however it was typed."""
    return text if unicodedata.is_normalized("NFC", text) else unicodedata.normalize("NFC", text)


def numberish(text: str, lang: str) -> bool:
    """Any figure or number word at all: the cheap test before a scan."""
    return _NUMBERISH[lang].search(text) is not None


def detect(scan: _Scan) -> None:
    """Mark every kind of card data in a scanned text, most specific first."""
    _find_ibans(scan)
    _find_cards(scan)
    find_linked_cards(scan)
    _find_security_codes(scan)
    _find_expiry(scan)


def _redact(text: str, lang: str) -> Redaction:
    if not numberish(text, lang):
        return Redaction(text, frozenset())
    scan = _Scan(text, lang)
    detect(scan)
    if not scan.spans:
        return Redaction(text, frozenset())
    rendered = scan.render()
    return Redaction(rendered.text, rendered.found)


# Nothing is cached: a cache would keep what callers said in memory.
def redact(text: str, language: str = "en") -> Redaction:
    """``text`` with card numbers, security codes, IBANs and expiry dates replaced.

    Stateless: one utterance or log line at a time. A call's caller turns go
    through a :class:`~voicebot.redaction.guard.CardGuard`, which also catches a
    number read over several turns.

    >>> redact("my card number is 4111 1111 1111 1111, thanks").text
    'my card number is [card number], thanks'
    """
    return _redact(prepare(text), lang_of(language))


def _looks(text: str, lang: str) -> bool:
    if _CARD_PLACEHOLDERS.search(text):
        return True
    if not numberish(text, lang):
        return False
    scan = _Scan(text, lang)
    _find_ibans(scan)  # an IBAN being read is not a card
    for run in scan.runs:
        if scan.card_ish(run) and (scan.card_said_close(run) or scan.card_said_before(run)):
            return True
        if len(run.digits) >= 13 and run_windows(run):
            return True
    if find_linked_cards(scan):
        return True
    return _find_security_codes(scan, any_digits=True)


def looks_like_card_data(text: str, language: str = "en") -> bool:
    """True as soon as the caller is reading card data, so the bot can stop them.

    That is: 8 or more digits after the word "card", a complete Luhn-valid card
    number (in one run or in pieces with words between), digits after "CVV",
    "security code", "cryptogramme"..., or a placeholder left by redaction (the
    text was redacted where it entered).
    """
    return _looks(prepare(text), lang_of(language))


def redact_obj(value: Any, language: str = "en") -> Any:
    """A copy of a JSON-like structure with every string redacted.

    Dicts, lists, tuples and sets are walked; a dict's key is read as the label of
    its value, so ``{"cvv": "123"}`` loses the code too. Other values are kept.
    """
    if isinstance(value, str):
        return redact(value, language).text
    if isinstance(value, dict):
        return {(_redact_key(k, language)): _redact_value(k, v, language)
                for k, v in value.items()}
    if isinstance(value, list):
        return [redact_obj(v, language) for v in value]
    if isinstance(value, tuple):
        items = [redact_obj(v, language) for v in value]
        return type(value)(*items) if hasattr(value, "_fields") else tuple(items)
    if isinstance(value, (set, frozenset)):
        return type(value)(redact_obj(v, language) for v in value)
    return value


def _redact_key(key: Any, language: str) -> Any:
    return redact(key, language).text if isinstance(key, str) else key


def _redact_value(key: Any, value: Any, language: str) -> Any:
    if isinstance(key, str) and isinstance(value, str):
        label = re.sub(r"[_\W]+", " ", key).strip() + ": "
        labelled = redact(label + value, language).text
        if labelled.startswith(label):
            return redact(labelled[len(label):], language).text
    return redact_obj(value, language)
