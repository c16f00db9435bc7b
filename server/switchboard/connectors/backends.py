"""Chooses the backend for a connector from its kind and the setting it names."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Protocol

from switchboard.connectors.errors import ConfigError
from switchboard.rules.model import Connector, Query


class Backend(Protocol):
    kind: str

    def run(self, query: Query, params: Mapping[str, Any], deadline: float) -> Any:
        """The raw record (a mapping) or None when nothing matches; raises LookupFailure."""

    def close(self) -> None: ...


def create_backend(connector: Connector, env: Mapping[str, str]) -> Backend:
    if connector.kind == "http":
        from switchboard.connectors.http import HttpBackend

        return HttpBackend(connector, env)
    if connector.kind != "sql":
        raise ConfigError(f"connector {connector.id} has an unknown kind {connector.kind!r}")
    setting = connector.dsn_setting
    if not setting:
        raise ConfigError(f"connector {connector.id} has no dsn_setting")
    dsn = env.get(setting, "").strip()
    if not dsn:
        raise ConfigError(f"setting {setting} is not set (needed by connector {connector.id})")
    if "://" not in dsn:
        raise ConfigError(
            f"setting {setting} is not a connection URL (sqlite:///..., postgresql://...)"
        )
    scheme = dsn.split(":", 1)[0].lower()
    if scheme == "sqlite":
        from switchboard.connectors.sql_sqlite import SqliteBackend

        return SqliteBackend(dsn, connector.pool_size)
    if scheme in {"postgresql", "postgres"}:
        from switchboard.connectors.sql_postgres import PostgresBackend

        return PostgresBackend(dsn, connector.pool_size, connector.timeout_ms)
    raise ConfigError(f"setting {setting}: unsupported database {scheme!r} (sqlite, postgresql)")
