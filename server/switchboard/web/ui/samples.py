"""Sample data for trying messages and previewing answer texts, without a live system.

The rows come from the repository's own test cases, which hold records of the demo ERP
(`data: {erp.order_by_reference: {...}}`). A lookup gets the recorded row whose values match
its inputs, else the first recorded row of that query, else a plausible row made from the
query's field types. The row always belongs to the chosen customer: the sample shows what the
rules do with the data, not whether the data belongs to the sender.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from switchboard.engine.sources import AssumedDataSource
from switchboard.engine.types import Customer, LookupResult
from switchboard.rules.model import Ruleset

UNKNOWN = ""


def sample_rows(ruleset: Ruleset) -> dict[str, list[dict[str, Any]]]:
    """Recorded rows per `connector.query`, from every test case, without failures."""
    rows: dict[str, list[dict[str, Any]]] = {}
    for case in ruleset.tests:
        for source, row in case.data.items():
            if isinstance(row, Mapping) and not (len(row) == 1 and "error" in row):
                found = rows.setdefault(source, [])
                if dict(row) not in found:
                    found.append(dict(row))
    return rows


def sample_customers(ruleset: Ruleset) -> list[Customer]:
    """The customers of the test cases, each once, in file order."""
    seen: dict[str, Customer] = {}
    for case in ruleset.tests:
        raw = case.customer
        if isinstance(raw, Mapping) and raw.get("id") and str(raw["id"]) not in seen:
            seen[str(raw["id"])] = Customer(
                id=str(raw["id"]),
                name=str(raw.get("name", "")),
                account_no=_text(raw.get("account_no")),
                tier=str(raw.get("tier", "standard")),
                segment=_text(raw.get("segment")),
                country=_text(raw.get("country")),
                locale=_text(raw.get("locale")),
            )
    return list(seen.values())


def pick_customer(ruleset: Ruleset, customer_id: str) -> Customer | None:
    if customer_id == UNKNOWN:
        return None
    for customer in sample_customers(ruleset):
        if customer.id == customer_id:
            return customer
    return Customer(id=customer_id, name="Sample customer")


class SampleData:
    """A DataSource answering from the sample rows, owned by `customer`."""

    def __init__(self, ruleset: Ruleset, customer: Customer | None, now: dt.datetime) -> None:
        self.rows = sample_rows(ruleset)
        self.owner = customer or Customer(id="C00000", name="Sample customer")
        self.assumed = AssumedDataSource(ruleset, now, self.owner)
        self.now = now
        self.used: list[str] = []

    def fetch(self, connector: str, query: str, params: dict[str, Any]) -> LookupResult:
        source = f"{connector}.{query}"
        spec = self.assumed.queries.get((connector, query))
        if spec is None:
            return LookupResult("error", source=source, error=f"unknown query {source}")
        row = self.row_for(source, params)
        if row is None:
            row = self.assumed.row(spec, params)
            self.used.append(f"{source}: made up from the field types")
        else:
            self.used.append(f"{source}: recorded row from the test cases")
        if spec.owner_field:
            row[spec.owner_field] = self.owner.id
        return LookupResult("ok", row, source, fetched_at=self.now)

    def row_for(self, source: str, params: Mapping[str, Any]) -> dict[str, Any] | None:
        rows = self.rows.get(source, [])
        wanted = {str(v).upper() for v in params.values() if v is not None}
        for row in rows:
            if wanted & {str(v).upper() for v in row.values() if v is not None}:
                return dict(row)
        return dict(rows[0]) if rows else None


def _text(value: Any) -> str | None:
    return None if value is None else str(value)
