"""Review periods as calendar arithmetic: `3m` after 31 January is the last day of April.

The loader reads `review_every` (`90d`, `6w`, `3m`, `1y`); days and weeks are counted as the
loader counts them (`rules.units.period_days`), while months and years step through the
calendar, ending on the last day of a shorter month.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re

from switchboard.rules.model import Metadata
from switchboard.rules.units import period_days

_WITHIN = re.compile(r"^(\d{1,4})([dwmy])$")


def add_months(day: dt.date, months: int) -> dt.date:
    """`day` moved `months` calendar months on, clamped to the end of a shorter month."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    last = calendar.monthrange(year, month + 1)[1]
    return dt.date(year, month + 1, min(day.day, last))


def add_period(day: dt.date, period: str) -> dt.date:
    """`day` plus a period written like `review_every` (`0d` is allowed and adds nothing)."""
    count, unit = int(period[:-1]), period[-1]
    if unit == "m":
        return add_months(day, count)
    if unit == "y":
        return add_months(day, 12 * count)
    return day + dt.timedelta(days=period_days(period))


def next_review(metadata: Metadata) -> dt.date:
    """`last_reviewed` plus `review_every` (the day count when the text is not known)."""
    if metadata.review_every:
        return add_period(metadata.last_reviewed, metadata.review_every)
    return metadata.last_reviewed + dt.timedelta(days=metadata.review_every_days)


def parse_within(text: str) -> str:
    """A look-ahead such as `14d`, `2w` or `1m`, checked; ValueError with a plain message."""
    cleaned = text.strip().lower()
    if not _WITHIN.match(cleaned):
        raise ValueError(
            f"{text!r} is not a period: write a number and d, w, m or y, e.g. 14d, 2w or 1m."
        )
    return cleaned
