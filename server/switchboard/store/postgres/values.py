"""Column values on PostgreSQL: aware UTC times, JSONB documents, rows as dicts.

PostgreSQL refuses the character U+0000 in text and in JSONB, where SQLite keeps it; it is
stored as U+FFFD instead, so such a message is kept (with one visible mark) rather than refused.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from psycopg import Connection
from psycopg.rows import dict_row
from psycopg.types.json import Jsonb

from switchboard.store.conversations.codec import to_json

NUL, REPLACEMENT = "\x00", "\ufffd"


def utc(at: dt.datetime) -> dt.datetime:
    """A time to store: naive times are taken as UTC (as the SQLite store does)."""
    return at.replace(tzinfo=dt.UTC) if at.tzinfo is None else at.astimezone(dt.UTC)


def maybe_utc(at: dt.datetime | None) -> dt.datetime | None:
    return None if at is None else utc(at)


def loaded(at: dt.datetime) -> dt.datetime:
    return at.astimezone(dt.UTC)


def maybe_loaded(at: dt.datetime | None) -> dt.datetime | None:
    return None if at is None else at.astimezone(dt.UTC)


def text(value: str) -> str:
    return value.replace(NUL, REPLACEMENT) if NUL in value else value


def maybe_text(value: str | None) -> str | None:
    return None if value is None else text(value)


def document(value: Any) -> Jsonb:
    """A JSON-shaped value as a JSONB parameter."""
    return Jsonb(value, dumps=_dumps)


def _dumps(value: Any) -> str:
    encoded = to_json(value)
    return to_json(_clean(value)) if "\\u0000" in encoded else encoded


def _clean(value: Any) -> Any:
    if isinstance(value, str):
        return text(value)
    if isinstance(value, dict):
        return {_clean(k): _clean(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_clean(v) for v in value]
    return value


def rows(conn: Connection[Any], sql: str, params: Sequence[Any] = ()) -> list[dict[str, Any]]:
    with conn.cursor(row_factory=dict_row) as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def first(conn: Connection[Any], sql: str, params: Sequence[Any] = ()) -> dict[str, Any] | None:
    found = rows(conn, sql, params)
    return found[0] if found else None
