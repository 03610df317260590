"""Redacting a text or a JSON-like structure, and telling early that card data
is being read."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from voicebot.redaction.cards import _find_cards, _find_expiry, _find_security_codes, _luhn_windows
from voicebot.redaction.ibans import _find_ibans
from voicebot.redaction.lexicon import _NUMBERISH, PLACEHOLDER
from voicebot.redaction.scan import _Scan
from voicebot.text.words import lang_of


@dataclass(frozen=True)
class Redaction:
    """The text with card data replaced, and which kinds of data were found."""

    text: str
    found: frozenset[str]



def _prepare(text: str) -> str:
    return text if unicodedata.is_normalized("NFC", text) else unicodedata.normalize("NFC", text)


def _redact(text: str, lang: str) -> Redaction:
    if not _NUMBERISH[lang].search(text):
        return Redaction(text, frozenset())
    scan = _Scan(text, lang)
    _find_ibans(scan)
    _find_cards(scan)
    _find_security_codes(scan)
    _find_expiry(scan)
    if not scan.spans:
        return Redaction(text, frozenset())
    out, cursor = [], 0
    for start, end, what in sorted(scan.spans):
        out.append(text[cursor:start])
        out.append(PLACEHOLDER[what])
        cursor = end
    out.append(text[cursor:])
    return Redaction("".join(out), frozenset(what for _, _, what in scan.spans))


# Utterances and log lines repeat (a caller asked again, a periodic log): short
# texts are remembered.
_CACHED_UP_TO = 2000
_redact_cached = lru_cache(maxsize=2048)(_redact)


def redact(text: str, language: str = "en") -> Redaction:
    """``text`` with card numbers, security codes, IBANs and expiry dates replaced.

    >>> redact("my card number is 4111 1111 1111 1111, thanks").text
    'my card number is [card number], thanks'
    """
    text = _prepare(text)
    if len(text) > _CACHED_UP_TO:
        return _redact(text, lang_of(language))
    return _redact_cached(text, lang_of(language))


def _looks(text: str, lang: str) -> bool:
    if not _NUMBERISH[lang].search(text):
        return False
    scan = _Scan(text, lang)
    _find_ibans(scan)  # an IBAN being read is not a card
    for run in scan.runs:
        if scan.card_ish(run) and (scan.card_said_close(run) or scan.card_said_before(run)):
            return True
        if len(run.digits) >= 13 and _luhn_windows(run):
            return True
    return _find_security_codes(scan, any_digits=True)


_looks_cached = lru_cache(maxsize=2048)(_looks)


def looks_like_card_data(text: str, language: str = "en") -> bool:
    """True as soon as the caller is reading card data, so the bot can stop them.

    That is: 8 or more digits after the word "card", a complete Luhn-valid card
    number, or digits after "CVV", "security code", "cryptogramme"...
    """
    text = _prepare(text)
    if len(text) > _CACHED_UP_TO:
        return _looks(text, lang_of(language))
    return _looks_cached(text, lang_of(language))


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
