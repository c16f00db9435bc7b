"""The plain-text reminders an owner receives: what is due, when, and why."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from switchboard.reminders.due import ReviewItem


@dataclass(frozen=True, slots=True)
class Message:
    recipient: str  # the owner's e-mail address
    subject: str
    text: str


def when(item: ReviewItem) -> str:
    if item.days_left < 0:
        days = -item.days_left
        return f"overdue since {item.due.isoformat()} ({days} day{'s' if days != 1 else ''})"
    if item.days_left == 0:
        return f"due today ({item.due.isoformat()})"
    days = item.days_left
    return f"due {item.due.isoformat()} (in {days} day{'s' if days != 1 else ''})"


def item_line(item: ReviewItem) -> str:
    return f"- {item.path} ({item.kind} {item.id}): {when(item)}; {item.reason}"


def reminder(owner: str, items: Sequence[ReviewItem], repo_name: str) -> Message:
    overdue = sum(item.state == "overdue" for item in items)
    count = f"{len(items)} rules file{'s' if len(items) != 1 else ''}"
    subject = f"[{repo_name}] Review due: {count}" + (f", {overdue} overdue" if overdue else "")
    text = "\n".join(
        [
            f"Hello {owner},",
            "",
            f"these rules files of {repo_name} that you own need a review:",
            "",
            *(item_line(item) for item in items),
            "",
            _how_to(),
        ]
    )
    return Message(owner, subject, text)


def digest(owner: str, items: Sequence[ReviewItem], week: dt.date, repo_name: str) -> Message:
    subject = f"[{repo_name}] Weekly review digest, week of {week.isoformat()}"
    lines = [
        f"Hello {owner},",
        "",
        f"the rules files of {repo_name} you own that are due or overdue for review:",
        "",
        *(item_line(item) for item in items),
        "",
        _how_to(),
    ]
    return Message(owner, subject, "\n".join(lines))


def _how_to() -> str:
    return (
        "Check each file. If it is still right, mark it reviewed in the admin UI (or with\n"
        "POST /v1/reviews/<path>/mark-reviewed); that opens a proposal for approval.\n"
        "\n"
        "This message was sent automatically by Switchboard."
    )
