"""The characters XML 1.0 can carry: the one rule the loaders refuse by and every XML answer
is cleaned by.

XML 1.0's ``Char`` production is ``#x9 | #xA | #xD | [#x20-#xD7FF] | [#xE000-#xFFFD] |
[#x10000-#x10FFFF]``: C0 controls other than tab, line feed and carriage return, lone
surrogates, U+FFFE and U+FFFF cannot appear in an XML document, not even escaped.

>>> xml_char_problem("Lab\\x1bname")
'characters allowed in XML 1.0 (U+001B at character 4 is a control character)'
>>> xml_char_problem("tab\\tand\\nnewline") is None
True
>>> clean_text("a\\x00b")
'a\\ufffdb'
"""

from __future__ import annotations

import re

#: a character outside XML 1.0's ``Char`` production
NOT_XML_CHAR = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
REPLACEMENT = "\ufffd"


def xml_char_problem(text: str) -> str | None:
    """What a text holds that XML 1.0 cannot carry, or ``None`` when every character is
    allowed."""
    match = NOT_XML_CHAR.search(text)
    if match is None:
        return None
    code = ord(match.group())
    kind = "a surrogate" if 0xD800 <= code <= 0xDFFF else "a non-character"
    if code < 0x20:
        kind = "a control character"
    at = match.start() + 1
    return f"characters allowed in XML 1.0 (U+{code:04X} at character {at} is {kind})"


def clean_text(text: str) -> str:
    """``text`` with every character XML 1.0 cannot carry replaced by U+FFFD."""
    return NOT_XML_CHAR.sub(REPLACEMENT, text)
