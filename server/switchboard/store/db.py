"""The embedded SQLite database: one write connection, WAL, versioned migrations per area.

Each area of the store (conversations, proposals, reminders, ...) registers its own ordered
migrations with `migration(area, version)`; `Database.open` applies the ones not yet recorded in
`_migrations`, inside one transaction each. Writes go through `Database.write()`, which holds a
lock around the single write connection, so there is exactly one writer at a time; reads use a
connection per thread. `write(timeout=...)` gives up with `WriteBusy` when the writer (in this
process or another) is not free in time, so a caller under load can refuse instead of queueing.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import sqlite_utils


@dataclass(frozen=True)
class Migration:
    area: str
    version: int
    apply: Callable[[sqlite_utils.Database], None]


_MIGRATIONS: list[Migration] = []


def migration(
    area: str, version: int
) -> Callable[[Callable[[sqlite_utils.Database], None]], Callable[[sqlite_utils.Database], None]]:
    """Register a schema step for `area`; versions of one area run in ascending order."""

    def register(fn: Callable[[sqlite_utils.Database], None]) -> Callable[..., None]:
        if any(m.area == area and m.version == version for m in _MIGRATIONS):
            raise ValueError(f"migration {area}/{version} registered twice")
        _MIGRATIONS.append(Migration(area, version, fn))
        return fn

    return register


class WriteBusy(Exception):
    """The write lock was not obtained within the timeout given to `Database.write`."""


BUSY_TIMEOUT_MS = 10000


class Database:
    def __init__(self, path: Path) -> None:
        self.path = path
        self._write_lock = threading.Lock()
        self._local = threading.local()
        self._writer = self._connect()
        # sqlite_utils.Database runs a PRAGMA when made: one wrapper per connection, kept.
        self._writer_db = sqlite_utils.Database(self._writer)
        self._closed = False

    @classmethod
    def open(cls, path: Path) -> Database:
        path.parent.mkdir(parents=True, exist_ok=True)
        db = cls(path)
        db.migrate()
        return db

    def _connect(self) -> sqlite3.Connection:
        conn = sqlite3.connect(self.path, check_same_thread=False, timeout=10.0)
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("PRAGMA synchronous=NORMAL")
        conn.execute("PRAGMA foreign_keys=ON")
        conn.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
        return conn

    def migrate(self) -> list[str]:
        """Apply pending migrations; returns the ones applied as 'area/version'."""
        applied: list[str] = []
        with self.write() as db:
            db.execute(
                "CREATE TABLE IF NOT EXISTS _migrations (area TEXT, version INTEGER, "
                "applied_at TEXT DEFAULT CURRENT_TIMESTAMP, PRIMARY KEY (area, version))"
            )
            done = {(r[0], r[1]) for r in db.execute("SELECT area, version FROM _migrations")}
            for m in sorted(_MIGRATIONS, key=lambda m: (m.area, m.version)):
                if (m.area, m.version) in done:
                    continue
                m.apply(db)
                db.execute(
                    "INSERT INTO _migrations (area, version) VALUES (?, ?)", [m.area, m.version]
                )
                applied.append(f"{m.area}/{m.version}")
        return applied

    @contextmanager
    def write(self, timeout: float | None = None) -> Iterator[sqlite_utils.Database]:
        """The single writer, in one transaction: committed on success, rolled back on error.

        With `timeout` (seconds), waits at most that long for the writer and raises `WriteBusy`
        instead of waiting on; without it, waits as long as it takes.
        """
        if not self._write_lock.acquire(timeout=-1 if timeout is None else max(timeout, 0.0)):
            raise WriteBusy(f"{self.path}: the writer was not free within {timeout} s")
        try:
            conn = self._writer
            self._begin(conn, timeout)
            try:
                yield self._writer_db
                conn.execute("COMMIT")
            except BaseException:
                _rollback(conn)
                raise
        finally:
            self._write_lock.release()

    def _begin(self, conn: sqlite3.Connection, timeout: float | None) -> None:
        """BEGIN IMMEDIATE, waiting at most `timeout` for another process's write lock."""
        if timeout is None:
            conn.execute("BEGIN IMMEDIATE")
            return
        conn.execute(f"PRAGMA busy_timeout={int(max(timeout, 0.0) * 1000)}")
        try:
            conn.execute("BEGIN IMMEDIATE")
        except sqlite3.OperationalError as exc:
            if "locked" in str(exc) or "busy" in str(exc):
                raise WriteBusy(
                    f"{self.path}: another writer held the lock for {timeout} s"
                ) from exc
            raise
        finally:
            conn.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")

    def read(self) -> sqlite_utils.Database:
        """A read connection for the calling thread (WAL readers never block the writer)."""
        db: sqlite_utils.Database | None = getattr(self._local, "db", None)
        if db is None:
            if self._closed:
                raise sqlite3.ProgrammingError(f"{self.path}: the database has been closed")
            conn = self._connect()
            self._local.conn = conn
            db = self._local.db = sqlite_utils.Database(conn)
        return db

    def close(self) -> None:
        with self._write_lock:
            self._closed = True
            self._writer.close()
        conn = getattr(self._local, "conn", None)
        if conn is not None:
            conn.close()


def _rollback(conn: sqlite3.Connection) -> None:
    """Undo the open transaction, if any (SQLite ends some itself, e.g. on a full disk)."""
    try:
        if conn.in_transaction:
            conn.execute("ROLLBACK")
    except sqlite3.Error:
        pass  # a closed or broken connection has nothing left to undo; the caller's error stands
