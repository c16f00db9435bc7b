"""The `sql` kind on PostgreSQL (psycopg 3, the `postgres` extra), imported only when used.

Connections are read-only and autocommit; each query runs with `statement_timeout` set to the
time left before the connector's deadline, so the server itself stops a slow query.
"""

from __future__ import annotations

import math
import time
from collections.abc import Mapping
from typing import Any

from switchboard.connectors.errors import ConfigError, LookupFailure, LookupTimeout
from switchboard.connectors.params import to_pyformat
from switchboard.connectors.pool import Pool
from switchboard.rules.model import Query


class PostgresBackend:
    kind = "postgresql"

    def __init__(self, dsn: str, pool_size: int, timeout_ms: int) -> None:
        try:
            import psycopg
        except ImportError:
            raise ConfigError(
                "the DSN is PostgreSQL but psycopg is not installed "
                "(pip install 'switchboard[postgres]')"
            ) from None
        self._psycopg = psycopg
        self._dsn = dsn
        self._connect_timeout = max(2, math.ceil(timeout_ms / 1000))
        self._statements: dict[str, str] = {}
        self.pool: Pool[Any] = Pool(pool_size, self._open, lambda c: c.close())

    def _open(self) -> Any:
        return self._psycopg.connect(
            self._dsn,
            autocommit=True,
            connect_timeout=self._connect_timeout,
            options="-c default_transaction_read_only=on",
        )

    def _statement(self, query: Query) -> str:
        if not query.sql:
            raise ConfigError(f"query {query.name} has no sql")
        if query.sql not in self._statements:
            self._statements[query.sql] = to_pyformat(query.sql)
        return self._statements[query.sql]

    def run(
        self, query: Query, params: Mapping[str, Any], deadline: float
    ) -> dict[str, Any] | None:
        statement = self._statement(query)
        errors = self._psycopg.errors
        try:
            connection = self.pool.acquire(deadline)
        except self._psycopg.Error as error:
            raise LookupFailure(f"postgresql: cannot connect: {type(error).__name__}") from None
        discard = False
        try:
            left_ms = max(1, int((deadline - time.monotonic()) * 1000))
            with connection.cursor() as cursor:
                cursor.execute("SELECT set_config('statement_timeout', %s, false)", (str(left_ms),))
                cursor.execute(statement, dict(params))
                rows = cursor.fetchmany(2)
                names = [column.name for column in cursor.description or ()]
        except errors.QueryCanceled:
            raise LookupTimeout("query did not finish within the timeout") from None
        except self._psycopg.Error as error:
            discard = connection.closed or connection.broken
            state = getattr(error, "sqlstate", None) or "-"
            raise LookupFailure(f"postgresql: {type(error).__name__} ({state})") from None
        finally:
            self.pool.release(connection, discard=discard)
        if len(rows) > 1:
            raise LookupFailure("query returned more than one row")
        return dict(zip(names, rows[0], strict=True)) if rows else None

    def close(self) -> None:
        self.pool.close()
