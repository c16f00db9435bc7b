"""The facts rules may test in one revision, and the type of each.

The catalogue is closed: the fixed facts of docs/rules.md, plus `entities.<id>` for every
entity (typed by the entity) and `data.<as>.<field>` for every field of every lookup of every
inquiry type (typed by the query's field).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from switchboard.rules.index import Index
from switchboard.rules.model import CHANNELS
from switchboard.rules.problems import Problem

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
TIERS = ("standard", "key_account", "vip")
LOOKUP_STATUSES = (
    "not_needed",
    "ok",
    "not_found",
    "timeout",
    "error",
    "circuit_open",
    "ownership_mismatch",
    "unknown_customer",
)
FIXED: dict[str, str] = {
    "intent": "enum",
    "confidence": "number",
    "channel": "enum",
    "language": "enum",
    "text": "text",
    "message": "text",
    "several_references": "boolean",
    "customer.known": "boolean",
    "customer.id": "string",
    "customer.account_no": "string",
    "customer.name": "string",
    "customer.segment": "string",
    "customer.country": "string",
    "customer.tier": "enum",
    "entities.currency": "string",
    "conversation.contacts_last_7d": "number",
    "conversation.open": "boolean",
    "conversation.queue": "string",
    "conversation.previous_intent": "enum",
    "lookup.status": "enum",
    "time.business_hours": "boolean",
    "time.weekday": "enum",
    "time.hour": "number",
}
ENTITY_TYPES = {"string": "string", "number": "number", "money": "number", "date": "date"}
ANY = "any"  # the type of a fact whose definition is itself broken: not checked further


@dataclass(frozen=True, slots=True)
class Catalogue:
    types: Mapping[str, str]  # fact -> text | string | number | boolean | enum | date | ...
    values: Mapping[str, frozenset[str]]  # facts whose values form a known, closed set
    # prefixes (entities., data.) whose facts come from a file that could not be read
    open_prefixes: tuple[str, ...] = ()

    def type_of(self, fact: str) -> str | None:
        """The fact's type; ANY when it may come from an unreadable file; None if unknown."""
        found = self.types.get(fact)
        if found is None and fact.startswith(self.open_prefixes):
            return ANY
        return found


def build_catalogue(index: Index) -> tuple[Catalogue, list[Problem]]:
    types = dict(FIXED)
    intents = frozenset(index.ids.get("intent", {}))
    values: dict[str, frozenset[str]] = {
        "channel": frozenset(CHANNELS),
        "customer.tier": frozenset(TIERS),
        "lookup.status": frozenset(LOOKUP_STATUSES),
        "time.weekday": frozenset(WEEKDAYS),
    }
    if "intent" not in index.unreadable:
        values["intent"] = values["conversation.previous_intent"] = intents
    if index.locales:  # unknown while switchboard.yaml is broken
        values["language"] = frozenset(index.locales)
    for id_, doc in index.ids.get("entity", {}).items():
        types[f"entities.{id_}"] = ENTITY_TYPES[doc.data["type"]] if doc.valid else ANY
    problems: list[Problem] = []
    for doc in index.valid("intent"):
        for n, lookup in enumerate(doc.data.get("answer", {}).get("lookups", [])):
            query = index.query(lookup["connector"], lookup["query"])
            for name, spec in (query or {}).get("fields", {}).items():
                fact = f"data.{lookup['as']}.{name}"
                if types.setdefault(fact, spec["type"]) != spec["type"]:
                    message = (
                        f"`data.{lookup['as']}.{name}` is a {types[fact]} in another inquiry "
                        f"type but a {spec['type']} here. Give this lookup another `as` name."
                    )
                    problems.append(
                        doc.problem(f"/answer/lookups/{n}/as", "fact_type_conflict", message)
                    )
                if "values" in spec:
                    values[fact] = values.get(fact, frozenset()) | frozenset(spec["values"])
    open_prefixes = tuple(
        prefix
        for prefix, kinds in (("entities.", {"entity"}), ("data.", {"intent", "connector"}))
        if kinds & index.unreadable
    )
    return Catalogue(types, values, open_prefixes), problems
