"""Every escalation rule of the demo repository beats automation.

For each rule, a scenario is built from its condition: a perfect routine inquiry (a known
standard customer asks for the status of an order they own, the classifier is sure, the
data is there) changed just enough to make the rule's condition hold. The engine must then
never answer automatically; a route rule must route. The scenarios are derived from the
conditions themselves, so a rule added to the demo repository is covered without a new test.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from dataclasses import dataclass, field
from typing import Any

import msgspec
import pytest
import re2

from engine_support import ScriptedBackend, demo_ruleset, fixed_for
from switchboard.engine.decide import decide
from switchboard.engine.sources import FixtureDataSource
from switchboard.engine.testing import moment
from switchboard.engine.types import Context, ConversationFacts, Customer, Inquiry
from switchboard.rules import model
from switchboard.rules.model import All, Condition, Not, Rule, Ruleset

NEGATED = {"eq": "ne", "ne": "eq", "in": "not_in", "not_in": "in", "gt": "lte", "gte": "lt"}
NEGATED |= {v: k for k, v in NEGATED.items()}
Need = tuple[str, str, Any]  # (fact, op, value) that must hold


BASE_TEXT = "Where is my order"  # every scenario's text starts so


class Unsupported(Exception):
    """A condition this scenario builder cannot satisfy (e.g. only a regular expression)."""


def needs(condition: Condition, want: bool = True) -> list[Need]:
    """Tests that, when all hold, make `condition` evaluate to `want`."""
    if isinstance(condition, Not):
        return needs(condition.item, not want)
    if isinstance(condition, model.Test):
        if condition.op == "exists":
            return [(condition.fact, "exists", bool(condition.value) == want)]
        if want:
            if condition.op == "matches":
                for extra in ("", "invoice", "delivery"):  # words a routine text may hold
                    if condition.fact in ("text", "message") and re2.search(
                        f"(?i){condition.value}", f"{BASE_TEXT} {extra}"
                    ):
                        return [(condition.fact, "contains_any", [extra])] if extra else []
                raise Unsupported(f"matches on {condition.fact}")
            return [(condition.fact, condition.op, condition.value)]
        if condition.op in NEGATED:
            return [(condition.fact, NEGATED[condition.op], condition.value)]
        return []  # contains_any / matches are false on the plain base text
    conjunction = isinstance(condition, All) == want
    items = list(condition.items)
    if conjunction:
        return [need for item in items for need in needs(item, want)]
    items.sort(key=lambda item: "matches" in repr(item))  # prefer phrase lists over patterns
    for item in items:
        try:
            return needs(item, want)
        except Unsupported:
            continue
    raise Unsupported("no branch can be satisfied")


def _value(op: str, value: Any, current: Any) -> Any:
    if op == "eq":
        return value
    if op == "in":
        return value[0]
    if op in {"ne", "not_in"}:
        banned = value if op == "not_in" else [value]
        if current not in banned:
            return current
        return "other" if isinstance(current, str) else None
    step = dt.timedelta(days=1) if isinstance(current, dt.date) else 1
    if isinstance(value, str):
        value = dt.date.fromisoformat(value)
    return {"gt": value + step, "gte": value, "lt": value - step, "lte": value}[op]


@dataclass
class Scenario:
    """A perfect routine inquiry, as facts to realise, changed by the rule's needs."""

    facts: dict[str, Any] = field(
        default_factory=lambda: {
            "intent": "order_status",
            "confidence": 0.99,
            "customer.known": True,
            "customer.tier": "standard",
            "entities.order_number": "SO4500123",
            "conversation.contacts_last_7d": 1,
            "conversation.open": False,
            "lookup.status": "ok",
            "channel": "email",
            "data.order.status": "shipped",
            "data.order.eta": dt.date(2026, 12, 10),
            "data.order.value": 1800.0,
        }
    )
    phrases: list[str] = field(default_factory=list)

    def apply(self, need: Need) -> None:
        fact, op, value = need
        if op == "exists":
            if not value:
                self.facts[fact] = None
            elif self.facts.get(fact) is None:
                self.facts[fact] = {"entities.amount": 100.0}.get(fact, "present")
        elif op == "contains_any":
            self.phrases.append(str(value[0]))
        else:
            self.facts[fact] = _value(op, value, self.facts.get(fact))


