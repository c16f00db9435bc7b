"""`decide`: one inquiry in, one Decision out, by the rules of one revision.

Pure apart from `data.fetch`: the same ruleset, inquiry, context and data give the same
decision, which is what makes replaying past inquiries against a new revision possible.
Steps: normalise, classify, extract, fetch live data (routine intents only), build facts,
evaluate every escalation rule, apply the fixed precedence, render the reply.
"""

from __future__ import annotations

import logging
import re
import time
import uuid
from collections.abc import Mapping
from typing import Any

from switchboard.engine import precedence
from switchboard.engine.classifier import Prediction, confidence_floor
from switchboard.engine.extract import extract, several_references
from switchboard.engine.facts import (
    conversation_facts,
    customer_facts,
    entity_facts,
    local_time,
    time_facts,
)
from switchboard.engine.lookups import LookupRun, run_lookups
from switchboard.engine.program import program_for
from switchboard.engine.spoken import written
from switchboard.engine.summary import describe_references, summarize
from switchboard.engine.text import message_core, normalize, strip_quoted
from switchboard.engine.types import (
    Context,
    DataSource,
    Decision,
    Inquiry,
    Reply,
    RuleHit,
    Score,
)
from switchboard.rules.model import Intent, Query, Ruleset

log = logging.getLogger(__name__)


class _Clock:
    def __init__(self) -> None:
        self.start = self.mark = time.perf_counter_ns()
        self.phases: dict[str, int] = {}

    def lap(self, phase: str) -> None:
        now = time.perf_counter_ns()
        self.phases[phase] = (now - self.mark) // 1000
        self.mark = now

    def done(self) -> dict[str, int]:
        self.phases["total"] = (time.perf_counter_ns() - self.start) // 1000
        return self.phases


def inquiry_text(inquiry: Inquiry) -> str:
    """Subject and body as one normalised text, the way rules and the classifier see it."""
    raw = f"{inquiry.subject}\n{inquiry.text}" if inquiry.subject else inquiry.text
    return normalize(raw)


_REPLY_SUBJECT = re.compile(r"(?i)^\s*(?:(?:re|aw|antw|wg|fw|fwd)\s*(?:\[\d+\])?\s*:\s*)+")


def classification_text(inquiry: Inquiry) -> str:
    """What the classifier reads: subject and body, except that the subject of a reply or a
    forward ("RE: Your order ...") is left out: it repeats the thread's first subject, often
    our own, while the new message is in the body."""
    if inquiry.subject and _REPLY_SUBJECT.match(inquiry.subject) and inquiry.text.strip():
        return normalize(inquiry.text)
    return inquiry_text(inquiry)


def _primary(locale: str | None) -> str | None:
    return locale.replace("_", "-").split("-")[0].lower() if locale else None


def reply_locale(ruleset: Ruleset, hint: str | None, detected: str | None, context: Context) -> str:
    """The hint if the repo has it, else the detected language, the customer's, the default."""
    customer_locale = context.customer.locale if context.customer else None
    for candidate in (hint, detected, _primary(customer_locale)):
        if candidate in ruleset.settings.locales:
            return candidate
    return ruleset.settings.default_locale


def _references_ok(intent: Intent | None, entities: Mapping[str, Any]) -> bool:
    if intent is None or not intent.one_of:
        return True
    return any(entities.get(name) is not None for name in intent.one_of)


def _remembered(ruleset: Ruleset, entities: dict[str, Any], context: Context) -> dict[str, Any]:
    """References missing from a follow-up, taken from the conversation they belong to."""
    for name, value in context.conversation.entities.items():
        entity = ruleset.entities.get(name)
        if entity is not None and entity.type == "string" and entities.get(name) is None:
            entities[name] = value
    return entities


def _fetch(
    ruleset: Ruleset,
    intent: Intent | None,
    references_ok: bool,
    context: Context,
    facts: dict[str, Any],
    data: DataSource,
    queries: Mapping[tuple[str, str], Query],
) -> LookupRun:
    if intent is None or not intent.routine or intent.answer is None or not references_ok:
        return LookupRun()
    if context.customer is None:
        return LookupRun(status="unknown_customer")
    return run_lookups(intent.answer, queries, facts, context.customer.id, data)


def _confidence_ok(ruleset: Ruleset, intent: Intent | None, prediction: Prediction) -> bool:
    margin = float(getattr(ruleset.classifier, "min_margin", 0.0))
    return (
        prediction.confidence >= confidence_floor(ruleset, intent) and prediction.margin >= margin
    )


def _variables(
    rows: Mapping[str, Any],
    context: Context,
    entities: Mapping[str, Any],
    inquiry: Inquiry,
    locale: str,
) -> dict[str, Any]:
    variables: dict[str, Any] = dict(rows)
    if context.customer is not None:
        customer = context.customer
        variables["customer"] = {
            "name": customer.name,
            "account_no": customer.account_no,
            "tier": customer.tier,
        }
    variables["entities"] = dict(entities)
    variables["inquiry"] = {
        "channel": inquiry.channel,
        "locale": locale,
        "subject": inquiry.subject,
    }
    return variables


