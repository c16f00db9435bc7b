"""Conditions as sets of cubes (disjunctive normal form), built with pruning as they go.

A cube is a conjunction: one value set per fact it restricts, and a yes/no for each text atom.
A condition holds exactly for the fact assignments inside at least one of its cubes. `conjoin`
intersects a list of cubes with a condition or its negation, dropping empty cubes at every
step, which keeps the lists short for rules as they are written. When a list still grows past
the limit the analyser gives up with `TooComplex` instead of guessing.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from switchboard.analysis.domains import Domain, NumSet, ValueSet
from switchboard.analysis.literals import Atom, AtomLit, ClauseLit, FactLit, Lit, alternatives
from switchboard.analysis.space import Space
from switchboard.rules.model import All, Condition, Not, Test

MAX_CUBES = 20_000


class TooComplex(Exception):
    """The normal form of a condition grew past the limit: nothing can be concluded."""


class Cube:
    """Fact value sets, yes/no atoms, and clauses: sets of atoms of which one must be true.

    Clauses only ever hold atoms in their positive form, so a cube is satisfiable exactly
    when no value set is empty, no atom is both, and every clause keeps an atom not set to no.
    """

    __slots__ = ("_key", "atoms", "clauses", "doms")

    def __init__(
        self,
        doms: dict[str, Domain],
        atoms: dict[Atom, bool],
        clauses: frozenset[frozenset[Atom]] = frozenset(),
    ) -> None:
        self.doms = doms
        self.atoms = atoms
        self.clauses = clauses
        self._key: Any = None

    def key(self) -> Any:
        if self._key is None:
            self._key = (frozenset(self.doms.items()), frozenset(self.atoms.items()), self.clauses)
        return self._key

    def with_lits(self, lits: Iterable[Lit], space: Space) -> Cube | None:
        """This cube with every literal added, or None when nothing satisfies them all."""
        doms, atoms, clauses = self.doms, self.atoms, self.clauses
        pending: list[Lit] = list(lits)
        while pending:
            lit = pending.pop()
            if isinstance(lit, FactLit):
                current = doms.get(lit.fact)
                met = lit.dom if current is None else _intersect(current, lit.dom)
                if current is None and space.universe(lit.fact) is not None:
                    met = _intersect(space.full(lit.fact), lit.dom)
                if met.empty:
                    return None
                if doms is self.doms:
                    doms = dict(doms)
                doms[lit.fact] = met
            elif isinstance(lit, AtomLit):
                known = atoms.get(lit.atom)
                if known is not None:
                    if known != lit.value:
                        return None
                    continue
                if atoms is self.atoms:
                    atoms = dict(atoms)
                atoms[lit.atom] = lit.value
                touched = {c for c in clauses if lit.atom in c}
                if touched:
                    clauses = clauses - touched
                    if not lit.value:
                        pending += [ClauseLit(c - {lit.atom}) for c in touched]
            else:
                if any(atoms.get(a) for a in lit.atoms):
                    continue  # already satisfied
                open_ = frozenset(a for a in lit.atoms if a not in atoms)
                if not open_:
                    return None
                if len(open_) == 1:
                    pending.append(AtomLit(next(iter(open_)), True))
                else:
                    clauses = clauses | {open_}
        return Cube(doms, atoms, clauses)

    def meet(self, other: Cube, space: Space) -> Cube | None:
        small, large = (self, other) if _size(self) <= _size(other) else (other, self)
        lits: list[Lit] = [FactLit(f, d) for f, d in small.doms.items()]
        lits += [AtomLit(a, v) for a, v in small.atoms.items()]
        lits += [ClauseLit(c) for c in small.clauses]
        return large.with_lits(lits, space)

    def choose(self, clause: frozenset[Atom]) -> Atom:
        """The atom an example makes true for a clause."""
        return sorted(a for a in clause if self.atoms.get(a) is not False)[0]


def _size(cube: Cube) -> int:
    return len(cube.doms) + len(cube.atoms) + len(cube.clauses)


TOP = Cube({}, {})


def _intersect(a: Domain, b: Domain) -> Domain:
    if isinstance(a, NumSet) and isinstance(b, NumSet):
        return a.intersect(b)
    if isinstance(a, ValueSet) and isinstance(b, ValueSet):
        return a.intersect(b)
    raise TypeError(f"cannot intersect {a!r} with {b!r}")


def conjoin(
    cubes: list[Cube], condition: Condition, space: Space, positive: bool = True
) -> list[Cube]:
    """The cubes of `cubes AND condition` (or `cubes AND NOT condition`)."""
    if not cubes:
        return cubes
    if isinstance(condition, Not):
        return conjoin(cubes, condition.item, space, not positive)
    if isinstance(condition, Test):
        options = alternatives(condition, positive, space)
        met = [c for cube in cubes for alt in options if (c := cube.with_lits(alt, space))]
        return _unique(met) if len(options) > 1 else met
    if isinstance(condition, All) == positive:  # a conjunction: one item after the other
        for item in condition.items:
            cubes = conjoin(cubes, item, space, positive)
            if not cubes:
                break
        return cubes
    found: list[Cube] = []  # a disjunction: the union over the items
    if positive:
        for item in condition.items:
            found += conjoin(cubes, item, space, positive)
            _check(found)
        return _unique(found)
    # not (a and b and ...) as disjoint cases: not a; a and not b; a and b and not c; ...
    # (overlapping cases would pile up copies of the same region when rules are subtracted;
    # disjoint ones never repeat a cube, so they need no search for duplicates either)
    for n, item in enumerate(condition.items):
        found += conjoin(cubes, item, space, positive=False)
        _check(found)
        if n + 1 < len(condition.items):
            cubes = conjoin(cubes, item, space, positive=True)
            if not cubes:
                break
    return found


def meet_all(left: list[Cube], right: list[Cube], space: Space) -> list[Cube]:
    """The cubes of `left AND right`, both already in normal form."""
    return _unique(c for a in left for b in right if (c := a.meet(b, space)))


def cubes_of(condition: Condition, space: Space, positive: bool = True) -> list[Cube]:
    return conjoin([TOP], condition, space, positive)


def subtract(cubes: list[Cube], conditions: Iterable[Condition], space: Space) -> list[Cube]:
    """What is left of `cubes` where none of `conditions` holds."""
    for condition in conditions:
        cubes = conjoin(cubes, condition, space, positive=False)
        if not cubes:
            break
    return cubes


def _unique(cubes: Iterable[Cube]) -> list[Cube]:
    cubes = list(cubes)
    if len(cubes) < 2:
        return cubes
    seen: dict[Any, Cube] = {}
    for cube in cubes:
        seen.setdefault(cube.key(), cube)
        _check(seen)
    return list(seen.values())


def _check(found: list[Cube] | dict[Any, Cube]) -> None:
    if len(found) > MAX_CUBES:
        raise TooComplex(f"more than {MAX_CUBES} cases to consider")
