"""Evaluates rule conditions over the facts of one inquiry.

Conditions are compiled once per revision into small closures (`Compiler`), so a decision
evaluates hundreds of rules in microseconds. Semantics, as in docs/rules.md: a test on a fact
without a value is false, except `exists: false`, which is true, and `not` inverts whatever
its condition gives. Numbers compare only with numbers (a boolean is not a number), dates
only with dates; `contains_any` matches whole words or phrases on case- and accent-folded
text, with German umlauts also matched in their two-letter spelling (`ue` for `ü`).

Every `contains_any` phrase of a revision goes into one `PhraseBook` (engine.factview); a
FactView finds all of them in a text in a single pass, and each test then only asks whether
one of its own phrases was found.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from numbers import Real
from typing import Any

from switchboard.engine.extract import compile_pattern
from switchboard.engine.factview import FactView, PhraseBook
from switchboard.rules.model import All, AnyOf, Condition, Not, Test

_PLAIN_NUMBERS = (int, float)


Predicate = Callable[[FactView], bool]


def _is_number(value: Any) -> bool:
    return isinstance(value, Real) and not isinstance(value, bool)


def _as_date(value: Any) -> Any:
    """ISO strings become dates; everything else is returned unchanged."""
    if isinstance(value, str) and len(value) >= 10:
        try:
            return dt.date.fromisoformat(value[:10])
        except ValueError:
            return value
    return value


def _comparable(fact: Any, value: Any) -> tuple[Any, Any] | None:
    """Both sides in one comparable type, or None when they cannot be compared."""
    if _is_number(fact) and _is_number(value):
        return fact, value
    if isinstance(fact, dt.date) or isinstance(value, dt.date):
        fact, value = _as_date(fact), _as_date(value)
        if not (isinstance(fact, dt.date) and isinstance(value, dt.date)):
            return None
        if not (isinstance(fact, dt.datetime) and isinstance(value, dt.datetime)):
            fact = fact.date() if isinstance(fact, dt.datetime) else fact
            value = value.date() if isinstance(value, dt.datetime) else value
        elif (fact.tzinfo is None) != (value.tzinfo is None):
            fact, value = fact.date(), value.date()
        return fact, value
    if isinstance(fact, bool) or isinstance(value, bool):
        return (fact, value) if isinstance(fact, bool) and isinstance(value, bool) else None
    if isinstance(fact, str) and isinstance(value, str):
        return fact, value
    return None


def same(fact: Any, value: Any) -> bool:
    pair = _comparable(fact, value)
    return pair is not None and pair[0] == pair[1]


ORDER: dict[str, Callable[[Any, Any], bool]] = {
    "gt": lambda a, b: a > b,
    "gte": lambda a, b: a >= b,
    "lt": lambda a, b: a < b,
    "lte": lambda a, b: a <= b,
}


def _and(a: Predicate, b: Predicate) -> Predicate:
    return lambda f: a(f) and b(f)


def _or(a: Predicate, b: Predicate) -> Predicate:
    return lambda f: a(f) or b(f)


def _equality(name: str, op: str, target: Any) -> Predicate:
    equal = op == "eq"
    if isinstance(target, bool):  # booleans are singletons: identity is exact and fast
        if equal:
            return lambda f: f.get(name) is target
        return lambda f: (v := f.get(name)) is not None and v.__class__ is bool and v is not target
    if target.__class__ in _PLAIN_NUMBERS or isinstance(target, str):
        kind = _PLAIN_NUMBERS if target.__class__ in _PLAIN_NUMBERS else (str,)
        if equal:
            return lambda f: (
                (v := f.get(name)) is not None
                and (v == target if v.__class__ in kind else same(v, target))
            )
        return lambda f: (
            (v := f.get(name)) is not None
            and (v != target if v.__class__ in kind else not same(v, target))
        )
    if equal:
        return lambda f: (v := f.get(name)) is not None and same(v, target)
    return lambda f: (v := f.get(name)) is not None and not same(v, target)


def _membership(name: str, op: str, targets: tuple[Any, ...]) -> Predicate:
    strings = frozenset(t for t in targets if isinstance(t, str))
    others = tuple(t for t in targets if not isinstance(t, str))
    inside = op == "in"
    if not others:
        if inside:
            return lambda f: (v := f.get(name)) is not None and v.__class__ is str and v in strings
        return lambda f: (
            (v := f.get(name)) is not None and not (v.__class__ is str and v in strings)
        )

    def member(v: Any) -> bool:
        if v.__class__ is str and v in strings:
            return True
        return any(same(v, t) for t in others)

    if inside:
        return lambda f: (v := f.get(name)) is not None and member(v)
    return lambda f: (v := f.get(name)) is not None and not member(v)


def _ordering(name: str, op: str, bound: Any) -> Predicate:
    compare = ORDER[op]
    if bound.__class__ in _PLAIN_NUMBERS:
        numbers = _PLAIN_NUMBERS

        def fast(f: FactView) -> bool:
            v = f.get(name)
            if v.__class__ in numbers:
                return compare(v, bound)
            return v is not None and in_order(v, bound, compare)

        return fast
    return lambda f: (v := f.get(name)) is not None and in_order(v, bound, compare)


def in_order(v: Any, bound: Any, compare: Callable[[Any, Any], bool]) -> bool:
    pair = _comparable(v, bound)
    if pair is None or isinstance(pair[0], str | bool):
        return False
    return compare(pair[0], pair[1])


class Compiler:
    """Compiles conditions of one revision, sharing one PhraseBook between them."""

    def __init__(self, fact_types: Mapping[str, str]) -> None:
        self.fact_types = fact_types
        self.book = PhraseBook()

    def compile(self, condition: Condition) -> Predicate:
        """A predicate over a FactView that holds exactly when `condition` does."""
        if isinstance(condition, Test):
            return self.test(condition)
        if isinstance(condition, All | AnyOf):
            parts = [self.compile(c) for c in condition.items]
            if not parts:
                empty = isinstance(condition, All)
                return lambda f: empty
            join = _and if isinstance(condition, All) else _or
            combined = parts[0]
            for part in parts[1:]:
                combined = join(combined, part)
            return combined
        if isinstance(condition, Not):
            inner = self.compile(condition.item)
            return lambda f: not inner(f)
        raise TypeError(f"not a condition: {condition!r}")

    def phrases(self, test: Test) -> frozenset[str]:
        prepared = test.compiled
        source = prepared if isinstance(prepared, list | tuple | frozenset | set) else test.value
        return self.book.add(test.fact, source)

    def test(self, test: Test) -> Predicate:
        name, op, value = test.fact, test.op, test.value
        wants_date = self.fact_types.get(name) in {"date", "datetime"}
        if op == "exists":
            if value:
                return lambda f: f.get(name) is not None
            return lambda f: f.get(name) is None
        if op in {"eq", "ne"}:
            return _equality(name, op, _as_date(value) if wants_date else value)
        if op in {"in", "not_in"}:
            return _membership(name, op, tuple(_as_date(v) if wants_date else v for v in value))
        if op in ORDER:
            return _ordering(name, op, _as_date(value) if isinstance(value, str) else value)
        if op == "contains_any":
            keys = self.phrases(test)
            return lambda f: not keys.isdisjoint(f.found(name))
        if op == "matches":
            if not hasattr(test.compiled, "search"):
                compile_pattern(value)  # refuses what RE2 cannot run before it joins the set
            index = self.book.add_pattern(name, value)
            return lambda f: index in f.matched(name)
        raise ValueError(f"unknown operator {op!r} on fact {name!r}")


def evaluate(condition: Condition, facts: Mapping[str, Any]) -> bool:
    """One-off evaluation (tests, tools); the engine uses a revision's compiled program."""
    compiler = Compiler({})
    predicate = compiler.compile(condition)
    return predicate(FactView(facts, compiler.book))


