"""The facts of one revision as the analyser sees them: how each is modelled, which values.

Facts the engine computes itself from a closed list (intent, channel, lookup status,
weekday, booleans) are closed sets. Facts that come from outside (customer master data,
ERP fields, the language hint, the previous inquiry's intent, possibly of an older
revision) may hold values no file lists, so they are open: "every value except ...".
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from switchboard.analysis.domains import ALL_NUMBERS, Domain, NumSet, ValueSet
from switchboard.rules.facts import LOOKUP_STATUSES, TIERS, WEEKDAYS
from switchboard.rules.model import CHANNELS, Ruleset

Kind = Literal["number", "date", "values"]
_NUMERIC = {"number": "number", "date": "date"}


@dataclass(frozen=True, slots=True)
class Space:
    types: Mapping[str, str]  # fact -> type as in the catalogue (number, enum, text, ...)
    closed: Mapping[str, frozenset[Any]]  # facts whose values form a closed list
    hints: Mapping[str, tuple[Any, ...]] = field(default_factory=dict)  # values for examples

    def kind(self, fact: str) -> Kind:
        found = _NUMERIC.get(self.types.get(fact, ""))
        return "values" if found is None else found  # type: ignore[return-value]

    def universe(self, fact: str) -> frozenset[Any] | None:
        return self.closed.get(fact)

    def full(self, fact: str) -> Domain:
        """Every value the fact may have, and "no value"."""
        if self.kind(fact) != "values":
            return NumSet(ALL_NUMBERS, absent=True)
        universe = self.universe(fact)
        if universe is None:
            return ValueSet(frozenset(), cofinite=True, absent=True)
        return ValueSet(universe, absent=True)


def space_of(ruleset: Ruleset) -> Space:
    intents = frozenset(ruleset.intents)
    closed: dict[str, frozenset[Any]] = {
        "intent": intents,
        "channel": frozenset(CHANNELS),
        "lookup.status": frozenset(LOOKUP_STATUSES),
        "time.weekday": frozenset(WEEKDAYS),
    }
    hints: dict[str, tuple[Any, ...]] = {
        "customer.tier": TIERS,
        "language": tuple(ruleset.settings.locales),
        "conversation.previous_intent": tuple(sorted(intents)),
        "conversation.queue": tuple(sorted(ruleset.queues)),
    }
    for fact, kind in ruleset.facts.items():
        if kind == "boolean":
            closed[fact] = frozenset({True, False})
    for intent in ruleset.intents.values():
        for lookup in intent.answer.lookups if intent.answer else ():
            connector = ruleset.connectors.get(lookup.connector)
            query = connector.queries.get(lookup.query) if connector else None
            for name, spec in (query.fields if query else {}).items():
                if spec.values:
                    hints[f"data.{lookup.as_}.{name}"] = tuple(spec.values)
    return Space(dict(ruleset.facts), closed, hints)
