"""Which rules files are due for review, and why. Pure: no clock, no I/O.

A file is due `review_every` after `last_reviewed`. A `review_by` date wins when it is earlier,
and so does a trigger: a template is due on the day a snippet it uses changed after the
template was last reviewed. A file is `overdue` after its due date, `due_soon` from the
window before it, `ok` otherwise. "Today" is the date in the repository's time zone.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Literal
from zoneinfo import ZoneInfo

from switchboard.reminders.periods import next_review
from switchboard.rules.model import FileInfo

State = Literal["ok", "due_soon", "overdue"]
Cause = Literal["interval", "review_by", "trigger"]


@dataclass(frozen=True, slots=True)
class Trigger:
    """A change that makes `path` due: the snippet `snippet` changed on `changed_on`."""

    path: str
    snippet: str
    changed_on: dt.date
    commit: str = ""


@dataclass(frozen=True, slots=True)
class ReviewItem:
    path: str
    kind: str
    id: str
    owner: str
    due: dt.date
    state: State
    cause: Cause
    reason: str
    days_left: int  # negative once overdue
    last_reviewed: dt.date
    review_every: str
    reviewers: tuple[str, ...] = ()
    triggers: tuple[Trigger, ...] = field(default=())


def local_today(now: dt.datetime | dt.date, tz: ZoneInfo | str) -> dt.date:
    """The calendar date of `now` in `tz` (a date is taken as it is; naive times are UTC)."""
    if not isinstance(now, dt.datetime):
        return now
    zone = tz if isinstance(tz, ZoneInfo) else ZoneInfo(tz)
    aware = now if now.tzinfo else now.replace(tzinfo=dt.UTC)
    return aware.astimezone(zone).date()


def compute_reviews(
    files: Iterable[FileInfo],
    changes: Iterable[Trigger],
    today: dt.datetime | dt.date,
    tz: ZoneInfo | str,
    window: int = 14,
) -> list[ReviewItem]:
    """One item per file, earliest due first (then by path)."""
    day = local_today(today, tz)
    by_path: dict[str, list[Trigger]] = {}
    for change in changes:
        by_path.setdefault(change.path, []).append(change)
    items = [_item(info, by_path.get(info.path, []), day, window) for info in files]
    return sorted(items, key=lambda item: (item.due, item.path))


def _item(info: FileInfo, changes: list[Trigger], today: dt.date, window: int) -> ReviewItem:
    meta = info.metadata
    every = meta.review_every or f"{meta.review_every_days}d"
    due = next_review(meta)
    cause: Cause = "interval"
    reason = f"review every {every}, last reviewed {meta.last_reviewed.isoformat()}"
    if meta.review_by is not None and meta.review_by < due:
        due, cause = meta.review_by, "review_by"
        reason = f"review by {meta.review_by.isoformat()}"
    pending = sorted(
        (c for c in changes if c.changed_on > meta.last_reviewed),
        key=lambda c: (c.changed_on, c.snippet),
    )
    if pending and pending[0].changed_on < due:
        first = pending[0]
        due, cause = first.changed_on, "trigger"
        reason = f"trigger: snippet {first.snippet} changed on {first.changed_on.isoformat()}"
    days_left = (due - today).days
    state: State = "overdue" if days_left < 0 else "due_soon" if days_left <= window else "ok"
    return ReviewItem(
        path=info.path,
        kind=info.kind,
        id=info.id,
        owner=meta.owner,
        due=due,
        state=state,
        cause=cause,
        reason=reason,
        days_left=days_left,
        last_reviewed=meta.last_reviewed,
        review_every=every,
        reviewers=meta.reviewers,
        triggers=tuple(pending),
    )


def as_dict(item: ReviewItem) -> dict[str, object]:
    """The item as plain JSON data (dates as YYYY-MM-DD)."""
    return {
        "path": item.path,
        "kind": item.kind,
        "id": item.id,
        "owner": item.owner,
        "reviewers": list(item.reviewers),
        "due": item.due.isoformat(),
        "state": item.state,
        "days_left": item.days_left,
        "cause": item.cause,
        "reason": item.reason,
        "last_reviewed": item.last_reviewed.isoformat(),
        "review_every": item.review_every,
        "triggers": [
            {"snippet": t.snippet, "changed_on": t.changed_on.isoformat(), "commit": t.commit}
            for t in item.triggers
        ],
    }


def due_by(items: Iterable[ReviewItem], until: dt.date) -> list[ReviewItem]:
    """The items due on or before `until` (overdue ones included)."""
    return [item for item in items if item.due <= until]
