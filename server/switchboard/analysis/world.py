"""Which facts the engine can have together when it evaluates the rules (decide.py).

Facts are independent variables except where the engine ties them together, and these ties
are what makes some rules impossible: live data (`data.*`) exists only for a routine inquiry
type that fetches it, only after its references were found and the customer identified;
`lookup.status` says which of those steps happened; an unknown sender has no customer facts.
The result is a list of cubes that together contain every combination the engine can
produce (and some it cannot: every tie left out only makes the analyser more careful).
"""

from __future__ import annotations

from switchboard.analysis.cubes import TOP, Cube
from switchboard.analysis.domains import ALL_NUMBERS, Interval, NumSet, ValueSet
from switchboard.analysis.literals import FactLit
from switchboard.analysis.space import Space
from switchboard.rules.model import Intent, Ruleset

ALWAYS_PRESENT = (
    "channel",
    "text",
    "message",
    "several_references",
    "customer.known",
    "conversation.contacts_last_7d",
    "conversation.open",
    "lookup.status",
    "time.business_hours",
    "time.weekday",
)
CUSTOMER_FACTS = ("id", "account_no", "name", "segment", "country", "tier")
FETCHED = ("ok", "not_found", "timeout", "error", "circuit_open", "ownership_mismatch")


def present_lit(fact: str, space: Space) -> FactLit:
    full = space.full(fact)
    if isinstance(full, NumSet):
        return FactLit(fact, NumSet(ALL_NUMBERS))
    return FactLit(fact, ValueSet(full.values, full.cofinite, absent=False))


def _absent(fact: str, space: Space) -> FactLit:
    full = space.full(fact)
    if isinstance(full, NumSet):
        return FactLit(fact, NumSet((), absent=True))
    return FactLit(fact, ValueSet(frozenset(), absent=True))


def _one_of(fact: str, values: tuple[object, ...]) -> FactLit:
    return FactLit(fact, ValueSet(frozenset(values)))


def world(ruleset: Ruleset, space: Space) -> list[Cube]:
    """Cubes covering every combination of facts the engine can evaluate rules on."""
    common = [present_lit(fact, space) for fact in ALWAYS_PRESENT if fact in space.types]
    common += [
        FactLit("confidence", NumSet((Interval(0, 1),))),
        FactLit("time.hour", NumSet((Interval(0, 23),))),
    ]
    base = TOP.with_lits(common, space)
    assert base is not None
    data_facts = [fact for fact in space.types if fact.startswith("data.")]
    cubes: list[Cube] = []
    for intent in ruleset.intents.values():
        for lits in _cases(intent, data_facts, space):
            cube = base.with_lits([_one_of("intent", (intent.id,)), *lits], space)
            if cube is not None:
                cubes.append(cube)
    return cubes


def _cases(intent: Intent, data_facts: list[str], space: Space) -> list[list[FactLit]]:
    """Per customer state and lookup outcome: the facts' ties for one inquiry type."""
    known = [_one_of("customer.known", (True,))]
    unknown = [_one_of("customer.known", (False,))]
    unknown += [_absent(f"customer.{name}", space) for name in CUSTOMER_FACTS]
    no_data = [_absent(fact, space) for fact in data_facts]
    not_needed = [_one_of("lookup.status", ("not_needed",)), *no_data]
    if not intent.routine or intent.answer is None:
        return [known + not_needed, unknown + not_needed]
    names = {lookup.as_ for lookup in intent.answer.lookups}
    other_data = [_absent(f, space) for f in data_facts if f.split(".")[1] not in names]
    entities = [f"entities.{name}" for name in intent.one_of]
    missing = [_absent(fact, space) for fact in entities]
    cases = [known + missing + not_needed, unknown + missing + not_needed] if entities else []
    for reference in [[present_lit(fact, space)] for fact in entities] or [[]]:
        cases.append(unknown + reference + [_one_of("lookup.status", ("unknown_customer",))])
        cases[-1] += no_data
        cases.append(known + reference + [_one_of("lookup.status", FETCHED), *other_data])
    return cases
