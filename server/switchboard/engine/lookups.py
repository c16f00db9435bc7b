"""Runs an intent's live-data lookups in order, with the ownership check.

A row whose owner field is not the asking customer's id is dropped on the spot: it never
reaches the facts, the templates or the decision record, and the lookup's status becomes
`ownership_mismatch`. The first lookup that does not succeed stops the rest: the decision
will go to a person anyway, and the data systems are spared needless queries.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from switchboard.engine.facts import data_facts
from switchboard.engine.types import DataSource, DataUse, LookupResult, LookupStatus
from switchboard.rules.model import Answer, Field, Lookup, Query


class FieldTypeError(ValueError):
    """A live value does not have the type its query declares."""


@dataclass(slots=True)
class LookupRun:
    status: LookupStatus = "not_needed"
    rows: dict[str, dict[str, Any]] = field(default_factory=dict)  # `as` name -> owned row
    uses: list[DataUse] = field(default_factory=list)


def _to_bool(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, int | float) and value in (0, 1):
        return bool(value)
    if isinstance(value, str) and value.strip().lower() in {"true", "false", "1", "0"}:
        return value.strip().lower() in {"true", "1"}
    raise FieldTypeError(f"not a boolean: {value!r}")


def _to_number(value: Any) -> float | int:
    if isinstance(value, bool):
        raise FieldTypeError(f"not a number: {value!r}")
    if isinstance(value, int | float):
        return value
    try:
        return float(str(value))
    except ValueError:
        raise FieldTypeError(f"not a number: {value!r}") from None


def _to_date(value: Any) -> dt.date:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value)[:10])
    except ValueError:
        raise FieldTypeError(f"not a date: {value!r}") from None


def _to_datetime(value: Any) -> dt.datetime:
    if isinstance(value, dt.datetime):
        return value
    if isinstance(value, dt.date):
        return dt.datetime(value.year, value.month, value.day)
    try:
        return dt.datetime.fromisoformat(str(value))
    except ValueError:
        raise FieldTypeError(f"not a date and time: {value!r}") from None


def _to_list(value: Any) -> list[Any]:
    if isinstance(value, list | tuple):
        return list(value)
    raise FieldTypeError(f"not a list: {value!r}")


_COERCE: dict[str, Callable[[Any], Any]] = {
    "string": str,
    "number": _to_number,
    "boolean": _to_bool,
    "date": _to_date,
    "datetime": _to_datetime,
    "list": _to_list,
}


def typed_row(fields: Mapping[str, Field], row: Mapping[str, Any]) -> dict[str, Any]:
    """The declared fields of `row`, each in its declared type; undeclared columns are left out."""
    typed: dict[str, Any] = {}
    for name, spec in fields.items():
        value = row.get(name)
        typed[name] = None if value is None else _COERCE[spec.type](value)
    return typed


def bind_params(lookup: Lookup, query: Query, facts: Mapping[str, Any]) -> dict[str, Any]:
    """Query params from the facts named by `params`, else from `entities.<param>`."""
    mapping: Mapping[str, str] = getattr(lookup, "params", None) or {}
    return {p: facts.get(mapping.get(p, f"entities.{p}")) for p in query.params}


def _owned(query: Query, row: Mapping[str, Any], customer_id: str) -> bool:
    if not query.owner_field:
        return True
    owner = row.get(query.owner_field)
    return owner is not None and str(owner) == customer_id


def _use(result: LookupResult, source: str, status: LookupStatus, fields: list[str]) -> DataUse:
    return DataUse(source, status, fields, result.fetched_at, result.age_ms)


def run_lookups(
    answer: Answer,
    queries: Mapping[tuple[str, str], Query],
    facts: dict[str, Any],
    customer_id: str,
    data: DataSource,
) -> LookupRun:
    """Fetch every lookup of `answer`; adds `data.<as>.<field>` facts for owned rows."""
    run = LookupRun(status="ok")
    for lookup in answer.lookups:
        query = queries[(lookup.connector, lookup.query)]
        source = f"{lookup.connector}.{lookup.query}"
        result = data.fetch(lookup.connector, lookup.query, bind_params(lookup, query, facts))
        status: LookupStatus = result.status
        row = result.row if status == "ok" else None
        if status == "ok" and row is None:
            status = "not_found"
        elif row is not None and not _owned(query, row, customer_id):
            status, row = "ownership_mismatch", None
        if row is not None:
            try:
                typed = typed_row(query.fields, row)
            except FieldTypeError:
                status, row = "error", None
        if row is None or status != "ok":
            run.status = status if status != "ok" else "error"
            run.uses.append(_use(result, source, run.status, []))
            return run
        run.rows[lookup.as_] = typed
        facts.update(data_facts(lookup.as_, typed))
        present = [name for name, value in typed.items() if value is not None]
        run.uses.append(_use(result, source, "ok", present))
    return run
