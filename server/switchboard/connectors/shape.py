"""Turns a source's record into a row of the query's declared fields, with checked types.

SQL records are read by column name, HTTP records by each field's JSON pointer (default
`/<field name>`). A missing field or a value of the wrong type is a LookupFailure: a source that
answers in an unexpected shape is failing, and nothing it said is used. `null` is allowed for
every type; a text field with declared `values` must hold one of them. Messages name fields and
types, never values.
"""

from __future__ import annotations

import datetime as dt
import json
import math
from collections.abc import Callable, Mapping
from decimal import Decimal
from typing import Any

from switchboard.connectors import pointer
from switchboard.connectors.errors import LookupFailure
from switchboard.rules.model import Field, Query


def build_row(query: Query, record: Mapping[str, Any], *, by_pointer: bool) -> dict[str, Any]:
    row: dict[str, Any] = {}
    for name, field in query.fields.items():
        row[name] = coerce(field, _read(record, name, field.pointer, by_pointer))
    owner = query.owner_field
    if owner:
        if owner not in row:
            row[owner] = coerce(Field(owner, "string"), _read(record, owner, None, by_pointer))
        if not isinstance(row[owner], str) or not row[owner]:
            raise LookupFailure(f"owner field {owner} is empty or not a string")
    return row


def _read(record: Mapping[str, Any], name: str, at: str | None, by_pointer: bool) -> Any:
    if not by_pointer:
        if name not in record:
            raise LookupFailure(f"field {name} is missing from the result columns")
        return record[name]
    try:
        return pointer.resolve(record, at if at is not None else "/" + pointer.escape(name))
    except pointer.PointerMissing as missing:
        raise LookupFailure(f"field {name}: {missing}") from None


def coerce(field: Field, value: Any) -> Any:
    if value is None:
        return None
    try:
        result = _COERCE[field.type](value)
    except (TypeError, ValueError, OverflowError):
        raise LookupFailure(
            f"field {field.name}: expected {field.type}, got {type(value).__name__}"
        ) from None
    if field.values and result not in field.values:
        raise LookupFailure(f"field {field.name}: a value outside its declared values")
    return result


def _string(value: Any) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)  # numeric ids
    raise TypeError


def _number(value: Any) -> int | float:
    if isinstance(value, bool) or not isinstance(value, int | float | Decimal):
        raise TypeError
    if not math.isfinite(value):
        raise ValueError
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    return value


def _boolean(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, int) and value in (0, 1):  # SQLite has no boolean type
        return bool(value)
    raise TypeError


def _date(value: Any) -> dt.date:
    if isinstance(value, dt.datetime):
        return _datetime(value).date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str) and len(value) == 10:
        return dt.date.fromisoformat(value)
    raise TypeError


def _datetime(value: Any) -> dt.datetime:
    if isinstance(value, str):
        value = dt.datetime.fromisoformat(value)
    if not isinstance(value, dt.datetime):
        raise TypeError
    if value.tzinfo is None:  # naive times from the ERP are UTC
        return value.replace(tzinfo=dt.UTC)
    return value.astimezone(dt.UTC)


def _list(value: Any) -> list[Any]:
    if isinstance(value, str):  # a JSON array kept in a text column
        value = json.loads(value)
    if isinstance(value, list | tuple):
        return list(value)
    raise TypeError


_COERCE: dict[str, Callable[[Any], Any]] = {
    "string": _string,
    "number": _number,
    "boolean": _boolean,
    "date": _date,
    "datetime": _datetime,
    "list": _list,
}
