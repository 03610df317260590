"""Text that XML can carry.

XML 1.0 has no way to write most control characters, lone surrogates or the
two non-characters U+FFFE/U+FFFF, not even escaped: a document with one is
malformed and the carrier rejects it (the caller hears an error message). They
are removed before escaping; everything else goes through untouched.
"""

from __future__ import annotations

import re
from xml.sax.saxutils import escape, quoteattr

_NOT_XML = re.compile("[^\t\n\r\u0020-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def xml_safe(text: str) -> str:
    """``text`` without the characters XML 1.0 cannot contain."""
    return _NOT_XML.sub("", text)


def xml_text(text: str) -> str:
    """Element content: invalid characters removed, ``& < >`` escaped."""
    return escape(xml_safe(text))


def xml_attr(text: str) -> str:
    """A quoted attribute value: invalid characters removed, quotes escaped."""
    return quoteattr(xml_safe(text))
