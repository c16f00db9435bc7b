"""The values one fact may take, as sets that can be intersected and complemented exactly.

Every set also says whether the fact may be absent (no value), because a test on a fact
without a value is false and `not` turns it true. Numbers (and dates, as day numbers) are
unions of intervals; everything else is a finite set of values, or everything except a
finite set when the fact's values are not a closed list.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

INF = math.inf


@dataclass(frozen=True, slots=True)
class Interval:
    lo: float
    hi: float
    lo_in: bool = True  # the bound itself belongs to the interval
    hi_in: bool = True

    @property
    def empty(self) -> bool:
        return self.lo > self.hi or (self.lo == self.hi and not (self.lo_in and self.hi_in))


ALL_NUMBERS = (Interval(-INF, INF, False, False),)


@dataclass(frozen=True, slots=True)
class NumSet:
    """A union of disjoint intervals, sorted; `absent` when "no value" is allowed too."""

    parts: tuple[Interval, ...]
    absent: bool = False

    @classmethod
    def of(cls, parts: list[Interval] | tuple[Interval, ...], absent: bool = False) -> NumSet:
        return cls(_normalised(parts), absent)

    @property
    def empty(self) -> bool:
        return not self.parts and not self.absent

    def intersect(self, other: NumSet) -> NumSet:
        found = [_meet(a, b) for a in self.parts for b in other.parts]
        return NumSet.of([i for i in found if not i.empty], self.absent and other.absent)

    def complement(self) -> NumSet:
        gaps: list[Interval] = []
        lo, lo_in = -INF, False
        for part in self.parts:
            gaps.append(Interval(lo, part.lo, lo_in, not part.lo_in))
            lo, lo_in = part.hi, not part.hi_in
        gaps.append(Interval(lo, INF, lo_in, False))
        return NumSet.of([g for g in gaps if not g.empty], not self.absent)

    def sample(self) -> float | None:
        """A round value inside the set (None for "no value")."""
        if not self.parts:
            return None
        part = self.parts[0]
        if part.lo == -INF:
            return part.hi - 1 if part.hi != INF else 0
        if part.lo_in:
            return part.lo
        step = math.floor(part.lo) + 1
        if step < part.hi or (step == part.hi and part.hi_in):
            return step
        return (part.lo + part.hi) / 2


@dataclass(frozen=True, slots=True)
class ValueSet:
    """Finitely many values, or (`cofinite`) every value except those; with `absent`."""

    values: frozenset[Any]
    cofinite: bool = False
    absent: bool = False

    @property
    def empty(self) -> bool:
        return not self.cofinite and not self.values and not self.absent

    def intersect(self, other: ValueSet) -> ValueSet:
        absent = self.absent and other.absent
        if self.cofinite and other.cofinite:
            return ValueSet(self.values | other.values, True, absent)
        if self.cofinite:
            return ValueSet(other.values - self.values, False, absent)
        if other.cofinite:
            return ValueSet(self.values - other.values, False, absent)
        return ValueSet(self.values & other.values, False, absent)

    def complement(self, universe: frozenset[Any] | None) -> ValueSet:
        """Everything else; within `universe` when the fact's values are a closed list."""
        if universe is None:
            return ValueSet(self.values, not self.cofinite, not self.absent)
        present = self.values if self.cofinite else universe - self.values
        return ValueSet(present, False, not self.absent)

    def closed(self, universe: frozenset[Any] | None) -> ValueSet:
        """The same set written as a finite one when the universe is closed."""
        if universe is None or not self.cofinite:
            return self
        return ValueSet(universe - self.values, False, self.absent)

    def sample(self, hint: tuple[Any, ...] = ()) -> Any:
        """A value inside the set (None for "no value"); known values are preferred."""
        if not self.cofinite:
            return sorted(self.values, key=repr)[0] if self.values else None
        for value in hint:
            if value not in self.values:
                return value
        names = (f"other{n or ''}" for n in range(len(self.values) + 1))
        return next(name for name in names if name not in self.values)


Domain = NumSet | ValueSet


def present(dom: Domain) -> bool:
    """Whether the set holds at least one value (besides "no value")."""
    if isinstance(dom, NumSet):
        return bool(dom.parts)
    return dom.cofinite or bool(dom.values)


def _meet(a: Interval, b: Interval) -> Interval:
    if a.lo > b.lo or (a.lo == b.lo and not a.lo_in):
        lo, lo_in = a.lo, a.lo_in
    else:
        lo, lo_in = b.lo, b.lo_in
    if a.hi < b.hi or (a.hi == b.hi and not a.hi_in):
        hi, hi_in = a.hi, a.hi_in
    else:
        hi, hi_in = b.hi, b.hi_in
    return Interval(lo, hi, lo_in, hi_in)


def _normalised(parts: list[Interval] | tuple[Interval, ...]) -> tuple[Interval, ...]:
    """Sorted, with overlapping or touching intervals merged."""
    ordered = sorted((p for p in parts if not p.empty), key=lambda p: (p.lo, not p.lo_in))
    merged: list[Interval] = []
    for part in ordered:
        if merged:
            last = merged[-1]
            touches = part.lo < last.hi or (part.lo == last.hi and (part.lo_in or last.hi_in))
            if touches:
                if part.hi > last.hi or (part.hi == last.hi and part.hi_in):
                    merged[-1] = Interval(last.lo, part.hi, last.lo_in, part.hi_in)
                continue
        merged.append(part)
    return tuple(merged)
