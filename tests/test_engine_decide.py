"""decide(): the fixed precedence, table-driven, on the small test ruleset."""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Mapping, Sequence
from typing import Any

import msgspec
import pytest

from engine_support import NOW, RULES, fixed, mini_ruleset, rule, t
from switchboard.engine.classifier import Classifier
from switchboard.engine.decide import decide
from switchboard.engine.sources import FixtureDataSource
from switchboard.engine.types import Context, ConversationFacts, Customer, Decision, Inquiry
from switchboard.rules.model import Rule, Ruleset

CUSTOMER = Customer(id="C10023", name="Hydro-Kraft GmbH", tier="standard", locale="de")
ORDER = {"order_no": "SO4500123", "customer_id": "C10023", "status": "shipped", "value": 1800}
INVOICE = {"invoice_no": "INV26004512", "customer_id": "C10023", "status": "open", "amount": 90}
DATA = {"erp.order_by_reference": ORDER, "erp.invoice_by_reference": INVOICE}
ROUTINE = "Where is my order SO4500123?"

_RULESETS: dict[tuple[Any, ...], Ruleset] = {}


def ruleset(rules: Sequence[Rule] = RULES, classifier: Classifier | None = None) -> Ruleset:
    key = (tuple(r.id for r in rules), id(classifier))
    if key not in _RULESETS:
        _RULESETS[key] = mini_ruleset(rules, classifier=classifier)
    return _RULESETS[key]


def run(
    text: str = ROUTINE,
    *,
    customer: Customer | None = CUSTOMER,
    data: Mapping[str, Mapping[str, Any]] = DATA,
    rules: Sequence[Rule] = RULES,
    classifier: Classifier | None = None,
    conversation: ConversationFacts | None = None,
    now: dt.datetime = NOW,
    locale: str | None = None,
    channel: str = "email",
) -> Decision:
    inquiry = Inquiry(channel=channel, text=text, locale=locale)  # type: ignore[arg-type]
    context = Context(now, customer, conversation or ConversationFacts())
    source = FixtureDataSource(data, now)
    return decide(ruleset(rules, classifier), inquiry, context, source)


def test_a_perfect_routine_inquiry_is_answered() -> None:
    decision = run()
    assert (decision.outcome, decision.automated, decision.reasons) == ("auto_reply", True, [])
    assert decision.intent == "order_status" and decision.confidence >= 0.5
    assert decision.reply is not None and decision.reply.template == "order_status"
    assert "SO4500123 is shipped" in decision.reply.body
    assert decision.reply.subject == "Order SO4500123"
    assert decision.data[0].source == "erp.order_by_reference" and decision.data[0].status == "ok"
    assert decision.queue is None and decision.priority == "normal"


ROUTED: list[tuple[str, dict[str, Any], str, str, list[str]]] = [
    # (case, run() arguments, queue, priority, reasons)
    (
        "legal threat",
        {"text": ROUTINE + " Otherwise our lawyer takes over."},
        "key_accounts",
        "urgent",
        ["legal_threat"],
    ),
    (
        "vip",
        {"customer": msgspec.structs.replace(CUSTOMER, tier="vip")},
        "key_accounts",
        "normal",
        ["vip_customer"],
    ),
    (
        "order on hold",
        {"data": {"erp.order_by_reference": {**ORDER, "status": "on_hold"}}},
        "order_desk",
        "high",
        ["order_on_hold"],
    ),
    (
        "repeated contact",
        {"conversation": ConversationFacts(contacts_last_7d=5)},
        "order_desk",
        "normal",
        ["repeated_contact"],
    ),
    (
        "first route rule picks the queue, every reason is listed",
        {
            "text": "Where is SO4500123? Next stop: court.",
            "customer": msgspec.structs.replace(CUSTOMER, tier="vip"),
        },
        "key_accounts",
        "urgent",
        ["legal_threat", "vip_customer"],
    ),
    (
        "a route rule beats a clarify rule",
        {"text": "where is my order, else our lawyer will call"},
        "key_accounts",
        "urgent",
        ["legal_threat", "missing_reference"],
    ),
    (
        "out of scope",
        {"classifier": fixed("out_of_scope")},
        "order_desk",
        "normal",
        ["out_of_scope"],
    ),
    ("not routine", {"classifier": fixed("complaint")}, "quality_claims", "high", ["not_routine"]),
    (
        "low confidence",
        {"classifier": fixed("invoice", 0.55)},
        "accounts_receivable",
        "normal",
        ["low_confidence"],
    ),
    (
        "missing entity without a clarify template",
        {"text": "please send me the invoice copy", "classifier": fixed("invoice")},
        "accounts_receivable",
        "normal",
        ["missing_entity"],
    ),
    ("unknown customer", {"customer": None}, "order_desk", "normal", ["unknown_customer"]),
    (
        "not found",
        {"data": {"erp.order_by_reference": {"error": "not_found"}}},
        "order_desk",
        "normal",
        ["data_not_found"],
    ),
    (
        "timeout",
        {"data": {"erp.order_by_reference": {"error": "timeout"}}},
        "order_desk",
        "normal",
        ["data_timeout"],
    ),
    (
        "error",
        {"data": {"erp.order_by_reference": {"error": "error"}}},
        "order_desk",
        "normal",
        ["data_error"],
    ),
    (
        "circuit open",
        {"data": {"erp.order_by_reference": {"error": "circuit_open"}}},
        "order_desk",
        "normal",
        ["circuit_open"],
    ),
    (
        "a value of the wrong type is a data error",
        {"data": {"erp.order_by_reference": {**ORDER, "value": "lots"}}},
        "order_desk",
        "normal",
        ["data_error"],
    ),
    (
        "ownership mismatch",
        {"data": {"erp.order_by_reference": {**ORDER, "customer_id": "C99999"}}},
        "order_desk",
        "normal",
        ["ownership_mismatch"],
    ),
    (
        "render failed: the reply would print an empty status",
        {"data": {"erp.order_by_reference": {**ORDER, "status": None}}},
        "order_desk",
        "normal",
        ["render_failed"],
    ),
]


