"""DataSources that need no live system: recorded fixtures, "nothing reachable", and
"every lookup succeeds" (used to measure what the classifier and rules alone would automate).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from switchboard.engine.types import Customer, LookupResult, LookupStatus
from switchboard.rules.model import Field, Query, Ruleset

FAILURE_STATUSES: dict[str, LookupStatus] = {
    "timeout": "timeout",
    "error": "error",
    "not_found": "not_found",
    "circuit_open": "circuit_open",
}


class FixtureDataSource:
    """Answers from `{"connector.query": row | {"error": kind}}`; anything else is an error."""

    def __init__(self, fixtures: Mapping[str, Mapping[str, Any]], now: dt.datetime) -> None:
        self.fixtures = fixtures
        self.now = now
        self.calls: list[tuple[str, dict[str, Any]]] = []

    def fetch(self, connector: str, query: str, params: dict[str, Any]) -> LookupResult:
        source = f"{connector}.{query}"
        self.calls.append((source, dict(params)))
        fixture = self.fixtures.get(source)
        if fixture is None:
            return LookupResult("error", source=source, error=f"no fixture for {source}")
        error = fixture.get("error") if len(fixture) == 1 else None
        if error is not None:
            status: LookupStatus = FAILURE_STATUSES.get(str(error), "error")
            return LookupResult(status, source=source, fetched_at=self.now, error=str(error))
        return LookupResult("ok", dict(fixture), source, fetched_at=self.now)


class UnavailableDataSource:
    """Every lookup fails with `error`: decisions route instead of answering from nothing."""

    def __init__(self, reason: str = "no live data source is configured") -> None:
        self.reason = reason

    def fetch(self, connector: str, query: str, params: dict[str, Any]) -> LookupResult:
        return LookupResult("error", source=f"{connector}.{query}", error=self.reason)


ASSUMED_CUSTOMER = Customer(id="C00000", name="Assumed customer", tier="standard")


class AssumedDataSource:
    """Every lookup finds a plausible row owned by `customer`, built from the declared fields.

    Used by `switchboard classify` and the classifier evaluation to answer "would the engine
    automate this, if the data were there and belonged to the sender?".
    """

    def __init__(self, ruleset: Ruleset, now: dt.datetime, customer: Customer) -> None:
        self.queries = {
            (connector.id, name): query
            for connector in ruleset.connectors.values()
            for name, query in connector.queries.items()
        }
        self.now = now
        self.customer = customer

    def fetch(self, connector: str, query: str, params: dict[str, Any]) -> LookupResult:
        spec = self.queries.get((connector, query))
        source = f"{connector}.{query}"
        if spec is None:
            return LookupResult("error", source=source, error=f"unknown query {source}")
        return LookupResult("ok", self.row(spec, params), source, fetched_at=self.now)

    def row(self, query: Query, params: Mapping[str, Any]) -> dict[str, Any]:
        today = self.now.date()
        plausible: dict[str, Any] = {
            "number": 100,
            "boolean": False,
            "date": today + dt.timedelta(days=3),
            "datetime": self.now,
            "list": [],
        }
        row = {
            name: plausible[field.type] if field.type != "string" else _text(field, params)
            for name, field in query.fields.items()
        }
        if query.owner_field:
            row[query.owner_field] = self.customer.id
        return row


def _text(field: Field, params: Mapping[str, Any]) -> str:
    """The reference asked for when the field is named like it (`order_no` for `order_number`),
    else the first declared value, else a neutral placeholder."""
    stem = field.name.split("_")[0]
    for name, value in params.items():
        if value is not None and name.split("_")[0] == stem:
            return str(value)
    values = getattr(field, "values", ())
    if values:
        return str(values[0])
    return "EUR" if field.name == "currency" else "x"
