"""The embedded SQLite database: one write connection, WAL, versioned migrations per area.

Each area of the store (conversations, proposals, reminders, ...) registers its own ordered
migrations with `migration(area, version)`; `Database.open` applies the ones not yet recorded in
`_migrations`, inside one transaction each. Writes go through `Database.write()`, which holds a
lock around the single write connection, so there is exactly one writer at a time; reads use a
connection per thread.
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


class Database:
    def __init__(self, path: Path) -> None:
        self.path = path
        self._write_lock = threading.Lock()
        self._local = threading.local()
        self._writer = self._connect()

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
        conn.execute("PRAGMA busy_timeout=10000")
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
    def write(self) -> Iterator[sqlite_utils.Database]:
        """The single writer, in one transaction: committed on success, rolled back on error."""
        with self._write_lock:
            conn = self._writer
            conn.execute("BEGIN IMMEDIATE")
            try:
                yield sqlite_utils.Database(conn)
            except BaseException:
                conn.execute("ROLLBACK")
                raise
            conn.execute("COMMIT")

    def read(self) -> sqlite_utils.Database:
        """A read connection for the calling thread (WAL readers never block the writer)."""
        conn = getattr(self._local, "conn", None)
        if conn is None:
            conn = self._connect()
            self._local.conn = conn
        return sqlite_utils.Database(conn)

    def close(self) -> None:
        with self._write_lock:
            self._writer.close()
        conn = getattr(self._local, "conn", None)
        if conn is not None:
            conn.close()
