"""Query parameters: which values may be bound, and `:name` placeholders in SQL text.

Values are only ever bound by the driver, never pasted into SQL. `to_pyformat` rewrites the
`:name` placeholders of a query into psycopg's `%(name)s`, skipping string literals, quoted
identifiers, comments, dollar quotes and `::` casts, and doubling literal `%` signs.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from switchboard.connectors.errors import ConfigError
from switchboard.rules.model import Query

MAX_PARAM_CHARS = 256
Scalar = str | int | float | bool | None


class ParamError(ValueError):
    """A parameter value cannot be bound (wrong type, too long)."""


def bind(query: Query, params: Mapping[str, Any]) -> dict[str, Scalar]:
    """The query's declared params with their values; missing ones are None, extras ignored."""
    return {name: _scalar(name, params.get(name)) for name in query.params}


def _scalar(name: str, value: Any) -> Scalar:
    if isinstance(value, str):
        value = value.strip()
        if len(value) > MAX_PARAM_CHARS:
            raise ParamError(f"param {name} is longer than {MAX_PARAM_CHARS} characters")
        return value or None
    if value is None or isinstance(value, bool | int):
        return value
    if isinstance(value, float | Decimal):
        if not math.isfinite(value):
            raise ParamError(f"param {name} is not a finite number")
        return float(value)
    if isinstance(value, dt.date):  # dates and datetimes
        return value.isoformat()
    raise ParamError(f"param {name} has an unsupported type {type(value).__name__}")


_DOLLAR = re.compile(r"\$([A-Za-z_][A-Za-z0-9_]*)?\$")
_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


def _skip(sql: str, i: int) -> int | None:
    """If a literal, quoted identifier, comment or dollar quote starts at `i`, where it ends."""
    ch = sql[i]
    if ch in "'\"":
        escapes = ch == "'" and i > 0 and sql[i - 1] in "eE" and not _is_word(sql, i - 2)
        j = i + 1
        while j < len(sql):
            if escapes and sql[j] == "\\":
                j += 2
                continue
            if sql[j] == ch:
                if sql.startswith(ch * 2, j):
                    j += 2
                    continue
                return j + 1
            j += 1
        raise ConfigError("unterminated quote in SQL")
    if sql.startswith("--", i):
        end = sql.find("\n", i)
        return len(sql) if end < 0 else end
    if sql.startswith("/*", i):
        end = sql.find("*/", i + 2)
        if end < 0:
            raise ConfigError("unterminated comment in SQL")
        return end + 2
    match = _DOLLAR.match(sql, i) if ch == "$" and not _is_word(sql, i - 1) else None
    if match:
        end = sql.find(match.group(0), match.end())
        if end < 0:
            raise ConfigError("unterminated dollar quote in SQL")
        return end + len(match.group(0))
    return None


def _is_word(sql: str, i: int) -> bool:
    return 0 <= i < len(sql) and (sql[i].isalnum() or sql[i] == "_")


def _scan(sql: str) -> tuple[str, list[str]]:
    out: list[str] = []
    names: list[str] = []
    i = 0
    while i < len(sql):
        end = _skip(sql, i)
        if end is not None:
            out.append(sql[i:end].replace("%", "%%"))
            i = end
            continue
        ch = sql[i]
        if sql.startswith("::", i):
            out.append("::")
            i += 2
            continue
        match = _NAME.match(sql, i + 1) if ch == ":" and not _is_word(sql, i - 1) else None
        if match:
            names.append(match.group(0))
            out.append(f"%({match.group(0)})s")
            i = match.end()
            continue
        out.append("%%" if ch == "%" else ch)
        i += 1
    return "".join(out), names


def to_pyformat(sql: str) -> str:
    """`WHERE a = :x AND b::date = :y` -> `WHERE a = %(x)s AND b::date = %(y)s`."""
    return _scan(sql)[0]


def sql_param_names(sql: str) -> list[str]:
    """The distinct `:name` placeholders of a query, in order of first use."""
    return list(dict.fromkeys(_scan(sql)[1]))
