"""What every check shares: the revision, its facts, the engine's world, and each rule's cubes
(computed once, since shadowing, overlaps and guarantees all need them)."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

from switchboard.analysis.cubes import Cube, TooComplex, cubes_of, meet_all
from switchboard.analysis.domains import ValueSet
from switchboard.analysis.literals import FactLit
from switchboard.analysis.model import Place
from switchboard.analysis.space import Space, space_of
from switchboard.analysis.world import world
from switchboard.rules.model import All, AnyOf, Condition, Location, Not, Rule, Ruleset, Test


@dataclass
class Context:
    ruleset: Ruleset
    space: Space
    world: list[Cube]
    _cubes: dict[int, list[Cube] | TooComplex] = field(default_factory=dict)
    _live: dict[int, list[Cube] | TooComplex] = field(default_factory=dict)

    @classmethod
    def of(cls, ruleset: Ruleset) -> Context:
        space = space_of(ruleset)
        return cls(ruleset, space, world(ruleset, space))

    @property
    def rules(self) -> tuple[Rule, ...]:
        return self.ruleset.rules

    def cubes(self, index: int) -> list[Cube]:
        """The rule's condition in normal form, on its own; TooComplex when too large."""
        if index not in self._cubes:
            try:
                self._cubes[index] = cubes_of(self.rules[index].when, self.space)
            except TooComplex as exc:
                self._cubes[index] = exc
        return _unwrap(self._cubes[index])

    def live(self, index: int) -> list[Cube]:
        """The cases in which the rule can match, given what the engine computes."""
        if index not in self._live:
            try:
                self._live[index] = meet_all(self.cubes(index), self.world, self.space)
            except TooComplex as exc:
                self._live[index] = exc
        return _unwrap(self._live[index])

    def intents(self, cubes: Iterable[Cube]) -> frozenset[str]:
        """The inquiry types the cubes allow."""
        found: set[str] = set()
        every = frozenset(self.ruleset.intents)
        for cube in cubes:
            dom = cube.doms.get("intent")
            found |= every if not isinstance(dom, ValueSet) else dom.values & every
        return frozenset(found)

    def only_intents(self, intents: Iterable[str]) -> FactLit:
        return FactLit("intent", ValueSet(frozenset(intents)))

    def automatable(self) -> frozenset[str]:
        """Inquiry types the engine may answer: routine, with an answer, in scope."""
        return frozenset(
            i.id
            for i in self.ruleset.intents.values()
            if i.routine and i.answer is not None and not i.out_of_scope
        )


def _unwrap(value: list[Cube] | TooComplex) -> list[Cube]:
    if isinstance(value, TooComplex):
        raise value
    return value


def tests_of(condition: Condition) -> Iterator[Test]:
    if isinstance(condition, Test):
        yield condition
    elif isinstance(condition, All | AnyOf):
        for item in condition.items:
            yield from tests_of(item)
    elif isinstance(condition, Not):
        yield from tests_of(condition.item)


def facts_of(*conditions: Condition) -> set[str]:
    return {test.fact for condition in conditions for test in tests_of(condition)}


def place(location: Location) -> Place:
    return Place(location.file, location.line)


def place_of(condition: Condition, fallback: Location) -> Place:
    """Where a part of a condition starts: its first test."""
    first = next(tests_of(condition), None)
    return place(first.location if first is not None else fallback)
