"""Condition evaluation: every operator, facts without values, accents, types, intent scopes."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from engine_support import all_of, any_of, not_, t
from switchboard.engine.codegen import build_runner
from switchboard.engine.conditions import Compiler, evaluate, intents_of, referenced_facts
from switchboard.engine.factview import FactView
from switchboard.rules.model import Condition

FACTS: dict[str, Any] = {
    "intent": "order_status",
    "confidence": 0.82,
    "customer.tier": "key_account",
    "customer.known": True,
    "conversation.contacts_last_7d": 3,
    "entities.amount": 12500.0,
    "entities.order_number": "SO4500123",
    "data.order.eta": dt.date(2026, 12, 3),
    "data.order.last_update": dt.datetime(2026, 11, 30, 8, 0),
    "data.invoice.paid": False,
    "text": "Wir erwarten eine Rückerstattung, sonst geht es an den Anwalt. Rechtsabteilung!",
}

CASES: list[tuple[Condition, bool]] = [
    (t("intent", "eq", "order_status"), True),
    (t("intent", "eq", "invoice"), False),
    (t("intent", "ne", "invoice"), True),
    (t("intent", "in", ["invoice", "order_status"]), True),
    (t("intent", "not_in", ["invoice", "order_status"]), False),
    (t("customer.tier", "not_in", ["vip"]), True),
    (t("confidence", "gte", 0.82), True),
    (t("confidence", "gt", 0.82), False),
    (t("confidence", "lt", 0.9), True),
    (t("confidence", "lte", 0.5), False),
    (t("conversation.contacts_last_7d", "gte", 3), True),
    (t("entities.amount", "gt", 10000), True),
    (t("customer.known", "eq", True), True),
    (t("data.invoice.paid", "eq", False), True),
    (t("data.invoice.paid", "exists", True), True),  # False is a value
    (t("entities.order_number", "matches", r"^SO45\d{5}$"), True),
    (t("entities.order_number", "matches", r"^SO46"), False),
    # dates compare as dates, from ISO strings in the rule
    (t("data.order.eta", "gt", "2026-12-01"), True),
    (t("data.order.eta", "lte", "2026-12-02"), False),
    (t("data.order.eta", "eq", "2026-12-03"), True),
    (t("data.order.last_update", "lt", "2026-12-01"), True),
    # contains_any: whole words and phrases, case and accents ignored, umlaut digraphs too
    (t("text", "contains_any", ["ruckerstattung"]), True),
    (t("text", "contains_any", ["RUECKERSTATTUNG"]), True),
    (t("text", "contains_any", ["anwalt"]), True),
    (t("text", "contains_any", ["an den anwalt"]), True),
    (t("text", "contains_any", ["den an"]), False),
    (t("text", "contains_any", ["recht"]), False),  # only inside "Rechtsabteilung"
    (t("text", "contains_any", ["lawyer", "court"]), False),
    # numbers compare only with numbers
    (t("confidence", "eq", "0.82"), False),
    (t("customer.tier", "gt", 1), False),
    (t("customer.known", "eq", 1), False),
    (t("conversation.contacts_last_7d", "in", [3, 4]), True),
    (t("customer.known", "in", [1]), False),
]


@pytest.mark.parametrize(("condition", "expected"), CASES)
def test_operators(condition: Condition, expected: bool) -> None:
    assert evaluate(condition, FACTS) is expected


MISSING = "entities.invoice_number"


@pytest.mark.parametrize(
    ("condition", "expected"),
    [
        (t(MISSING, "eq", "INV26004512"), False),
        (t(MISSING, "ne", "INV26004512"), False),
        (t(MISSING, "in", ["INV26004512"]), False),
        (t(MISSING, "not_in", ["INV26004512"]), False),
        (t(MISSING, "gt", 0), False),
        (t(MISSING, "lte", 0), False),
        (t(MISSING, "contains_any", ["inv"]), False),
        (t(MISSING, "matches", ".*"), False),
        (t(MISSING, "exists", True), False),
        (t(MISSING, "exists", False), True),
        (not_(t(MISSING, "eq", "INV26004512")), True),
        (not_(t(MISSING, "ne", "INV26004512")), True),
    ],
)
def test_a_fact_without_value_makes_every_test_false_except_exists_false(
    condition: Condition, expected: bool
) -> None:
    assert evaluate(condition, FACTS) is expected
    assert evaluate(condition, {**FACTS, MISSING: None}) is expected


def test_combinators() -> None:
    yes, no = t("intent", "eq", "order_status"), t("intent", "eq", "invoice")
    assert evaluate(all_of(yes, yes), FACTS) and not evaluate(all_of(yes, no), FACTS)
    assert evaluate(any_of(no, yes), FACTS) and not evaluate(any_of(no, no), FACTS)
    assert evaluate(not_(no), FACTS) and not evaluate(not_(yes), FACTS)
    assert evaluate(all_of(), FACTS) and not evaluate(any_of(), FACTS)


def test_contains_any_sees_words_split_by_invisible_characters_after_normalising() -> None:
    from switchboard.engine.text import normalize

    facts = {"text": normalize("we will call our law\u200byer")}
    assert evaluate(t("text", "contains_any", ["lawyer"]), facts)


def test_contains_any_uses_prepared_phrases_from_the_loader() -> None:
    from engine_support import HERE
    from switchboard.rules.model import Test

    test = Test("text", "contains_any", ["Anwalt"], HERE, compiled=("anwalt", "klage"))
    assert evaluate(test, {"text": "Wir reichen Klage ein"})


def test_intent_scope_and_referenced_facts() -> None:
    scoped = all_of(t("intent", "in", ["a", "b"]), any_of(t("intent", "eq", "b"), t("x", "gt", 1)))
    assert intents_of(scoped) == frozenset({"a", "b"})
    assert intents_of(any_of(t("intent", "eq", "a"), t("intent", "eq", "c"))) == {"a", "c"}
    assert intents_of(any_of(t("intent", "eq", "a"), t("x", "gt", 1))) is None
    assert intents_of(not_(t("intent", "eq", "a"))) is None
    assert intents_of(t("intent", "ne", "a")) is None
    assert referenced_facts(scoped) == {"intent", "x"}


# ----- the generated rule function agrees with the reference closures -----------------------

FACT_VALUES = {
    "intent": st.sampled_from(["order_status", "invoice", "complaint"]),
    "customer.tier": st.sampled_from(["standard", "vip", ""]),
    "customer.known": st.booleans(),
    "confidence": st.floats(min_value=0, max_value=1),
    "conversation.contacts_last_7d": st.integers(min_value=0, max_value=9),
    "entities.amount": st.floats(min_value=0, max_value=20000) | st.integers(0, 20000),
    "data.order.eta": st.dates(dt.date(2026, 11, 1), dt.date(2027, 1, 31)),
    "text": st.sampled_from(["Where is my order", "unser Anwalt", "lawyer!", "Rückerstattung"]),
}
OPERANDS = {
    "intent": st.sampled_from(["order_status", "invoice"]),
    "customer.tier": st.sampled_from(["standard", "vip"]),
    "customer.known": st.booleans(),
    "confidence": st.floats(min_value=0, max_value=1),
    "conversation.contacts_last_7d": st.integers(0, 9) | st.floats(0, 9),
    "entities.amount": st.integers(0, 20000) | st.just("5000"),
    "data.order.eta": st.sampled_from(["2026-12-01", "2027-01-01"]),
    "text": st.sampled_from(["order", "Anwalt", "lawyer", "ruckerstattung"]),
}


@st.composite
def single_tests(draw: st.DrawFn) -> Condition:
    fact = draw(st.sampled_from(sorted(OPERANDS)))
    op = draw(st.sampled_from(["eq", "ne", "in", "not_in", "gt", "gte", "lt", "lte", "exists",
                               "contains_any", "matches"]))  # fmt: skip
    operand = draw(OPERANDS[fact])
    value: Any = {
        "in": [operand, "x"],
        "not_in": [operand],
        "exists": draw(st.booleans()),
        "contains_any": [str(operand)],
        "matches": "(?i)" + str(operand)[:3],
    }.get(op, operand)
    return t(fact, op, value)


conditions = st.recursive(
    single_tests(),
    lambda inner: st.one_of(
        st.lists(inner, max_size=3).map(lambda xs: all_of(*xs)),
        st.lists(inner, max_size=3).map(lambda xs: any_of(*xs)),
        inner.map(not_),
    ),
    max_leaves=6,
)
fact_sets = st.fixed_dictionaries({}, optional={k: v for k, v in FACT_VALUES.items()})


@settings(max_examples=300, deadline=None)
@given(rules=st.lists(conditions, min_size=1, max_size=6), facts=fact_sets)
def test_generated_rules_agree_with_the_reference_closures(
    rules: list[Condition], facts: dict[str, Any]
) -> None:
    types = {"data.order.eta": "date", "confidence": "number"}
    compiler = Compiler(types)
    predicates = [compiler.compile(rule) for rule in rules]
    runner = build_runner(compiler, list(enumerate(rules)))
    view = FactView(facts, compiler.book)
    assert runner(view) == [i for i, holds in enumerate(predicates) if holds(view)]
