"""What the review reminders remember, on PostgreSQL shared by several replicas.

The same records as `store.reminders.ReminderStore`. The lease that lets one process run the
reminder jobs is a PostgreSQL advisory lock (`pg_try_advisory_lock`), held on a connection of
its own for the length of one run: it cannot be held by two sessions, and it ends with the
session, so a replica that dies mid-run frees it at once (no expiry to wait for).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import threading
from typing import Any

from psycopg import Connection

from switchboard.store.postgres.database import PgDatabase
from switchboard.store.postgres.values import loaded, utc
from switchboard.store.reminders import Delivery, DeliveryKey

POOL_SIZE = 3  # the lease's connection plus the run's reads and writes


def lock_key(name: str) -> int:
    """The advisory lock key (a signed 64-bit number) of the lease `name`."""
    digest = hashlib.blake2b(f"switchboard.reminders.{name}".encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big", signed=True)


class PgReminderStore:
    def __init__(self, db: PgDatabase) -> None:
        self.db = db
        self._leases: dict[tuple[str, str], Connection[Any]] = {}
        self._lock = threading.Lock()

    @classmethod
    def open(cls, url: str) -> PgReminderStore:
        return cls(PgDatabase.open(url, max_size=POOL_SIZE, name="switchboard-reminders"))

    def last_sent(self, key: DeliveryKey) -> dt.datetime | None:
        with self.db.connection() as conn:
            row = conn.execute(
                "SELECT last_sent_at FROM reminder_deliveries WHERE kind = %s AND path = %s "
                "AND due = %s AND channel = %s AND recipient = %s",
                _key_values(key),
            ).fetchone()
        return loaded(row[0]) if row else None

    def record(self, key: DeliveryKey, at: dt.datetime) -> None:
        """Note that the reminder `key` went out at `at` (once more, if it went out before)."""
        stamp = _aware(at)
        with self.db.connection() as conn:
            conn.execute(
                "INSERT INTO reminder_deliveries (kind, path, due, channel, recipient, "
                "first_sent_at, last_sent_at) VALUES (%s, %s, %s, %s, %s, %s, %s) "
                "ON CONFLICT (kind, path, due, channel, recipient) DO UPDATE SET "
                "last_sent_at = excluded.last_sent_at, "
                "times = reminder_deliveries.times + 1",
                [*_key_values(key), stamp, stamp],
            )

    def deliveries(self, path: str | None = None) -> list[Delivery]:
        sql, args = "SELECT * FROM reminder_deliveries", []
        if path is not None:
            sql, args = sql + " WHERE path = %s", [path]
        with self.db.connection() as conn:
            found = conn.execute(sql + " ORDER BY first_sent_at, path, kind", args).fetchall()
        return [
            Delivery(DeliveryKey(kind, p, due, channel, to), loaded(first), loaded(last), times)
            for kind, p, due, channel, to, first, last, times in found
        ]

    def sent_totals(self) -> dict[tuple[str, str], int]:
        """How many reminders went out, by (kind, channel), repeats included."""
        with self.db.connection() as conn:
            found = conn.execute(
                "SELECT kind, channel, sum(times) FROM reminder_deliveries GROUP BY kind, channel"
            ).fetchall()
        return {(str(kind), str(channel)): int(n) for kind, channel, n in found}

    def get_state(self, name: str) -> str | None:
        with self.db.connection() as conn:
            sql = "SELECT value FROM reminder_state WHERE name = %s"
            row = conn.execute(sql, [name]).fetchone()
        return str(row[0]) if row else None

    def set_state(self, name: str, value: str, at: dt.datetime) -> None:
        with self.db.connection() as conn:
            conn.execute(
                "INSERT INTO reminder_state (name, value, updated_at) VALUES (%s, %s, %s) "
                "ON CONFLICT (name) DO UPDATE SET value = excluded.value, "
                "updated_at = excluded.updated_at",
                [name, value, _aware(at)],
            )

    def acquire_lease(self, name: str, holder: str, now: dt.datetime, ttl: dt.timedelta) -> bool:
        """Take the lease `name` unless another session holds it. `now` and `ttl` are not
        needed: the lock lasts until `release_lease` or the end of the holder's session."""
        with self._lock:
            if (name, holder) in self._leases:
                return True
            conn = self.db.pool.getconn()
            try:
                row = conn.execute("SELECT pg_try_advisory_lock(%s)", [lock_key(name)]).fetchone()
            except BaseException:
                self.db.pool.putconn(conn)
                raise
            if not (row and row[0]):
                self.db.pool.putconn(conn)
                return False
            self._leases[(name, holder)] = conn
            return True

    def release_lease(self, name: str, holder: str) -> None:
        with self._lock:
            conn = self._leases.pop((name, holder), None)
        if conn is None:
            return
        try:
            conn.execute("SELECT pg_advisory_unlock(%s)", [lock_key(name)])
        except BaseException:
            conn.close()  # ending the session is what surely frees its lock
            raise
        finally:
            self.db.pool.putconn(conn)

    def close(self) -> None:
        with self._lock:
            held, self._leases = list(self._leases.values()), {}
        for conn in held:
            self.db.pool.putconn(conn)
        self.db.close()


def _key_values(key: DeliveryKey) -> list[Any]:
    return [key.kind, key.path, key.due, key.channel, key.recipient]


def _aware(at: dt.datetime) -> dt.datetime:
    if at.tzinfo is None:
        raise ValueError("reminder times must carry a time zone")
    return utc(at)
