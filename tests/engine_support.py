"""A small, complete ruleset built straight from the model, for the engine's tests.

It has what the demo repository has in miniature: two routine intents with live lookups and
templates, non-routine intents, an out-of-scope class, entity patterns, a connector with an
owner field, and escalation rules of both actions.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from switchboard.engine.classifier import Classifier, Prediction, train
from switchboard.engine.extract import compile_pattern
from switchboard.engine.render import Renderer
from switchboard.rules.model import (
    All,
    Answer,
    AnyOf,
    Condition,
    Connector,
    Entity,
    EntityPattern,
    Field,
    Intent,
    Location,
    Lookup,
    Not,
    Query,
    QueryRef,
    Rule,
    Ruleset,
    Settings,
    Template,
    TemplateVariant,
    Test,
)

HERE = Location("tests/engine_support.py")
NOW = dt.datetime(2026, 12, 1, 9, 30, tzinfo=dt.UTC)  # a Tuesday, 10:30 in Berlin
CHANNELS = ("email", "sms", "chat", "voice")


def t(fact: str, op: str, value: Any) -> Test:
    return Test(fact, op, value, HERE)


def all_of(*items: Condition) -> All:
    return All(tuple(items))


def any_of(*items: Condition) -> AnyOf:
    return AnyOf(tuple(items))


def not_(item: Condition) -> Not:
    return Not(item)


def rule(
    rule_id: str,
    when: Condition,
    *,
    action: str = "route",
    queue: str | None = None,
    priority: str | None = None,
    template: str | None = None,
    reason: str | None = None,
) -> Rule:
    return Rule(
        id=rule_id,
        title=rule_id.replace("_", " "),
        description="",
        set_id="tests",
        when=when,
        action=action,  # type: ignore[arg-type]
        reason=reason or rule_id,
        queue=queue,
        priority=priority,  # type: ignore[arg-type]
        template=template,
        location=HERE,
    )


def _intent(intent_id: str, **fields: Any) -> Intent:
    base: dict[str, Any] = {
        "id": intent_id,
        "title": intent_id.replace("_", " ").capitalize(),
        "description": "",
        "routine": False,
        "out_of_scope": False,
        "queue": "order_desk",
        "priority": "normal",
        "confidence_floor": None,
        "one_of": (),
        "answer": None,
        "clarify_template": None,
        "examples": {},
        "keywords": {},
        "location": HERE,
    }
    base.update(fields)
    return Intent(**base)


EXAMPLES: dict[str, dict[str, tuple[str, ...]]] = {
    "order_status": {
        "en": (
            "What is the status of order SO4511111?",
            "Has our order SO4522222 left your warehouse?",
            "Could you tell me whether PO 8800-12 was confirmed?",
            "Is order SO4533333 still in production?",
            "Any progress on our purchase order XY-2026-4?",
            "status of SO4544444 please",
            "Has SO4555555 been dispatched yet?",
            "where does our order stand",
        ),
        "de": (
            "Wie ist der Stand unseres Auftrags SO4511111?",
            "Ist die Bestellung SO4522222 schon versandt?",
            "Wurde unsere Bestellung 8800-12 bestätigt?",
            "Ist Auftrag SO4533333 noch in der Fertigung?",
            "Bitte Status zu SO4544444",
            "Hat SO4555555 das Werk schon verlassen?",
        ),
    },
    "invoice": {
        "en": (
            "Please send a copy of invoice INV26001111.",
            "Is invoice INV26002222 already paid?",
            "When is INV26003333 due for payment?",
            "We cannot find your invoice for order SO4511111",
            "Could you resend the bill INV26004444 as PDF?",
            "what is the due date of our invoice",
        ),
        "de": (
            "Bitte senden Sie uns eine Kopie der Rechnung INV26001111.",
            "Ist die Rechnung INV26002222 schon bezahlt?",
            "Wann ist INV26003333 fällig?",
            "Wir finden Ihre Rechnung zu Auftrag SO4511111 nicht",
            "Rechnungskopie INV26004444 als PDF bitte",
        ),
    },
    "complaint": {
        "en": (
            "This is the third late delivery in a row, we are very unhappy.",
            "Your service has been terrible and nobody calls back.",
            "I want to complain about the way our order was handled.",
            "The pumps arrived broken and we are furious.",
            "We are disappointed, the delivery was promised weeks ago.",
        ),
        "de": (
            "Das ist schon die dritte verspätete Lieferung, wir sind sehr unzufrieden.",
            "Ihr Service ist eine Katastrophe, niemand ruft zurück.",
            "Ich möchte mich über die Abwicklung unserer Bestellung beschweren.",
            "Wir sind enttäuscht, die Lieferung war vor Wochen zugesagt.",
        ),
    },
    "out_of_scope": {
        "en": (
            "Do you have any open positions for engineers?",
            "Unsubscribe me from your newsletter.",
            "We would like to offer you our logistics software.",
            "Happy holidays to the whole team!",
        ),
        "de": (
            "Haben Sie offene Stellen für Techniker?",
            "Bitte nehmen Sie mich aus dem Newsletter.",
            "Wir möchten Ihnen unsere Software vorstellen.",
            "Frohe Feiertage an das ganze Team!",
        ),
    },
}


def _variant(subject: str | None, body: str) -> TemplateVariant:
    return TemplateVariant(subject, body, HERE)


def _template(template_id: str, subject: str, body: dict[str, str]) -> Template:
    variants = {
        (channel, locale): _variant(subject if channel == "email" else None, text)
        for channel in CHANNELS
        for locale, text in body.items()
    }
    return Template(template_id, "", variants)


TEMPLATES = {
    "order_status": _template(
        "order_status",
        "Order {{ order.order_no }}",
        {
            "en": "Hello {{ customer.name }}, order {{ order.order_no }} is {{ order.status }}.",
            "de": "Hallo {{ customer.name }}, Auftrag {{ order.order_no }}: {{ order.status }}.",
        },
    ),
    "invoice": _template(
        "invoice",
        "Invoice {{ invoice.invoice_no }}",
        {
            "en": "Invoice {{ invoice.invoice_no }} is {{ invoice.status }}.",
            "de": "Rechnung {{ invoice.invoice_no }} ist {{ invoice.status }}.",
        },
    ),
    "ask_order_reference": _template(
        "ask_order_reference",
        "Your order number",
        {
            "en": "Please send us the order number (SO followed by seven digits).",
            "de": "Bitte nennen Sie uns die Auftragsnummer (SO und sieben Ziffern).",
        },
    ),
}


def _entity(
    entity_id: str,
    kind: str,
    patterns: Sequence[tuple[str, str | None]] = (),
    valid: str | None = None,
) -> Entity:
    compiled = tuple(EntityPattern(r, v, compile_pattern(r)) for r, v in patterns)
    return Entity(
        entity_id,
        entity_id.replace("_", " ").capitalize(),
        kind,  # type: ignore[arg-type]
        compiled,
        compile_pattern(valid) if valid else None,
    )


ENTITIES = {
    "order_number": _entity(
        "order_number",
        "string",
        [(r"\b(?:SO|AB)[\s-]?(\d{4})[\s-]?(\d{3})\b", "SO{1}{2}")],
        r"^SO\d{7}$",
    ),
    "po_number": _entity(
        "po_number",
        "string",
        [
            (
                r"\b(?:PO|P\.O\.|Bestellung)\s*(?:no\.?|nr\.?|number)?\s*[:#]?\s*([A-Z0-9]+(?:-[A-Z0-9]+)+)",
                "{1}",
            )
        ],
    ),
    "invoice_number": _entity(
        "invoice_number", "string", [(r"\bINV[\s-]?(\d{8})\b", "INV{1}")], r"^INV\d{8}$"
    ),
    "amount": _entity("amount", "money"),
    "requested_date": _entity("requested_date", "date"),
}

ORDER_FIELDS = {
    name: Field(name, kind)  # type: ignore[arg-type]
    for name, kind in [
        ("order_no", "string"),
        ("customer_id", "string"),
        ("status", "string"),
        ("eta", "date"),
        ("value", "number"),
        ("currency", "string"),
    ]
}
INVOICE_FIELDS = {
    name: Field(name, kind)  # type: ignore[arg-type]
    for name, kind in [
        ("invoice_no", "string"),
        ("customer_id", "string"),
        ("status", "string"),
        ("amount", "number"),
        ("paid", "boolean"),
    ]
}
CUSTOMER_FIELDS = {
    name: Field(name, "string")
    for name in ("customer_id", "name", "account_no", "tier", "segment", "country", "locale")
}


def _query(
    name: str, params: tuple[str, ...], fields: dict[str, Field], owner: str | None
) -> Query:
    return Query(name, "", params, fields, owner, sql="SELECT 1")


ERP = Connector(
    id="erp",
    kind="sql",
    description="",
    timeout_ms=800,
    max_age_s=0,
    pool_size=1,
    breaker_failures=5,
    breaker_reset_s=30,
    queries={
        "order_by_reference": _query(
            "order_by_reference", ("order_number", "po_number"), ORDER_FIELDS, "customer_id"
        ),
        "invoice_by_reference": _query(
            "invoice_by_reference",
            ("invoice_number", "order_number"),
            INVOICE_FIELDS,
            "customer_id",
        ),
        "customer_by_identifier": _query(
            "customer_by_identifier",
            ("email", "phone", "account_no", "customer_id"),
            CUSTOMER_FIELDS,
            None,
        ),
    },
    dsn_setting="SWITCHBOARD_ERP_DSN",
)


def intents() -> dict[str, Intent]:
    return {
        "order_status": _intent(
            "order_status",
            routine=True,
            one_of=("order_number", "po_number"),
            confidence_floor=0.5,
            answer=Answer("order_status", (Lookup("erp", "order_by_reference", "order"),)),
            clarify_template="ask_order_reference",
            examples=EXAMPLES["order_status"],
            keywords={"en": ("order status", "dispatched"), "de": ("Auftragsstatus",)},
        ),
        "invoice": _intent(
            "invoice",
            routine=True,
            queue="accounts_receivable",
            one_of=("invoice_number", "order_number"),
            answer=Answer("invoice", (Lookup("erp", "invoice_by_reference", "invoice"),)),
            examples=EXAMPLES["invoice"],
            keywords={"en": ("invoice copy",), "de": ("Rechnung",)},
        ),
        "complaint": _intent(
            "complaint", queue="quality_claims", priority="high", examples=EXAMPLES["complaint"]
        ),
        "out_of_scope": _intent(
            "out_of_scope", out_of_scope=True, examples=EXAMPLES["out_of_scope"]
        ),
    }


RULES = (
    rule(
        "legal_threat",
        t("text", "contains_any", ["lawyer", "court", "Anwalt", "Klage"]),
        queue="key_accounts",
        priority="urgent",
    ),
    rule("vip_customer", t("customer.tier", "eq", "vip"), queue="key_accounts"),
    rule(
        "big_claim",
        all_of(t("intent", "in", ["complaint", "invoice"]), t("entities.amount", "gt", 10000)),
        queue="accounts_receivable",
    ),
    rule(
        "order_on_hold",
        all_of(
            t("intent", "eq", "order_status"),
            t("data.order.status", "in", ["on_hold", "cancelled"]),
        ),
        queue="order_desk",
        priority="high",
    ),
    rule("repeated_contact", t("conversation.contacts_last_7d", "gte", 4)),
    rule(
        "missing_order_reference",
        all_of(
            t("intent", "eq", "order_status"),
            t("entities.order_number", "exists", False),
            t("entities.po_number", "exists", False),
        ),
        action="clarify",
        template="ask_order_reference",
        reason="missing_reference",
    ),
)


def fact_types(the_intents: dict[str, Intent]) -> dict[str, str]:
    facts = {
        "intent": "enum",
        "confidence": "number",
        "channel": "enum",
        "language": "enum",
        "text": "text",
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
    for entity in ENTITIES.values():
        facts[f"entities.{entity.id}"] = entity.type
    for intent in the_intents.values():
        for lookup in intent.answer.lookups if intent.answer else ():
            for name, spec in ERP.queries[lookup.query].fields.items():
                facts[f"data.{lookup.as_}.{name}"] = spec.type
    return facts


SETTINGS = Settings(
    name="Engine tests",
    locales=("en", "de"),
    default_locale="en",
    time_zone="Europe/Berlin",
    approved_ref="main",
    default_queue="order_desk",
    confidence_floor=0.6,
    conversation_window_days=14,
    customer_lookup=QueryRef("erp", "customer_by_identifier"),
    business_hours={
        day: ((dt.time(7, 30), dt.time(17, 0)),) for day in ("mon", "tue", "wed", "thu", "fri")
    },
)


def mini_ruleset(
    rules: Sequence[Rule] = RULES, *, classifier: Any = None, revision: str = "0" * 40
) -> Ruleset:
    """The test ruleset, with a trained classifier unless another one is given."""
    the_intents = intents()
    ruleset = Ruleset(
        revision=revision,
        settings=SETTINGS,
        intents=the_intents,
        rules=tuple(rules),
        queues={},
        templates=TEMPLATES,
        snippets={},
        entities=ENTITIES,
        connectors={"erp": ERP},
        tests=(),
        files=(),
        facts=fact_types(the_intents),
    )
    renderer = Renderer.build(ruleset)
    model = classifier if classifier is not None else _trained(ruleset)
    return dataclasses.replace(ruleset, classifier=model, renderer=renderer)


_TRAINED: dict[str, Classifier] = {}


def _trained(ruleset: Ruleset) -> Classifier:
    if ruleset.revision not in _TRAINED:
        _TRAINED[ruleset.revision] = train(ruleset)
    return _TRAINED[ruleset.revision]


class FixedBackend:
    """A classifier test double: always predicts what it was given."""

    name = "fixed"

    def __init__(self, intent: str, confidence: float, others: Sequence[str] = ()) -> None:
        rest = (1.0 - confidence) / max(len(others), 1)
        scores = [(intent, confidence)] + [(o, rest) for o in others]
        self.prediction = Prediction(intent, confidence, sorted(scores, key=lambda s: -s[1]))

    def predict(self, text: str) -> Prediction:
        return self.prediction

    def predict_many(self, texts: Sequence[str]) -> list[Prediction]:
        return [self.prediction for _ in texts]


class ScriptedBackend:
    """Returns the scores it was given, best first, as a backend would."""

    name = "scripted"

    def __init__(self, scores: Sequence[tuple[str, float]], confidence: float | None = None):
        ranked = sorted(scores, key=lambda s: -s[1])
        top = ranked[0]
        self.prediction = Prediction(top[0], top[1] if confidence is None else confidence, ranked)

    def predict(self, text: str) -> Prediction:
        return self.prediction

    def predict_many(self, texts: Sequence[str]) -> list[Prediction]:
        return [self.prediction for _ in texts]


def fixed(intent: str, confidence: float = 0.95) -> Classifier:
    others = [i for i in intents() if i != intent]
    return Classifier(FixedBackend(intent, confidence, others), "fixed", min_margin=0.0)


DEMO_REPO = Path(__file__).resolve().parent.parent / "rules-repo"


@functools.cache
def demo_ruleset() -> Ruleset:
    """The demo repository, loaded and trained once per test run."""
    from switchboard.rules import load_ruleset

    result = load_ruleset(DEMO_REPO)
    assert result.ruleset is not None, [str(p) for p in result.errors]
    return result.ruleset


def fixed_for(ruleset: Ruleset, intent: str, confidence: float = 0.99) -> Classifier:
    """A classifier test double for `ruleset` that always predicts `intent`."""
    others = [i for i in ruleset.intents if i != intent]
    return Classifier(FixedBackend(intent, confidence, others), "fixed", min_margin=0.0)
