"""The `sql` kind on SQLite: read-only connections, a bounded pool, a hard per-query deadline.

The deadline is enforced inside SQLite: a progress handler aborts the running statement once the
deadline has passed, and the busy timeout never waits longer than the time left.
"""

from __future__ import annotations

import math
import sqlite3
import time
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from switchboard.connectors.errors import ConfigError, LookupFailure, LookupTimeout
from switchboard.connectors.pool import Pool
from switchboard.rules.model import Query

PREFIX = "sqlite:///"
_PROGRESS_STEPS = 1000  # virtual machine instructions between deadline checks


def sqlite_path(dsn: str) -> Path:
    """`sqlite:///var/erp.sqlite` is relative to the working directory, `sqlite:////srv/erp.db`
    absolute (the usual SQLAlchemy convention)."""
    if not dsn.startswith(PREFIX) or len(dsn) == len(PREFIX):
        raise ConfigError("a SQLite DSN looks like sqlite:///path/to/file.sqlite")
    path = dsn[len(PREFIX) :]
    if "?" in path or path == ":memory:":
        raise ConfigError("a SQLite DSN names a database file, without options")
    return Path(path)


class _Connection:
    def __init__(self, uri: str) -> None:
        self.deadline = math.inf
        self.db = sqlite3.connect(uri, uri=True, isolation_level=None, check_same_thread=False)
        self.db.set_progress_handler(self._expired, _PROGRESS_STEPS)
        self.db.execute("PRAGMA query_only = ON")

    def _expired(self) -> int:
        return 1 if time.monotonic() >= self.deadline else 0


class SqliteBackend:
    kind = "sqlite"

    def __init__(self, dsn: str, pool_size: int) -> None:
        self.path = sqlite_path(dsn)
        self._uri = f"{self.path.absolute().as_uri()}?mode=ro"
        self.pool: Pool[_Connection] = Pool(pool_size, self._open, lambda c: c.db.close())

    def _open(self) -> _Connection:
        return _Connection(self._uri)

    def run(
        self, query: Query, params: Mapping[str, Any], deadline: float
    ) -> dict[str, Any] | None:
        if not query.sql:
            raise ConfigError(f"query {query.name} has no sql")
        try:
            connection = self.pool.acquire(deadline)
        except sqlite3.Error as error:
            raise LookupFailure(f"sqlite: cannot open the database: {error}") from None
        discard = False
        try:
            connection.deadline = deadline
            left_ms = max(1, int((deadline - time.monotonic()) * 1000))
            connection.db.execute(f"PRAGMA busy_timeout = {left_ms}")
            cursor = connection.db.execute(query.sql, dict(params))
            rows = cursor.fetchmany(2)
            names = [column[0] for column in cursor.description or ()]
            cursor.close()
        except sqlite3.Error as error:
            if time.monotonic() >= deadline:
                raise LookupTimeout("query did not finish within the timeout") from None
            discard = not isinstance(error, sqlite3.ProgrammingError)
            raise LookupFailure(f"sqlite: {type(error).__name__}: {error}") from None
        finally:
            connection.deadline = math.inf
            self.pool.release(connection, discard=discard)
        if len(rows) > 1:
            raise LookupFailure("query returned more than one row")
        return dict(zip(names, rows[0], strict=True)) if rows else None

    def close(self) -> None:
        self.pool.close()
