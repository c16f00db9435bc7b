"""The fixed precedence of docs/rules.md: which outcome an inquiry gets, and why.

Route rules win; a clarify rule counts only for a routine intent; then the engine's own
checks run in their fixed order, each one routing with its reason code; only an inquiry
that passed everything may be answered. There is no path from a matched route rule, or a
failed check, back to an automatic outcome.
"""

from __future__ import annotations

from dataclasses import dataclass

from switchboard.engine.types import LookupStatus, Outcome
from switchboard.rules.model import Intent, Rule

DATA_REASONS: dict[str, str] = {
    "not_found": "data_not_found",
    "timeout": "data_timeout",
    "error": "data_error",
    "circuit_open": "circuit_open",
    "ownership_mismatch": "ownership_mismatch",
    "unknown_customer": "unknown_customer",
}


@dataclass(slots=True)
class Verdict:
    outcome: Outcome
    queue: str | None
    priority: str
    reasons: list[str]
    template: str | None = None  # the template to render for auto_reply and clarify


@dataclass(frozen=True, slots=True)
class Checks:
    """What the built-in checks need to know about one inquiry."""

    intent: Intent | None
    confidence_ok: bool
    references_ok: bool
    customer_known: bool
    lookup_status: LookupStatus


def _route(intent: Intent | None, default_queue: str, reason: str) -> Verdict:
    queue = intent.queue if intent is not None else default_queue
    priority = intent.priority if intent is not None else "normal"
    return Verdict("route", queue or default_queue, priority, [reason])


def apply(fired: list[Rule], checks: Checks, default_queue: str) -> Verdict:
    """The outcome before rendering; rendering can still turn an answer into a route."""
    intent = checks.intent
    routes = [rule for rule in fired if rule.action == "route"]
    if routes:
        first = routes[0]
        queue = first.queue or (intent.queue if intent else None) or default_queue
        priority = first.priority or (intent.priority if intent else "normal")
        reasons = list(dict.fromkeys(rule.reason for rule in fired))
        return Verdict("route", queue, priority, reasons)
    clarifies = [rule for rule in fired if rule.action == "clarify"]
    if clarifies and intent is not None and intent.routine:
        reasons = list(dict.fromkeys(rule.reason for rule in clarifies))
        return Verdict("clarify", None, intent.priority, reasons, clarifies[0].template)
    return builtin(checks, default_queue)


def builtin(checks: Checks, default_queue: str) -> Verdict:
    """The engine's own checks, in their fixed order."""
    intent = checks.intent
    if intent is None or intent.out_of_scope:
        return _route(intent, default_queue, "out_of_scope")
    if not intent.routine or intent.answer is None:
        return _route(intent, default_queue, "not_routine")
    if not checks.confidence_ok:
        return _route(intent, default_queue, "low_confidence")
    if not checks.references_ok:
        if intent.clarify_template:
            return Verdict(
                "clarify", None, intent.priority, ["missing_entity"], intent.clarify_template
            )
        return _route(intent, default_queue, "missing_entity")
    if not checks.customer_known:
        return _route(intent, default_queue, "unknown_customer")
    if checks.lookup_status != "ok":
        reason = DATA_REASONS.get(checks.lookup_status, "data_error")
        return _route(intent, default_queue, reason)
    return Verdict("auto_reply", None, intent.priority, [], intent.answer.template)


def render_failed(verdict: Verdict, intent: Intent | None, default_queue: str) -> Verdict:
    routed = _route(intent, default_queue, "render_failed")
    routed.reasons = [*verdict.reasons, "render_failed"]
    return routed