def realise(ruleset: Ruleset, scenario: Scenario) -> tuple[Inquiry, Context, dict[str, Any], Any]:
    f = scenario.facts
    text = BASE_TEXT
    if f.get("entities.order_number"):
        text += f" {f['entities.order_number']}"
        if f.get("several_references"):
            text += " and SO4500412"  # a second order of the same customer
    if f.get("entities.po_number"):
        text += f", our PO {f['entities.po_number']}"
    if f.get("entities.invoice_number"):
        text += f" and invoice {f['entities.invoice_number']}"
    if f.get("entities.amount") is not None:
        text += f", about EUR {float(f['entities.amount']):.2f}"
    text += "? " + " ".join(scenario.phrases)
    known = f.get("customer.known") is not False and f.get("lookup.status") != "unknown_customer"
    customer = Customer(id="C10023", name="Hydro-Kraft GmbH", tier=f["customer.tier"] or "standard")
    conversation = ConversationFacts(
        contacts_last_7d=int(f["conversation.contacts_last_7d"]),
        open=bool(f["conversation.open"]),
        queue=f.get("conversation.queue"),
        previous_intent=f.get("conversation.previous_intent"),
    )
    wanted_time = {k.split(".")[1]: v for k, v in f.items() if k.startswith("time.")}
    now = moment(ruleset, wanted_time, dt.date(2026, 12, 2))
    row = {"order_no": "SO4500123", "customer_id": "C10023", "currency": "EUR"}
    row |= {k.split(".")[2]: v for k, v in f.items() if k.startswith("data.order.")}
    invoice = {"invoice_no": "INV26004512", "customer_id": "C10023", "status": "open"}
    invoice |= {k.split(".")[2]: v for k, v in f.items() if k.startswith("data.invoice.")}
    status = f["lookup.status"]
    if status == "ownership_mismatch":
        row["customer_id"] = invoice["customer_id"] = "C99999"
    elif status not in {"ok", "unknown_customer"}:
        row = invoice = {"error": status}
    data = {"erp.order_by_reference": row, "erp.invoice_by_reference": invoice}
    inquiry = Inquiry(channel=f["channel"], text=text, locale=f.get("language"))
    context = Context(now, customer if known else None, conversation)
    return inquiry, context, data, fixed_for(ruleset, f["intent"], float(f["confidence"]))


def scenario_for(rule: Rule) -> Scenario:
    scenario = Scenario()
    for need in needs(rule.when):
        scenario.apply(need)
    if scenario.facts.get("data.invoice.status") is not None and "intent" not in {
        n[0] for n in needs(rule.when)
    }:
        scenario.facts["intent"] = "invoice"
    return scenario


def test_the_unchanged_scenario_is_answered_automatically() -> None:
    ruleset = demo_ruleset()
    inquiry, context, data, model = realise(ruleset, Scenario())
    with_model = dataclasses.replace(ruleset, classifier=model)
    decision = decide(with_model, inquiry, context, FixtureDataSource(data, context.now))
    assert decision.outcome == "auto_reply", (decision.reasons, decision.rules_fired)


RULES = demo_ruleset().rules


@pytest.mark.parametrize("rule", RULES, ids=[rule.id for rule in RULES])
def test_every_escalation_rule_prevents_an_automatic_answer(rule: Rule) -> None:
    ruleset = demo_ruleset()
    try:
        scenario = scenario_for(rule)
    except Unsupported as exc:
        pytest.fail(f"cannot build an inquiry for {rule.id}: {exc}; extend this test")
    inquiry, context, data, model = realise(ruleset, scenario)
    with_model = dataclasses.replace(ruleset, classifier=model)
    decision = decide(with_model, inquiry, context, FixtureDataSource(data, context.now))
    fired = [hit.id for hit in decision.rules_fired]
    assert rule.id in fired, (scenario, msgspec.json.encode(decision.facts))
    assert decision.outcome != "auto_reply"
    if rule.action == "route":
        assert decision.outcome == "route" and rule.reason in decision.reasons
        assert decision.automated is False and decision.reply is None


def test_a_close_call_between_status_and_date_gets_the_answer_that_gives_both() -> None:
    """The demo's delivery_date declares `also_answers: [order_status]`: when the classifier
    cannot tell the two apart, the delivery date answer (date and status) goes out."""
    from switchboard.engine.classifier import Classifier

    ruleset = demo_ruleset()
    inquiry, context, data, _ = realise(ruleset, Scenario())
    close = ScriptedBackend([("order_status", 0.47), ("delivery_date", 0.42), ("complaint", 0.11)])
    assert isinstance(ruleset.classifier, Classifier)
    model = dataclasses.replace(ruleset.classifier, backend=close)
    decision = decide(
        dataclasses.replace(ruleset, classifier=model),
        inquiry,
        context,
        FixtureDataSource(data, context.now),
    )
    assert decision.outcome == "auto_reply", decision.reasons
    assert (decision.intent, decision.joined_intent) == ("delivery_date", "order_status")
    assert decision.confidence == pytest.approx(0.89)
    assert decision.reply is not None and decision.reply.template == "delivery_date"
    assert "10" in decision.reply.body and "shipped" in decision.reply.body

    alone = dataclasses.replace(
        ruleset.classifier, backend=close, also_answers={}
    )  # without the declaration the same scores are a hand-off
    handed = decide(
        dataclasses.replace(ruleset, classifier=alone),
        inquiry,
        context,
        FixtureDataSource(data, context.now),
    )
    assert handed.outcome == "route" and "low_confidence" in handed.reasons