def referenced_facts(condition: Condition) -> set[str]:
    if isinstance(condition, Test):
        return {condition.fact}
    if isinstance(condition, All | AnyOf):
        return set().union(*(referenced_facts(c) for c in condition.items))
    return referenced_facts(condition.item)


def intents_of(condition: Condition) -> frozenset[str] | None:
    """The intents for which `condition` can hold, or None when it does not depend on intent."""
    if isinstance(condition, Test):
        if condition.fact != "intent":
            return None
        if condition.op == "eq":
            return frozenset([condition.value])
        if condition.op == "in":
            return frozenset(condition.value)
        return None
    if isinstance(condition, All):
        limits = [x for x in (intents_of(c) for c in condition.items) if x is not None]
        return frozenset.intersection(*limits) if limits else None
    if isinstance(condition, AnyOf):
        union: frozenset[str] = frozenset()
        for item in condition.items:
            limit = intents_of(item)
            if limit is None:
                return None
            union |= limit
        return union if condition.items else None
    return None


def phrase_only(condition: Condition) -> list[Test] | None:
    """The contains_any tests of a condition that is nothing but such tests joined by `any`."""
    if isinstance(condition, Test):
        return [condition] if condition.op == "contains_any" else None
    if isinstance(condition, AnyOf) and condition.items:
        tests: list[Test] = []
        for item in condition.items:
            found = phrase_only(item)
            if found is None:
                return None
            tests += found
        return tests
    return None
