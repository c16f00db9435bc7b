"""What the review reminders remember: every reminder sent, and the scheduler's own state.

A delivery is keyed by kind (`due_soon`, `overdue`, `digest`), file path (empty for a digest),
due date (the week's Monday for a digest), channel and recipient, so a restart never sends the
same reminder twice. A lease row lets only one process run the reminder jobs at a time.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Protocol

import sqlite_utils

from switchboard.store.db import Database, migration


@migration("reminders", 1)
def _create_tables(db: sqlite_utils.Database) -> None:
    db.execute(
        """CREATE TABLE reminder_deliveries (
            kind TEXT NOT NULL, path TEXT NOT NULL, due TEXT NOT NULL,
            channel TEXT NOT NULL, recipient TEXT NOT NULL,
            first_sent_at TEXT NOT NULL, last_sent_at TEXT NOT NULL,
            times INTEGER NOT NULL DEFAULT 1,
            PRIMARY KEY (kind, path, due, channel, recipient))"""
    )
    db.execute(
        """CREATE TABLE reminder_state (
            name TEXT PRIMARY KEY, value TEXT NOT NULL, updated_at TEXT NOT NULL)"""
    )


@dataclass(frozen=True, slots=True)
class DeliveryKey:
    kind: str
    path: str
    due: dt.date
    channel: str
    recipient: str


@dataclass(frozen=True, slots=True)
class Delivery:
    key: DeliveryKey
    first_sent_at: dt.datetime
    last_sent_at: dt.datetime
    times: int


class ReminderRecords(Protocol):
    """What the reminder service needs of its store (`ReminderStore` on SQLite,
    `store.postgres.PgReminderStore` on PostgreSQL)."""

    def last_sent(self, key: DeliveryKey) -> dt.datetime | None: ...
    def record(self, key: DeliveryKey, at: dt.datetime) -> None: ...
    def deliveries(self, path: str | None = None) -> list[Delivery]: ...
    def sent_totals(self) -> dict[tuple[str, str], int]: ...
    def get_state(self, name: str) -> str | None: ...
    def set_state(self, name: str, value: str, at: dt.datetime) -> None: ...
    def acquire_lease(
        self, name: str, holder: str, now: dt.datetime, ttl: dt.timedelta
    ) -> bool: ...
    def release_lease(self, name: str, holder: str) -> None: ...
    def close(self) -> None: ...


class ReminderStore:
    def __init__(self, db: Database) -> None:
        self.db = db

    def close(self) -> None:
        self.db.close()

    def last_sent(self, key: DeliveryKey) -> dt.datetime | None:
        row = (
            self.db.read()
            .execute(
                "SELECT last_sent_at FROM reminder_deliveries WHERE kind = ? AND path = ? "
                "AND due = ? AND channel = ? AND recipient = ?",
                _key_values(key),
            )
            .fetchone()
        )
        return _time(row[0]) if row else None

    def record(self, key: DeliveryKey, at: dt.datetime) -> None:
        """Note that the reminder `key` went out at `at` (once more, if it went out before)."""
        stamp = _stamp(at)
        with self.db.write() as db:
            db.execute(
                "INSERT INTO reminder_deliveries (kind, path, due, channel, recipient, "
                "first_sent_at, last_sent_at) VALUES (?, ?, ?, ?, ?, ?, ?) "
                "ON CONFLICT (kind, path, due, channel, recipient) DO UPDATE SET "
                "last_sent_at = excluded.last_sent_at, times = times + 1",
                [*_key_values(key), stamp, stamp],
            )

    def deliveries(self, path: str | None = None) -> list[Delivery]:
        sql = "SELECT * FROM reminder_deliveries"
        args: list[str] = []
        if path is not None:
            sql += " WHERE path = ?"
            args.append(path)
        cursor = self.db.read().execute(sql + " ORDER BY first_sent_at, path, kind", args)
        return [_delivery(row) for row in cursor.fetchall()]

    def sent_totals(self) -> dict[tuple[str, str], int]:
        """How many reminders went out, by (kind, channel), repeats included (for /metrics)."""
        cursor = self.db.read().execute(
            "SELECT kind, channel, SUM(times) FROM reminder_deliveries GROUP BY kind, channel"
        )
        return {(str(kind), str(channel)): int(n) for kind, channel, n in cursor.fetchall()}

    def get_state(self, name: str) -> str | None:
        row = (
            self.db.read()
            .execute("SELECT value FROM reminder_state WHERE name = ?", [name])
            .fetchone()
        )
        return str(row[0]) if row else None

    def set_state(self, name: str, value: str, at: dt.datetime) -> None:
        with self.db.write() as db:
            _put_state(db, name, value, at)

    def acquire_lease(self, name: str, holder: str, now: dt.datetime, ttl: dt.timedelta) -> bool:
        """Take (or renew) the lease `name` unless another holder's lease is still running."""
        with self.db.write() as db:
            row = db.execute(
                "SELECT value FROM reminder_state WHERE name = ?", [f"lease:{name}"]
            ).fetchone()
            if row:
                other, _, until = str(row[0]).partition(" ")
                if other != holder and _time(until) > now:
                    return False
            _put_state(db, f"lease:{name}", f"{holder} {_stamp(now + ttl)}", now)
            return True

    def release_lease(self, name: str, holder: str) -> None:
        with self.db.write() as db:
            db.execute(
                "DELETE FROM reminder_state WHERE name = ? AND value LIKE ?",
                [f"lease:{name}", f"{holder} %"],
            )


def _put_state(db: sqlite_utils.Database, name: str, value: str, at: dt.datetime) -> None:
    db.execute(
        "INSERT INTO reminder_state (name, value, updated_at) VALUES (?, ?, ?) "
        "ON CONFLICT (name) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at",
        [name, value, _stamp(at)],
    )


def _key_values(key: DeliveryKey) -> list[str]:
    return [key.kind, key.path, key.due.isoformat(), key.channel, key.recipient]


def _stamp(at: dt.datetime) -> str:
    if at.tzinfo is None:
        raise ValueError("reminder times must carry a time zone")
    return at.astimezone(dt.UTC).isoformat()


def _time(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text)


def _delivery(row: tuple[str, str, str, str, str, str, str, int]) -> Delivery:
    kind, path, due, channel, recipient, first, last, times = row
    key = DeliveryKey(kind, path, dt.date.fromisoformat(due), channel, recipient)
    return Delivery(key, _time(first), _time(last), times)
