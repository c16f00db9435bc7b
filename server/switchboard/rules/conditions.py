"""Checks the conditions of escalation rules and compiles them into model conditions.

A condition is plain data ({fact, op, value} / all / any / not). Every test is checked against
the fact catalogue: the fact must exist, the operator must suit the fact's type, the value must
suit both. Each test also gets its `compiled` value ready for the engine: an RE2 expression
for `matches`, normalised phrases for `contains_any`, a set for `in`/`not_in`, a date for
date comparisons.
"""

from __future__ import annotations

import datetime as dt
import difflib
import re
from typing import Any

from switchboard.rules.document import Document
from switchboard.rules.facts import ANY, Catalogue
from switchboard.rules.model import All, AnyOf, Condition, Not, Test
from switchboard.rules.problems import Problem
from switchboard.rules.regex import RegexProblem, compile_re2
from switchboard.rules.textnorm import normalise

_SCALAR_TYPES = {"text", "string", "number", "boolean", "enum", "date", "datetime", ANY}
OPERATORS: dict[str, set[str]] = {
    "eq": _SCALAR_TYPES,
    "ne": _SCALAR_TYPES,
    "in": {"string", "enum", "number", ANY},
    "not_in": {"string", "enum", "number", ANY},
    "gt": {"number", "date", "datetime", ANY},
    "gte": {"number", "date", "datetime", ANY},
    "lt": {"number", "date", "datetime", ANY},
    "lte": {"number", "date", "datetime", ANY},
    "exists": _SCALAR_TYPES | {"list"},
    "contains_any": {"text", "string", ANY},
    "matches": {"text", "string", ANY},
}
_LIST_OPS = {"in", "not_in", "contains_any"}
_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_WORDS = {
    "text": "text",
    "string": "text",
    "enum": "text",
    "number": "a number",
    "boolean": "true or false",
    "date": "a date such as 2026-12-31",
    "datetime": "a date and time such as 2026-12-31T17:00",
}


class _Invalid(Exception):
    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code, self.message = code, message


def compile_condition(
    doc: Document, pointer: str, raw: Any, facts: Catalogue, problems: list[Problem]
) -> Condition | None:
    """The compiled condition, or None after adding its problems to `problems`."""
    if "all" in raw or "any" in raw:
        key = "all" if "all" in raw else "any"
        items = [
            compile_condition(doc, f"{pointer}/{key}/{n}", item, facts, problems)
            for n, item in enumerate(raw[key])
        ]
        if any(item is None for item in items):
            return None
        parts = tuple(item for item in items if item is not None)
        return All(parts) if key == "all" else AnyOf(parts)
    if "not" in raw:
        inner = compile_condition(doc, f"{pointer}/not", raw["not"], facts, problems)
        return None if inner is None else Not(inner)
    try:
        compiled = _test(raw, facts)
    except _Invalid as exc:
        field = (
            "fact"
            if exc.code == "unknown_fact"
            else "op"
            if exc.code == "operator_type"
            else "value"
        )
        problems.append(doc.problem(f"{pointer}/{field}", exc.code, exc.message))
        return None
    value = tuple(raw["value"]) if isinstance(raw["value"], list) else raw["value"]
    return Test(raw["fact"], raw["op"], value, doc.location(pointer), compiled)


def _test(raw: dict[str, Any], facts: Catalogue) -> Any:
    fact, op, value = raw["fact"], raw["op"], raw["value"]
    kind = facts.type_of(fact)
    if kind is None:
        close = difflib.get_close_matches(fact, list(facts.types), n=3)
        hint = f" Did you mean {' or '.join(close)}?" if close else ""
        raise _Invalid("unknown_fact", f"There is no fact `{fact}` to test.{hint}")
    if kind not in OPERATORS[op]:
        fits = ", ".join(o for o, kinds in OPERATORS.items() if kind in kinds)
        raise _Invalid(
            "operator_type",
            f"`{op}` cannot be used on `{fact}`, which is {_WORDS.get(kind, 'a ' + kind)}. "
            f"Use one of: {fits}.",
        )
    if op == "exists":
        if type(value) is not bool:
            raise _Invalid("value_type", "`exists` takes true (has a value) or false (has none).")
        return None
    if op in _LIST_OPS:
        if type(value) is not list or not value:
            raise _Invalid("value_type", f"`{op}` needs a list of values, e.g. [a, b].")
        if op == "contains_any":
            return _phrases(value)
        return frozenset(_scalar(fact, kind, item, facts) for item in value)
    if type(value) is list:
        raise _Invalid("value_type", f"`{op}` compares with one value, not a list.")
    if op == "matches":
        if type(value) is not str:
            raise _Invalid("value_type", "`matches` needs a regular expression written as text.")
        try:
            return compile_re2(value)
        except RegexProblem as exc:
            raise _Invalid(exc.code, exc.message) from None
    checked = _scalar(fact, kind, value, facts)
    return checked if kind in ("date", "datetime") else None


def _phrases(value: list[Any]) -> tuple[str, ...]:
    phrases = tuple(normalise(item) if type(item) is str else "" for item in value)
    if not all(phrases):
        raise _Invalid("value_type", "`contains_any` needs words or phrases, none of them empty.")
    return phrases


def _scalar(fact: str, kind: str, value: Any, facts: Catalogue) -> Any:
    """The value checked against the fact's type (and allowed values); dates parsed."""
    if kind == ANY:
        return value
    if kind == "number":
        ok = type(value) in (int, float)
    elif kind == "boolean":
        ok = type(value) is bool
    elif kind in ("date", "datetime"):
        return _when(kind, value)
    else:
        ok = type(value) is str
    if not ok:
        found = "text" if isinstance(value, str) else repr(value)
        raise _Invalid(
            "value_type",
            f"`{fact}` is {_WORDS[kind]}, so it cannot be compared with {found} "
            f"({value!r}). Write the value as {_WORDS[kind]}.",
        )
    allowed = facts.values.get(fact)
    if allowed is not None and value not in allowed:
        close = difflib.get_close_matches(str(value), list(allowed), n=3)
        hint = f" Did you mean {' or '.join(close)}?" if close else ""
        if not close and len(allowed) <= 12:
            hint = f" Allowed: {', '.join(sorted(allowed))}."
        raise _Invalid("value_not_allowed", f"`{value}` is not a possible value of `{fact}`.{hint}")
    return value


def _when(kind: str, value: Any) -> dt.date:
    try:
        if kind == "date" and type(value) is str and _DATE.fullmatch(value):
            return dt.date.fromisoformat(value)
        if kind == "datetime" and type(value) is str:
            return dt.datetime.fromisoformat(value)
    except ValueError:
        pass
    raise _Invalid("value_type", f"Write the value as {_WORDS[kind]} (it is {value!r}).")