@pytest.mark.parametrize(
    ("case", "args", "queue", "priority", "reasons"), ROUTED, ids=[case[0] for case in ROUTED]
)
def test_routed(
    case: str, args: dict[str, Any], queue: str, priority: str, reasons: list[str]
) -> None:
    decision = run(**args)
    assert decision.outcome == "route", case
    assert decision.automated is False and decision.reply is None
    assert (decision.queue, decision.priority, decision.reasons) == (queue, priority, reasons)


def test_routine_intent_below_the_repo_floor_passes_its_own_lower_floor() -> None:
    assert run(classifier=fixed("order_status", 0.55)).outcome == "auto_reply"
    assert run(classifier=fixed("order_status", 0.45)).reasons == ["low_confidence"]


def test_a_close_second_intent_is_low_confidence() -> None:
    close = fixed("order_status", 0.55)
    margin = dataclasses.replace(close, min_margin=0.2)
    backend: Any = margin.backend
    backend.prediction = dataclasses.replace(
        backend.prediction, scores=[("order_status", 0.55), ("invoice", 0.4)]
    )
    assert run(classifier=margin).reasons == ["low_confidence"]


def test_clarify_rule_asks_for_the_reference() -> None:
    decision = run("where is my order")
    assert (decision.outcome, decision.automated, decision.reasons) == (
        "clarify",
        True,
        ["missing_reference"],
    )
    assert decision.reply is not None and decision.reply.template == "ask_order_reference"
    assert decision.data == [] and decision.facts["entities.order_number"] is None


def test_without_a_clarify_rule_the_intents_clarify_template_is_used() -> None:
    rules = [r for r in RULES if r.action == "route"]
    decision = run("where is my order", rules=rules)
    assert (decision.outcome, decision.reasons) == ("clarify", ["missing_entity"])
    assert decision.reply is not None and "SO followed by seven digits" in decision.reply.body


def test_a_clarify_rule_never_answers_a_non_routine_intent() -> None:
    ask = rule(
        "ask_anything", t("text", "exists", True), action="clarify", template="ask_order_reference"
    )
    decision = run(rules=[ask], classifier=fixed("complaint"))
    assert decision.outcome == "route" and decision.reasons == ["not_routine"]
    assert [hit.id for hit in decision.rules_fired] == ["ask_anything"]


def test_follow_up_takes_the_reference_from_the_conversation() -> None:
    conversation = ConversationFacts(
        id="conv-1", entities={"order_number": "SO4500123"}, previous_intent="order_status"
    )
    decision = run(
        "and has it shipped by now?", classifier=fixed("order_status"), conversation=conversation
    )
    assert decision.outcome == "auto_reply", decision.reasons
    assert decision.entities["order_number"] == "SO4500123"
    assert decision.conversation_id == "conv-1"


