"""Dashboard figures from the decision records: outcomes per day and the top reasons.

Reads the newest `LIMIT` decisions through the store's interface (so it works on any store)
and counts those of the last `DAYS` days; the page says when the limit cut the window short.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field

from switchboard.store.conversations.records import DecisionRecord

DAYS = 14
LIMIT = 5000
OUTCOMES = ("auto_reply", "clarify", "route")


@dataclass(frozen=True, slots=True)
class Day:
    day: dt.date
    counts: dict[str, int]

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    @property
    def automated(self) -> int:
        return self.counts.get("auto_reply", 0) + self.counts.get("clarify", 0)

    @property
    def rate(self) -> float | None:
        return self.automated / self.total if self.total else None


@dataclass(frozen=True, slots=True)
class Stats:
    days: list[Day]
    reasons: list[tuple[str, int]]
    total: int
    automated: int
    capped: bool  # the record limit was reached before the window's start
    outcomes: dict[str, int] = field(default_factory=dict)

    @property
    def rate(self) -> float | None:
        return self.automated / self.total if self.total else None


def compute(
    records: Iterable[DecisionRecord], today: dt.date, days: int = DAYS, limit: int = LIMIT
) -> Stats:
    start = today - dt.timedelta(days=days - 1)
    per_day: dict[dt.date, Counter[str]] = {start + dt.timedelta(d): Counter() for d in range(days)}
    reasons: Counter[str] = Counter()
    seen = 0
    for record in records:
        seen += 1
        day = record.created_at.astimezone(dt.UTC).date()
        if day not in per_day:
            continue
        per_day[day][record.outcome] += 1
        if record.outcome == "route":
            reasons.update(dict.fromkeys(record.reasons, 1))
    ordered = [Day(day, {o: counts[o] for o in OUTCOMES}) for day, counts in per_day.items()]
    totals = Counter({o: sum(d.counts[o] for d in ordered) for o in OUTCOMES})
    total = sum(totals.values())
    return Stats(
        days=ordered,
        reasons=reasons.most_common(8),
        total=total,
        automated=totals["auto_reply"] + totals["clarify"],
        capped=seen >= limit,
        outcomes=dict(totals),
    )
