"""Checks on the characters of a formula or a parameter name before anything is parsed.

Python normalises identifiers (NFKC), so a formula may look right and use a name the user
never typed; and a Cyrillic ``е`` in ``bеta`` makes a second, unknown name. Both are refused
with a line that names the character and the ASCII letter it imitates.
"""

from __future__ import annotations

import unicodedata

__all__ = ["non_ascii"]

# letters of other scripts that render like ASCII ones (Unicode confusables, the common part)
_LOOKALIKES = dict(zip(
    "аеорсухіјѕԁһӏАВЕКМНОРСТХЅІЈ" "αβεικνορτυχΑΒΕΖΗΙΚΜΝΟΡΤΥΧ",
    "aeopcyxijsdhlABEKMHOPCTXSIJ" "aBeikvoptuxABEZHIKMNOPTYX", strict=True))


def _lookalike(ch: str) -> str | None:
    if ch in _LOOKALIKES:
        return _LOOKALIKES[ch]
    base = "".join(c for c in unicodedata.normalize("NFKD", ch) if not unicodedata.combining(c))
    return base if base.isascii() and base.isprintable() and base.strip() else None


def non_ascii(text: str, what: str) -> str | None:
    """A one-line description of the first non-ASCII character of ``text``, or None.

    Examples
    --------
    >>> print(non_ascii("b\\u0435ta", "the name"))  # doctest: +NORMALIZE_WHITESPACE
    the name contains 'е' (U+0435 CYRILLIC SMALL LETTER IE), a lookalike of ASCII 'e':
    type it in ASCII
    """
    for i, ch in enumerate(text):
        if ch.isascii():
            continue
        name = unicodedata.name(ch, "unnamed character")
        look = _lookalike(ch)
        where = f" at position {i + 1}" if len(text) > 12 else ""
        if look is not None:
            return (f"{what} contains {ch!r} (U+{ord(ch):04X} {name}){where}, a lookalike of "
                    f"ASCII {look!r}: type it in ASCII")
        return f"{what} contains {ch!r} (U+{ord(ch):04X} {name}){where}, which is not ASCII"
    return None

