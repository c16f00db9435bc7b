"""One test of a condition as constraints on one fact, or as unknown yes/no atoms.

A test that restricts a fact's value (eq, in, gt, exists, ...) becomes the set of values
that make it true; its negation is the complement, "no value" included. Text tests
(`contains_any`, `matches`) cannot be reasoned about: each phrase found in a text, and each
expression matching it, is an unknown boolean of its own. Treating them as independent
allows more combinations than really exist, so whatever is proven over them also holds for
real texts; it only means the analyser may miss that two phrases always go together.
"""

from __future__ import annotations

import datetime as dt
import functools
from dataclasses import dataclass
from typing import Any

from switchboard.analysis.domains import ALL_NUMBERS, INF, Domain, Interval, NumSet, ValueSet
from switchboard.analysis.space import Space
from switchboard.engine.conditions import PhraseBook
from switchboard.rules.model import Test

Atom = tuple[str, str, str]  # (fact, "phrase" | "regex" | "test", what)


@dataclass(frozen=True, slots=True)
class FactLit:
    fact: str
    dom: Domain


@dataclass(frozen=True, slots=True)
class AtomLit:
    atom: Atom
    value: bool


@dataclass(frozen=True, slots=True)
class ClauseLit:
    """At least one of the atoms is true (any phrase of a `contains_any`)."""

    atoms: frozenset[Atom]


Lit = FactLit | AtomLit | ClauseLit
Alternative = tuple[Lit, ...]  # every literal holds

_BOUNDS = {
    "gt": lambda v: Interval(v, INF, False, False),
    "gte": lambda v: Interval(v, INF, True, False),
    "lt": lambda v: Interval(-INF, v, False, False),
    "lte": lambda v: Interval(-INF, v, False, True),
}
_PRESENT_ALL = NumSet(ALL_NUMBERS)


def alternatives(test: Test, positive: bool, space: Space) -> list[Alternative]:
    """The ways `test` (or, when not `positive`, its negation) can hold."""
    if test.op == "contains_any":
        source = test.compiled if isinstance(test.compiled, list | tuple) else test.value
        atoms = [(test.fact, "phrase", key) for key in phrase_keys(test.fact, source)]
        return _either(atoms, positive)
    if test.op == "matches":
        return _either([(test.fact, "regex", str(test.value))], positive)
    dom = value_set(test, space)
    if dom is None:  # a test the value sets cannot express: an unknown boolean
        return _either([(test.fact, "test", f"{test.op} {test.value!r}")], positive)
    if not positive:
        dom = _complement(dom, test.fact, space)
    return [(FactLit(test.fact, dom),)]


def phrase_keys(fact: str, phrases: Any) -> tuple[str, ...]:
    """The phrases as the engine looks for them: folded words, with umlaut spellings."""
    return _keys(fact, tuple(map(str, phrases)))


@functools.lru_cache(maxsize=4096)
def _keys(fact: str, phrases: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(sorted(PhraseBook().add(fact, phrases)))


def _either(atoms: list[Atom], positive: bool) -> list[Alternative]:
    if positive and len(atoms) > 1:  # any one of them
        return [(ClauseLit(frozenset(atoms)),)]
    return [tuple(AtomLit(atom, positive) for atom in atoms)]  # the one, or none of them


def _complement(dom: Domain, fact: str, space: Space) -> Domain:
    if isinstance(dom, NumSet):
        return dom.complement()
    return dom.complement(space.universe(fact))


def value_set(test: Test, space: Space) -> Domain | None:
    """The values (and "no value") for which the test holds; None if not expressible."""
    op, value, kind = test.op, test.value, space.kind(test.fact)
    if op == "exists":
        if kind != "values":
            return NumSet(ALL_NUMBERS) if value else NumSet((), absent=True)
        return _values(frozenset(), True, space, test.fact) if value else _no_value()
    if space.types.get(test.fact) == "datetime":
        return None  # time zones make these comparisons too subtle to model
    if kind == "values":
        return _value_test(test, space)
    return _number_test(op, value, kind)


def _no_value() -> ValueSet:
    return ValueSet(frozenset(), absent=True)


def _values(values: frozenset[Any], cofinite: bool, space: Space, fact: str) -> ValueSet:
    return ValueSet(values, cofinite).closed(space.universe(fact))


def _value_test(test: Test, space: Space) -> Domain | None:
    op, value = test.op, test.value
    if op in ("eq", "ne"):
        return _values(frozenset([value]), op == "ne", space, test.fact)
    if op in ("in", "not_in"):
        return _values(frozenset(value), op == "not_in", space, test.fact)
    return None  # ordering on text: never true in the engine, left unknown here


def _number_test(op: str, value: Any, kind: str) -> NumSet | None:
    if op in ("in", "not_in"):
        points = [_number(v, kind) for v in value]
        if any(p is None for p in points):
            return None
        dom = NumSet.of([Interval(p, p) for p in points if p is not None])
        return _PRESENT_ALL.intersect(dom.complement()) if op == "not_in" else dom
    bound = _number(value, kind)
    if bound is None:
        return None
    if op == "eq":
        return NumSet((Interval(bound, bound),))
    if op == "ne":
        return _PRESENT_ALL.intersect(NumSet((Interval(bound, bound),)).complement())
    make = _BOUNDS.get(op)
    return None if make is None else NumSet((make(bound),))


def _number(value: Any, kind: str) -> float | None:
    """A number, or a date as its day number; None when the value is neither."""
    if kind == "date":
        if isinstance(value, dt.datetime):
            return None
        if isinstance(value, dt.date):
            return value.toordinal()
        try:
            return dt.date.fromisoformat(str(value)[:10]).toordinal()
        except ValueError:
            return None
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return value