def _render(
    ruleset: Ruleset, template: str, inquiry: Inquiry, locale: str, variables: dict[str, Any]
) -> Reply | None:
    """The rendered reply, or None when it cannot be rendered (the decision then routes)."""
    if ruleset.renderer is None:
        return None
    try:
        rendered = ruleset.renderer.render(template, inquiry.channel, locale, variables)
    except Exception as exc:  # any failure to render must hand off to a person, never crash
        code = getattr(exc, "code", type(exc).__name__)  # the code only: messages may hold data
        log.warning("template %s (%s/%s) not rendered: %s", template, inquiry.channel, locale, code)
        return None
    return Reply(inquiry.channel, locale, template, rendered.body, rendered.subject)


def decide(
    ruleset: Ruleset,
    inquiry: Inquiry,
    context: Context,
    data: DataSource,
    *,
    decision_id: str | None = None,
    prediction: Prediction | None = None,
) -> Decision:
    """Decide one inquiry. `prediction` lets batch callers classify many texts in one go
    (of `classification_text(inquiry)`)."""
    clock = _Clock()
    text = inquiry_text(inquiry)
    clock.lap("normalize")
    if prediction is None:
        if ruleset.classifier is None:
            raise ValueError("the ruleset has no classifier: load it with build_engine=True")
        prediction = ruleset.classifier.predict(classification_text(inquiry))
    clock.lap("classify")
    hint = _primary(inquiry.locale)
    language = hint or prediction.language
    locale = reply_locale(ruleset, hint, prediction.language, context)
    today = local_time(ruleset.settings, context.now).date()
    entities = _remembered(ruleset, extract(ruleset.entities, written(text), today), context)
    message = message_core(strip_quoted(text))
    program = program_for(ruleset)
    read_by_rules = program.facts_for(prediction.intent)
    several = (  # a second pass over the message: only when a rule reads it
        several_references(ruleset.entities, written(message))
        if "several_references" in read_by_rules
        else False
    )
    clock.lap("extract")

    intent = ruleset.intents.get(prediction.intent)
    references_ok = _references_ok(intent, entities)
    facts: dict[str, Any] = {
        "intent": prediction.intent,
        "confidence": prediction.confidence,
        "channel": inquiry.channel,
        "text": text,
        "message": message,
        "several_references": several,
        **({"language": language} if language else {}),
        **customer_facts(context.customer),
        **conversation_facts(context),
        **entity_facts(entities),
        **time_facts(ruleset.settings, context.now),
    }
    lookups = _fetch(ruleset, intent, references_ok, context, facts, data, program.queries)
    facts["lookup.status"] = lookups.status
    clock.lap("lookups")

    fired = program.fired(prediction.intent, program.view(facts))
    checks = precedence.Checks(
        intent=intent,
        confidence_ok=_confidence_ok(ruleset, intent, prediction),
        references_ok=references_ok,
        customer_known=context.customer is not None,
        lookup_status=lookups.status,
    )
    default_queue = ruleset.settings.default_queue
    verdict = precedence.apply(fired, checks, default_queue)
    clock.lap("rules")

    reply = None
    if verdict.outcome != "route" and verdict.template is not None:
        variables = _variables(lookups.rows, context, entities, inquiry, locale)
        reply = _render(ruleset, verdict.template, inquiry, locale, variables)
        if reply is None:
            verdict = precedence.render_failed(verdict, intent, default_queue)
    clock.lap("render")

    read = {name: facts.get(name) for name in sorted(read_by_rules)}
    read.update(intent=prediction.intent, confidence=prediction.confidence)
    summary = summarize(
        intent_title=intent.title if intent else prediction.intent,
        intent_id=prediction.intent,
        confidence=prediction.confidence,
        references=describe_references(entities, ruleset.entities),
        customer=context.customer,
        verdict=verdict,
        data=lookups.uses,
        earlier=context.conversation.summary,
    )
    return Decision(
        decision_id=decision_id or uuid.uuid4().hex,
        revision=ruleset.revision,
        outcome=verdict.outcome,
        automated=verdict.outcome in ("auto_reply", "clarify"),
        intent=prediction.intent,
        confidence=round(prediction.confidence, 4),
        language=language or locale,
        priority=verdict.priority,
        reasons=verdict.reasons,
        summary=summary,
        scores=[Score(name, round(p, 4)) for name, p in prediction.scores[:3]],
        joined_intent=prediction.joined,
        similarity=None if prediction.similarity is None else round(prediction.similarity, 4),
        entities=entities,
        queue=verdict.queue,
        rules_fired=[RuleHit(r.id, r.action, r.reason, r.queue) for r in fired],
        reply=reply,
        facts=read,
        data=lookups.uses,
        customer_id=context.customer.id if context.customer else None,
        conversation_id=context.conversation.id,
        timings_us=clock.done(),
    )
