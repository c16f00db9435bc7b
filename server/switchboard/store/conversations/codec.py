"""Column values: times as ISO 8601 UTC text (sortable), JSON documents as compact text."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Sequence
from typing import Any

import sqlite_utils


def stamp(at: dt.datetime) -> str:
    """`2026-12-01T09:30:00.000000+00:00`: fixed width, so text order is time order."""
    if at.tzinfo is None:
        at = at.replace(tzinfo=dt.UTC)
    return at.astimezone(dt.UTC).isoformat(timespec="microseconds")


def time_of(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text)


def maybe_time(text: str | None) -> dt.datetime | None:
    return None if text is None else time_of(text)


def to_json(value: Any) -> str:
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False, sort_keys=True)


def from_json(text: str | None, default: Any = None) -> Any:
    return default if text is None else json.loads(text)


def rows(db: sqlite_utils.Database, sql: str, params: Sequence[Any] = ()) -> list[dict[str, Any]]:
    """The result rows as dicts by column name."""
    cursor = db.execute(sql, list(params))
    names = [column[0] for column in cursor.description]
    return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


def first(db: sqlite_utils.Database, sql: str, params: Sequence[Any] = ()) -> dict[str, Any] | None:
    found = rows(db, sql, params)
    return found[0] if found else None
