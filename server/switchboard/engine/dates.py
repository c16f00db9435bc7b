"""Reads calendar dates: `2026-12-03`, `3.12.2026`, `3 Dec 2026`, `3. Dezember`, `December 3rd`.

Numeric dates are day-first (`3.12.2026` is the 3rd of December), as written in Europe;
slashed dates are ambiguous between conventions and are not read. A date without a year
takes the reference year, or the next one when it would otherwise lie over half a year back.
"""

from __future__ import annotations

import datetime as dt
import re

from switchboard.engine.text import fold

_MONTHS = {
    "january": 1, "jan": 1, "januar": 1, "janner": 1,
    "february": 2, "feb": 2, "februar": 2,
    "march": 3, "mar": 3, "marz": 3, "maerz": 3, "mrz": 3,
    "april": 4, "apr": 4,
    "may": 5, "mai": 5,
    "june": 6, "jun": 6, "juni": 6,
    "july": 7, "jul": 7, "juli": 7,
    "august": 8, "aug": 8,
    "september": 9, "sep": 9, "sept": 9,
    "october": 10, "oct": 10, "oktober": 10, "okt": 10,
    "november": 11, "nov": 11,
    "december": 12, "dec": 12, "dezember": 12, "dez": 12,
}  # fmt: skip
_MONTH = "(?P<month>" + "|".join(sorted(_MONTHS, key=len, reverse=True)) + r")\.?"
_DAY = r"(?P<day>\d{1,2})(?:st|nd|rd|th)?\.?"
_YEAR = r"(?P<year>\d{4})"
_PATTERNS = [
    re.compile(r"(?<![\d.])(?P<year>\d{4})-(?P<month>\d{1,2})-(?P<day>\d{1,2})(?!\w)"),
    re.compile(r"(?<![\d.])(?P<day>\d{1,2})\.(?P<month>\d{1,2})\.(?P<year>\d{4}|\d{2})(?!\w)"),
    re.compile(rf"(?<![\w.]){_DAY}\s+(?:of\s+)?{_MONTH}(?:,?\s+{_YEAR})?(?![\w])"),
    re.compile(rf"(?<![\w.]){_MONTH}\s+{_DAY}(?:,?\s+{_YEAR})?(?![\w])"),
]


def _build(year: int | None, month: int, day: int, today: dt.date) -> dt.date | None:
    try:
        if year is not None:
            return dt.date(year + 2000 if year < 100 else year, month, day)
        candidate = dt.date(today.year, month, day)
    except ValueError:
        return None
    if (today - candidate).days > 183:
        try:
            return dt.date(today.year + 1, month, day)
        except ValueError:  # 29 February
            return None
    return candidate


def find_dates(text: str, today: dt.date) -> list[tuple[int, dt.date]]:
    """(position, date) for every date in `text`, in order of appearance."""
    folded = fold(text)
    found: dict[int, dt.date] = {}
    for pattern in _PATTERNS:
        for match in pattern.finditer(folded):
            if any(match.start() <= pos < match.end() for pos in found):
                continue
            raw_month = match.group("month")
            month = int(raw_month) if raw_month.isdigit() else _MONTHS[raw_month]
            raw_year = match.group("year")
            value = _build(
                int(raw_year) if raw_year else None, month, int(match.group("day")), today
            )
            if value is not None:
                found[match.start()] = value
    return sorted(found.items())
