"""Property: whenever a route rule's condition holds, the outcome is route.

Inquiries, customers, conversations, live data and the classifier's answer are drawn at
random; the classifier is a test double that returns the drawn prediction.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from engine_support import NOW, demo_ruleset, fixed, fixed_for, mini_ruleset
from switchboard.engine.conditions import evaluate
from switchboard.engine.decide import decide
from switchboard.engine.sources import FixtureDataSource
from switchboard.engine.types import Context, ConversationFacts, Customer, Decision, Inquiry

WORDS = ["where", "is", "order", "SO4500123", "invoice", "INV26004512", "please", "Anwalt",
         "lawyer", "court", "EUR", "12.500,00", "3.000", "broken", "bitte", "Rechnung"]  # fmt: skip
STATUSES = ["shipped", "confirmed", "on_hold", "cancelled", "delivered", "in_production"]

inquiries = st.fixed_dictionaries(
    {
        "text": st.lists(st.sampled_from(WORDS), min_size=1, max_size=12).map(" ".join),
        "channel": st.sampled_from(["email", "sms", "chat", "voice"]),
        "tier": st.none() | st.sampled_from(["standard", "key_account", "vip"]),
        "contacts": st.integers(min_value=1, max_value=9),
        "open": st.booleans(),
        "queue": st.none() | st.sampled_from(["order_desk", "key_accounts"]),
        "confidence": st.floats(min_value=0.0, max_value=1.0),
        "status": st.sampled_from(STATUSES),
        "value": st.floats(min_value=0, max_value=200_000, allow_nan=False),
        "data": st.sampled_from(["ok", "foreign", "timeout", "not_found", "error"]),
        "hour": st.integers(min_value=0, max_value=23),
        "day": st.integers(min_value=0, max_value=6),
    }
)


def run(ruleset: Any, draw: dict[str, Any], intent: str, model: Any) -> Decision:
    customer = None
    if draw["tier"] is not None:
        customer = Customer(id="C10023", name="Hydro-Kraft GmbH", tier=draw["tier"])
    owner = "C99999" if draw["data"] == "foreign" else "C10023"
    order = {"order_no": "SO4500123", "customer_id": owner, "status": draw["status"],
             "value": draw["value"], "eta": "2026-12-10"}  # fmt: skip
    invoice = {"invoice_no": "INV26004512", "customer_id": owner, "status": "open",
               "amount": draw["value"], "paid": False}  # fmt: skip
    if draw["data"] in {"timeout", "not_found", "error"}:
        order = invoice = {"error": draw["data"]}
    data = {"erp.order_by_reference": order, "erp.invoice_by_reference": invoice}
    now = NOW + dt.timedelta(days=draw["day"], hours=draw["hour"])
    conversation = ConversationFacts(
        contacts_last_7d=draw["contacts"], open=draw["open"], queue=draw["queue"]
    )
    inquiry = Inquiry(channel=draw["channel"], text=draw["text"])
    with_model = dataclasses.replace(ruleset, classifier=model)
    return decide(with_model, inquiry, Context(now, customer, conversation),
                  FixtureDataSource(data, now))  # fmt: skip


MINI = mini_ruleset(classifier=fixed("order_status"))


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(draw=inquiries, intent=st.sampled_from(sorted(MINI.intents)))
def test_route_rules_always_route_small_ruleset(draw: dict[str, Any], intent: str) -> None:
    decision = run(MINI, draw, intent, fixed(intent, draw["confidence"]))
    words = draw["text"].lower().split()
    expected = set()
    if {"lawyer", "court", "anwalt"} & set(words):
        expected.add("legal_threat")
    if draw["tier"] == "vip":
        expected.add("vip_customer")
    if draw["contacts"] >= 4:
        expected.add("repeated_contact")
    amount = decision.entities.get("amount")
    if intent in {"complaint", "invoice"} and amount is not None and amount > 10000:
        expected.add("big_claim")
    looked_up = intent == "order_status" and "SO4500123" in words and draw["tier"] is not None
    if looked_up and draw["data"] == "ok" and draw["status"] in {"on_hold", "cancelled"}:
        expected.add("order_on_hold")
    fired = {hit.id for hit in decision.rules_fired}
    assert expected <= fired
    if expected:
        assert decision.outcome == "route" and decision.automated is False
        assert decision.reply is None
    if decision.outcome == "auto_reply":
        assert not fired and intent == "order_status" and draw["confidence"] >= 0.5
        assert draw["tier"] in {"standard", "key_account"} and draw["data"] == "ok"


DEMO = demo_ruleset()


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(draw=inquiries, intent=st.sampled_from(sorted(DEMO.intents)))
def test_route_rules_always_route_demo_ruleset(draw: dict[str, Any], intent: str) -> None:
    decision = run(DEMO, draw, intent, fixed_for(DEMO, intent, draw["confidence"]))
    for rule in DEMO.rules:
        if rule.action == "route" and evaluate(rule.when, decision.facts):
            assert decision.outcome == "route", rule.id
            assert rule.id in {hit.id for hit in decision.rules_fired}
    assert decision.automated == (decision.outcome in {"auto_reply", "clarify"})
