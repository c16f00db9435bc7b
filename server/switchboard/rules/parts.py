"""Compiles data connections and their queries into the model."""

from __future__ import annotations

from types import MappingProxyType
from typing import Any

from switchboard.rules.model import Connector, Field, Query
from switchboard.rules.units import duration_seconds


def connector(data: dict[str, Any]) -> Connector:
    breaker = data.get("circuit_breaker", {})
    auth = data.get("auth", {})
    return Connector(
        id=data["id"],
        kind=data["kind"],
        description=data.get("description", ""),
        timeout_ms=data["timeout_ms"],
        max_age_s=duration_seconds(data.get("max_age", "0s")),
        pool_size=data.get("pool_size", 4),
        breaker_failures=breaker.get("failures", 5),
        breaker_reset_s=duration_seconds(breaker.get("reset_after", "30s")),
        queries=MappingProxyType({name: _query(name, q) for name, q in data["queries"].items()}),
        dsn_setting=data.get("dsn_setting"),
        base_url_setting=data.get("base_url_setting"),
        auth_header=auth.get("header"),
        auth_scheme=auth.get("scheme"),
        auth_secret_setting=auth.get("secret_setting"),
    )


def _query(name: str, data: dict[str, Any]) -> Query:
    fields = {
        field: Field(field, spec["type"], spec.get("pointer"), tuple(spec.get("values", ())))
        for field, spec in data["fields"].items()
    }
    request = data.get("request", {})
    return Query(
        name=name,
        description=data.get("description", ""),
        params=tuple(data["params"]),
        fields=MappingProxyType(fields),
        owner_field=data.get("owner_field"),
        sql=data.get("sql"),
        method=request.get("method", "GET"),
        path=request.get("path"),
        query_params=MappingProxyType(dict(request.get("query", {}))),
        result_pointer=data.get("result", ""),
    )
