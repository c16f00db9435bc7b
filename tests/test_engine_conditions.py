"""Condition evaluation: every operator, facts without values, accents, types, intent scopes."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from engine_support import all_of, any_of, not_, t

from switchboard.engine.conditions import evaluate, intents_of, referenced_facts
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
    from switchboard.rules.model import Test

    from engine_support import HERE

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
