"""The analyser's reasoning agrees with the engine's evaluator.

For conditions over value facts (no text), the cubes of a condition must contain exactly the
fact assignments for which `engine.conditions.evaluate` says it holds, and the cubes of its
negation exactly the others. Text tests are unknown atoms: the analyser may only claim
"never" where the engine never matches.
"""

from __future__ import annotations

from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from switchboard.analysis.cubes import Cube, cubes_of, subtract
from switchboard.analysis.domains import INF, Interval, NumSet, ValueSet
from switchboard.analysis.space import Space
from switchboard.engine.conditions import evaluate
from switchboard.rules.model import All, AnyOf, Condition, Location, Not
from switchboard.rules.model import Test as Check

HERE = Location("tests/test_analysis_logic.py")
INTENTS = ("order_status", "complaint", "invoice")
SPACE = Space(
    types={
        "intent": "enum",
        "entities.amount": "number",
        "customer.tier": "enum",
        "customer.known": "boolean",
        "text": "text",
    },
    closed={"intent": frozenset(INTENTS), "customer.known": frozenset({True, False})},
)
TIERS = ("standard", "key_account", "vip", "gold")  # gold: a tier no file names
AMOUNTS = (0, 999, 1000, 1000.5, 4999, 5000, 5001, -3)


def value_tests() -> st.SearchStrategy[Check]:
    amount = st.builds(
        lambda op, v: Check("entities.amount", op, v, HERE),
        st.sampled_from(["eq", "ne", "gt", "gte", "lt", "lte"]),
        st.sampled_from([0, 1000, 5000]),
    ) | st.builds(
        lambda op, vs: Check("entities.amount", op, tuple(vs), HERE),
        st.sampled_from(["in", "not_in"]),
        st.lists(st.sampled_from([0, 1000, 5000]), min_size=1, max_size=2),
    )
    tier = st.builds(
        lambda op, v: Check("customer.tier", op, v, HERE),
        st.sampled_from(["eq", "ne"]),
        st.sampled_from(TIERS[:3]),
    ) | st.builds(
        lambda op, vs: Check("customer.tier", op, tuple(vs), HERE),
        st.sampled_from(["in", "not_in"]),
        st.lists(st.sampled_from(TIERS[:3]), min_size=1, max_size=2),
    )
    intent = st.builds(
        lambda op, vs: Check("intent", op, tuple(vs), HERE),
        st.sampled_from(["in", "not_in"]),
        st.lists(st.sampled_from(INTENTS), min_size=1, max_size=2),
    )
    known = st.builds(
        lambda op, v: Check("customer.known", op, v, HERE),
        st.sampled_from(["eq", "ne"]),
        st.booleans(),
    )
    exists = st.builds(
        lambda fact, v: Check(fact, "exists", v, HERE),
        st.sampled_from(["entities.amount", "customer.tier", "customer.known"]),
        st.booleans(),
    )
    return amount | tier | intent | known | exists


def conditions() -> st.SearchStrategy[Condition]:
    return st.recursive(
        value_tests(),
        lambda inner: (
            st.builds(lambda xs: All(tuple(xs)), st.lists(inner, max_size=3))
            | st.builds(lambda xs: AnyOf(tuple(xs)), st.lists(inner, max_size=3))
            | st.builds(Not, inner)
        ),
        max_leaves=6,
    )


def assignments() -> st.SearchStrategy[dict[str, Any]]:
    def drop_none(facts: dict[str, Any]) -> dict[str, Any]:
        return {k: v for k, v in facts.items() if v is not None}

    return st.builds(
        lambda i, a, t, k: drop_none(
            {"intent": i, "entities.amount": a, "customer.tier": t, "customer.known": k}
        ),
        st.sampled_from(INTENTS),
        st.none() | st.sampled_from(AMOUNTS),
        st.none() | st.sampled_from(TIERS),
        st.none() | st.booleans(),
    )


def inside(cube: Cube, facts: dict[str, Any]) -> bool:
    for fact, dom in cube.doms.items():
        value = facts.get(fact)
        if value is None:
            if not dom.absent:
                return False
        elif isinstance(dom, NumSet):
            if not any(_within(part, value) for part in dom.parts):
                return False
        elif (value in dom.values) == dom.cofinite:
            return False
    return True


def _within(part: Interval, value: float) -> bool:
    above = value > part.lo or (value == part.lo and part.lo_in)
    below = value < part.hi or (value == part.hi and part.hi_in)
    return above and below


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(conditions(), st.lists(assignments(), min_size=1, max_size=8))
def test_cubes_hold_exactly_where_the_engine_says(
    condition: Condition, samples: list[dict[str, Any]]
) -> None:
    holds = cubes_of(condition, SPACE)
    fails = cubes_of(condition, SPACE, positive=False)
    for facts in samples:
        expected = evaluate(condition, facts)
        assert any(inside(c, facts) for c in holds) == expected, (condition, facts)
        assert any(inside(c, facts) for c in fails) == (not expected), (condition, facts)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(conditions(), conditions(), st.lists(assignments(), min_size=1, max_size=8))
def test_a_proven_implication_is_never_contradicted_by_the_engine(
    first: Condition, second: Condition, samples: list[dict[str, Any]]
) -> None:
    if subtract(cubes_of(first, SPACE), [second], SPACE):
        return  # not proven: nothing to check
    for facts in samples:
        if evaluate(first, facts):
            assert evaluate(second, facts), (first, second, facts)


def test_text_tests_are_unknowns_never_contradictions() -> None:
    lawyer = Check("text", "contains_any", ("lawyer", "Anwalt"), HERE)
    court = Check("text", "matches", "court", HERE)
    assert cubes_of(All((lawyer, court)), SPACE)  # may well occur together
    assert cubes_of(All((lawyer, Not(court))), SPACE)
    assert not cubes_of(All((lawyer, Not(lawyer))), SPACE)  # the same test is the same atom
    # "lawyer" alone implies "lawyer or attorney": the phrases are atoms of their own
    wider = Check("text", "contains_any", ("attorney", "lawyer"), HERE)
    assert not subtract(
        cubes_of(Check("text", "contains_any", ("lawyer",), HERE), SPACE), [wider], SPACE
    )
    assert subtract(cubes_of(wider, SPACE), [lawyer], SPACE)
    # umlauts are folded as the engine folds them: "Rückerstattung" == "ruckerstattung"
    refund = Check("text", "contains_any", ("Rückerstattung",), HERE)
    folded = Check("text", "contains_any", ("ruckerstattung",), HERE)
    assert not subtract(cubes_of(refund, SPACE), [folded], SPACE)


def test_value_sets_complement_and_intersect() -> None:
    five = NumSet((Interval(5000, INF, True, False),))
    rest = five.complement()
    assert rest.absent and rest.parts == (Interval(-INF, 5000, False, False),)
    assert five.intersect(rest).empty
    assert rest.complement() == five
    vip = ValueSet(frozenset({"vip"}))
    not_vip = vip.complement(None)
    assert not_vip.cofinite and not_vip.absent
    assert vip.intersect(not_vip).empty
    tiers = frozenset({"vip", "standard"})
    assert vip.complement(tiers) == ValueSet(frozenset({"standard"}), absent=True)
