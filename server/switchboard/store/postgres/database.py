"""PostgreSQL behind a connection pool, for several replicas sharing one database.

`PgDatabase.open` migrates (see `migrations.py`) on a connection of its own, so a database that
cannot be reached or used fails there with PostgreSQL's own reason, then opens the pool.
Connections are in autocommit mode: `connection()` serves reads, each statement seeing what is
committed; `transaction()` wraps its block in one transaction, and gives up waiting (for a free
connection or for a row another transaction holds) after `timeout` seconds.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import psycopg
from psycopg import Connection
from psycopg_pool import ConnectionPool

from switchboard.store.postgres.migrations import migrate

WAIT_S = 10.0  # without a timeout, wait this long for a connection or a locked row
CONNECT_TIMEOUT_S = 10


class PgDatabase:
    def __init__(self, url: str, *, max_size: int = 10, min_size: int = 1, name: str = "") -> None:
        self.url = url
        self.pool: ConnectionPool[Connection[Any]] = ConnectionPool(
            url,
            min_size=min(min_size, max_size),
            max_size=max_size,
            open=False,
            name=name or "switchboard",
            kwargs={"autocommit": True, "connect_timeout": CONNECT_TIMEOUT_S},
            configure=_configure,
            timeout=WAIT_S,
        )

    @classmethod
    def open(cls, url: str, *, max_size: int = 10, min_size: int = 1, name: str = "") -> PgDatabase:
        """Migrate the database at `url`, then open a pool on it (psycopg.Error if it fails)."""
        with psycopg.connect(url, autocommit=True, connect_timeout=CONNECT_TIMEOUT_S) as conn:
            migrate(conn)
        db = cls(url, max_size=max_size, min_size=min_size, name=name)
        db.pool.open(wait=False)
        return db

    @contextmanager
    def connection(self) -> Iterator[Connection[Any]]:
        with self.pool.connection(WAIT_S) as conn:
            yield conn

    @contextmanager
    def transaction(self, timeout: float | None = None) -> Iterator[Connection[Any]]:
        """One transaction: committed when the block ends, rolled back if it raises."""
        wait = WAIT_S if timeout is None else max(timeout, 0.001)
        started = time.monotonic()
        with self.pool.connection(wait) as conn, conn.transaction():
            left_ms = max(1, int((wait - (time.monotonic() - started)) * 1000))
            conn.execute("SELECT set_config('lock_timeout', %s, true)", [f"{left_ms}ms"])
            yield conn

    def close(self) -> None:
        self.pool.close()


def _configure(conn: Connection[Any]) -> None:
    conn.execute("SET TIME ZONE 'UTC'")
