"""Reading the small value formats of rules files: periods, durations, dates, opening hours."""

from __future__ import annotations

import datetime as dt

Spans = tuple[tuple[dt.time, dt.time], ...]

_PERIOD_DAYS = {"d": 1, "w": 7, "m": 30, "y": 365}
_SECONDS = {"ms": 0.001, "s": 1, "m": 60, "h": 3600, "d": 86400}


def period_days(text: str) -> int:
    """`90d`, `6w`, `3m` (30 days each), `1y` (365 days) as days."""
    return int(text[:-1]) * _PERIOD_DAYS[text[-1]]


def duration_seconds(text: str) -> float:
    """`800ms`, `30s`, `15m`, `4h`, `5d` as seconds."""
    unit = "ms" if text.endswith("ms") else text[-1]
    return int(text[: -len(unit)]) * _SECONDS[unit]


def parse_date(text: str) -> dt.date:
    """A real calendar date written YYYY-MM-DD (ValueError for 2026-02-30)."""
    return dt.date.fromisoformat(text)


def parse_hours(text: str) -> Spans:
    """`"07:30-12:00, 13:00-17:00"` as spans; `closed` as none. ValueError when impossible."""
    if text == "closed":
        return ()
    spans: list[tuple[dt.time, dt.time]] = []
    for part in text.split(","):
        start, end = (dt.time.fromisoformat(t.strip()) for t in part.split("-"))
        if end <= start:
            raise ValueError(f"{part.strip()} ends before it starts")
        if spans and start < spans[-1][1]:
            raise ValueError(f"{part.strip()} overlaps the span before it")
        spans.append((start, end))
    return tuple(spans)