def test_outside_business_hours_rule_uses_the_repository_time_zone() -> None:
    after_hours = rule("after_hours", t("time.business_hours", "eq", False))
    saturday = dt.datetime(2026, 12, 5, 9, 0, tzinfo=dt.UTC)
    friday_evening_berlin = dt.datetime(2026, 12, 4, 16, 30, tzinfo=dt.UTC)  # 17:30 in Berlin
    friday_morning_berlin = dt.datetime(2026, 12, 4, 6, 45, tzinfo=dt.UTC)  # 07:45 in Berlin
    assert run(rules=[after_hours], now=saturday).reasons == ["after_hours"]
    assert run(rules=[after_hours], now=friday_evening_berlin).reasons == ["after_hours"]
    decision = run(rules=[after_hours], now=friday_morning_berlin)
    assert decision.outcome == "auto_reply"
    assert decision.facts["time.business_hours"] is True


@pytest.mark.parametrize(
    ("locale", "customer_locale", "text", "expected"),
    [
        ("de", None, ROUTINE, "de"),  # the hint wins over the detected language
        ("de-CH", None, ROUTINE, "de"),
        ("fr", None, "Wo ist unser Auftrag SO4500123?", "de"),  # hint not in repo: detected
        (None, "de", "SO4500123", "de"),  # nothing detected: the customer's locale
        (None, None, "SO4500123", "en"),  # else the default locale
    ],
)
def test_reply_locale(
    locale: str | None, customer_locale: str | None, text: str, expected: str
) -> None:
    customer = msgspec.structs.replace(CUSTOMER, locale=customer_locale)
    decision = run(text, locale=locale, customer=customer, classifier=fixed("order_status"))
    assert decision.reply is not None and decision.reply.locale == expected


def test_each_channel_gets_its_own_variant() -> None:
    for channel in ("email", "sms", "chat", "voice"):
        decision = run(channel=channel)
        assert decision.reply is not None and decision.reply.channel == channel
        assert (decision.reply.subject is not None) == (channel == "email")


def test_record_holds_what_the_rules_read_and_nothing_else() -> None:
    decision = run()
    assert set(decision.facts) == {
        "intent",
        "confidence",
        "text",
        "customer.tier",
        "conversation.contacts_last_7d",
        "entities.order_number",
        "entities.po_number",
        "data.order.status",
    }
    assert decision.scores[0].intent == "order_status" and len(decision.scores) == 3
    assert set(decision.timings_us) == {
        "normalize",
        "classify",
        "extract",
        "lookups",
        "rules",
        "render",
        "total",
    }
    assert len(decision.decision_id) == 32 and decision.revision == "0" * 40


def test_given_decision_id_is_kept() -> None:
    inquiry = Inquiry(channel="email", text=ROUTINE)
    context = Context(NOW, CUSTOMER)
    decision = decide(ruleset(), inquiry, context, FixtureDataSource(DATA, NOW), decision_id="d-1")
    assert decision.decision_id == "d-1"


def test_summary_tells_the_agent_what_and_why() -> None:
    conversation = ConversationFacts(summary=["Asked for SO4500123 on Monday; answered."])
    decision = run(ROUTINE + " Our lawyer is informed.", conversation=conversation)
    for part in (
        "order_status",
        "SO4500123",
        "Hydro-Kraft GmbH",
        "C10023",
        "key_accounts",
        "legal_threat",
        "Asked for SO4500123 on Monday",
    ):
        assert part in decision.summary


def test_unknown_intent_from_a_stale_classifier_routes_to_the_default_queue() -> None:
    decision = run(classifier=fixed("warranty_question"))
    assert (decision.outcome, decision.queue, decision.reasons) == (
        "route",
        "order_desk",
        ["out_of_scope"],
    )


# ----- ownership: a foreign row never shows anywhere ----------------------------------------

FOREIGN = {
    "order_no": "SO4500123",
    "customer_id": "C99999",
    "status": "on_hold",
    "eta": "2031-07-19",
    "value": 98765.43,
    "currency": "CHF",
    "name": "Fremdfirma Geheim AG",
}


