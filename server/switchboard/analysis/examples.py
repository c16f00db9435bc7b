"""A cube turned into an example a reviewer can read: one value per fact that matters."""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection
from typing import Any

from switchboard.analysis.cubes import Cube
from switchboard.analysis.domains import NumSet
from switchboard.analysis.space import Space

NO_VALUE = "(no value)"


def example(cube: Cube, space: Space, facts: Collection[str]) -> dict[str, Any]:
    """The cube's constraints on `facts` as values; text facts as what they contain."""
    shown: dict[str, Any] = {}
    for fact in sorted(cube.doms):
        if fact in facts:
            shown[fact] = _value(fact, cube, space)
    chosen = {atom for atom, holds in cube.atoms.items() if holds}
    chosen |= {cube.choose(clause) for clause in cube.clauses}
    texts: dict[str, list[str]] = {}
    for fact, kind, what in sorted(chosen):
        if fact in facts:
            texts.setdefault(fact, []).append(_atom(kind, what))
    mentioned = {fact for fact, _, _ in cube.atoms} | {fact for fact, _, _ in chosen}
    for fact in sorted(mentioned & set(facts)):
        shown[fact] = "; ".join(texts.get(fact, [])) or "none of the phrases or patterns tested"
    return shown


def _value(fact: str, cube: Cube, space: Space) -> Any:
    dom = cube.doms[fact]
    if isinstance(dom, NumSet):
        number = dom.sample()
        if number is None:
            return NO_VALUE
        if space.kind(fact) == "date":
            return dt.date.fromordinal(int(number)).isoformat()
        return int(number) if float(number).is_integer() else number
    if not dom.cofinite and not dom.values:
        return NO_VALUE
    return dom.sample(space.hints.get(fact, ()))


def _atom(kind: str, what: str) -> str:
    if kind == "phrase":
        return f'contains "{what}"'
    if kind == "regex":
        return f"matches /{what}/"
    return f"passes `{what}`"


def words(shown: dict[str, Any]) -> str:
    """An example as text: `customer.tier = vip, intent = order_status`."""
    return ", ".join(f"{fact} = {_word(value)}" for fact, value in shown.items())


def _word(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)
