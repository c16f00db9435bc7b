"""Phone numbers to E.164 (`+496215550123`), for matching callers and SMS senders.

Small on purpose: it knows the international form (`+49 …`, `0049 …`, `+44 (0)20 …`) and the
national form with trunk prefix 0 for a few European regions. Anything else gives None, so an
unreadable number never identifies anybody.
"""

from __future__ import annotations

import re

CALLING_CODES = {
    "DE": "49",
    "AT": "43",
    "CH": "41",
    "NL": "31",
    "GB": "44",
    "UK": "44",
    "BE": "32",
    "FR": "33",
}  # regions whose national numbers start with trunk 0
_ALLOWED = re.compile(r"\+?[0-9 ()./\-]+")


def normalise_phone(raw: str | None, default_region: str = "DE") -> str | None:
    """E.164 for `raw`, reading national numbers as in `default_region`; None if unreadable."""
    if not raw:
        return None
    text = raw.strip()
    if text.lower().startswith("tel:"):
        text = text[4:]
    text = text.replace("\u00a0", " ").replace("(0)", "")  # "+49 (0)621": the 0 is not dialled
    if not _ALLOWED.fullmatch(text) or text.count("+") > 1:
        return None
    digits = re.sub(r"\D", "", text)
    if text.startswith("+"):
        number = digits
    elif digits.startswith("00"):
        number = digits[2:]
    elif digits.startswith("0"):
        code = CALLING_CODES.get(default_region.upper())
        if code is None:
            return None
        number = code + digits[1:]
    else:
        return None
    if not 8 <= len(number) <= 15 or number.startswith("0"):
        return None
    return "+" + number
