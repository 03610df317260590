"""Card data kept out of everything the bot stores or sends (PCI DSS).

The bot never takes card payments, yet callers sometimes start reading a card
anyway. Speech recognition writes what they say in many shapes: "4111 1111 1111
1111", "4111-1111-...", "4532-0151-12830366.", "4,532,015,112,830,366",
"4111/1111/...", "four one one one, one one one one...", "quadruple one", pairs or
groups ("forty one eleven...", "quatre mille cent onze, mille cent onze..."), or a
mix. :func:`redact` finds, in one utterance or log line:

* card numbers: any Luhn-valid 13-19 digits (checked on the digits alone), however
  they were grouped or spoken, even with filler words between the groups ("4111
  1111 and then 1111 1111"); and, when the caller says it is a card ("my card
  number is ..."), 8 or more digits even if the checksum fails (a misheard digit,
  or a reading cut short) -> ``[card number]``, which takes the whole number;
* security codes: 3-4 digits after "CVV", "security code", "the three digits
  on the back", "the last three are", "cryptogramme", "code de sécurité",
  "PIN"... -> ``[security code]``;
* IBANs (ISO 13616, mod-97 checked, any country, written or spelled), and after
  the word "IBAN"/"RIB" anything shaped like one -> ``[iban]``;
* expiry dates after "expiry", "expires", "valid thru", "good until", "date
  d'expiration", "valable jusqu'à"... ("12/28", "twelve twenty-eight", "décembre
  2028", "end of twenty-eight", "fin 2028") -> ``[expiry]``.

Everything else is left exactly as it was: account references, amounts, postcodes,
dates, times and phone numbers are ordinary conversation. Only the redacted spans
change, so a transcript stays readable: "my card number is [card number], thanks".

A call's caller turns go through one :class:`CardGuard` instead: it redacts each
turn the same way and also catches a card read over several turns ("4111 1111",
then "1111 1111"), returning which earlier turns to amend. It keeps only the
digits a later turn could complete, never what was said; nothing here caches text.

:func:`looks_like_card_data` tells the dialogue early that the caller has started
reading card data, so the bot can stop them. :func:`redact_obj` cleans a
JSON-ready structure (a hand-off packet, a call record) and
:class:`RedactingFilter` cleans log records before any handler writes them.

A leaf package: it reads number words from :mod:`voicebot.text` and imports
nothing else of the bot. Rules rather than a model: the checks are cheap (tens of
microseconds for an utterance), deterministic and testable, and they run on every
log line.
"""

from __future__ import annotations

from voicebot.redaction.checksums import IBAN_LENGTHS as IBAN_LENGTHS
from voicebot.redaction.checksums import iban_valid, luhn_valid
from voicebot.redaction.guard import Amend, CardGuard, Heard
from voicebot.redaction.lexicon import CARD_NUMBER as CARD_NUMBER
from voicebot.redaction.lexicon import EXPIRY as EXPIRY
from voicebot.redaction.lexicon import IBAN as IBAN
from voicebot.redaction.lexicon import PLACEHOLDER as PLACEHOLDER
from voicebot.redaction.lexicon import SECURITY_CODE as SECURITY_CODE
from voicebot.redaction.logs import RedactingFilter, add_log_redaction, install_log_redaction
from voicebot.redaction.redactor import Redaction, looks_like_card_data, redact, redact_obj

__all__ = [
    "Amend",
    "CardGuard",
    "Heard",
    "RedactingFilter",
    "Redaction",
    "add_log_redaction",
    "iban_valid",
    "install_log_redaction",
    "looks_like_card_data",
    "luhn_valid",
    "redact",
    "redact_obj",
]