@pytest.mark.parametrize("channel", ["email", "voice"])
def test_a_foreign_row_never_appears_in_the_decision(channel: str) -> None:
    decision = run(data={"erp.order_by_reference": FOREIGN}, channel=channel)
    assert decision.outcome == "route" and decision.reasons == ["ownership_mismatch"]
    assert decision.rules_fired == []  # the foreign status did not reach the rules either
    assert decision.data[0].status == "ownership_mismatch" and decision.data[0].fields == []
    encoded = msgspec.json.encode(decision).decode()
    for secret in ("C99999", "Fremdfirma", "98765", "2031-07-19", "2031", "CHF", "on_hold"):
        assert secret not in encoded, secret


def test_a_row_without_its_owner_field_is_not_disclosed() -> None:
    row = {k: v for k, v in FOREIGN.items() if k != "customer_id"}
    decision = run(data={"erp.order_by_reference": row})
    assert decision.reasons == ["ownership_mismatch"]
    assert "98765" not in msgspec.json.encode(decision).decode()


def test_an_ownership_mismatch_reported_by_the_source_is_kept() -> None:
    class Refusing:
        def fetch(self, connector: str, query: str, params: dict[str, Any]) -> Any:
            from switchboard.engine.types import LookupResult

            return LookupResult("ownership_mismatch", source=f"{connector}.{query}")

    inquiry = Inquiry(channel="email", text=ROUTINE)
    decision = decide(ruleset(), inquiry, Context(NOW, CUSTOMER), Refusing())
    assert decision.reasons == ["ownership_mismatch"]


def test_lookup_params_come_from_the_entities() -> None:
    source = FixtureDataSource(DATA, NOW)
    inquiry = Inquiry(channel="email", text="Is invoice INV 26004512 paid?")
    decision = decide(ruleset(), inquiry, Context(NOW, CUSTOMER), source)
    assert decision.intent == "invoice" and decision.outcome == "auto_reply", decision.reasons
    assert source.calls == [
        ("erp.invoice_by_reference", {"invoice_number": "INV26004512", "order_number": None})
    ]


def test_a_lookup_can_take_its_params_from_an_earlier_lookup() -> None:
    from switchboard.rules.model import Answer, Lookup

    base = ruleset()
    chained = Answer(
        "invoice",
        (
            Lookup("erp", "order_by_reference", "order"),
            Lookup(
                "erp", "invoice_by_reference", "invoice", {"order_number": "data.order.order_no"}
            ),
        ),
    )
    intents = dict(base.intents)
    intents["invoice"] = dataclasses.replace(
        intents["invoice"], answer=chained, one_of=("po_number", "order_number")
    )
    with_chain = mini_ruleset(classifier=fixed("invoice"))
    with_chain = dataclasses.replace(with_chain, intents=intents)
    source = FixtureDataSource(DATA, NOW)
    inquiry = Inquiry(channel="email", text="Please send the invoice for our PO 4711-0045")
    decision = decide(with_chain, inquiry, Context(NOW, CUSTOMER), source)
    assert decision.outcome == "auto_reply", decision.reasons
    assert source.calls == [
        ("erp.order_by_reference", {"order_number": None, "po_number": "4711-0045"}),
        ("erp.invoice_by_reference", {"invoice_number": None, "order_number": "SO4500123"}),
    ]
    assert [use.source for use in decision.data] == [call for call, _ in source.calls]


def test_a_failed_first_lookup_stops_the_chain() -> None:
    source = FixtureDataSource({"erp.order_by_reference": {"error": "timeout"}}, NOW)
    inquiry = Inquiry(channel="email", text=ROUTINE)
    decision = decide(ruleset(), inquiry, Context(NOW, CUSTOMER), source)
    assert decision.reasons == ["data_timeout"] and len(source.calls) == 1
    assert decision.data[0].status == "timeout" and decision.facts["data.order.status"] is None


def test_a_reply_subject_is_not_classified_but_rules_still_see_it() -> None:
    from switchboard.engine.decide import classification_text

    reply = Inquiry(channel="email", subject="RE: AW: Your order SO4500123", text="Thanks a lot!")
    assert classification_text(reply) == "Thanks a lot!"
    fresh = Inquiry(channel="email", subject="Order SO4500123", text="Where is it?")
    assert classification_text(fresh) == "Order SO4500123\nWhere is it?"
    lawyer = rule("subject_rule", t("text", "contains_any", ["SO4500123"]))
    decision = decide(
        ruleset([lawyer]), reply, Context(NOW, CUSTOMER), FixtureDataSource(DATA, NOW)
    )
    assert decision.rules_fired[0].id == "subject_rule"
    assert decision.entities["order_number"] == "SO4500123"
