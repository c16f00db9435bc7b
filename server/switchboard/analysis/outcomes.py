"""Inquiry types without an outcome: nowhere to go, or an answer that cannot be sent.

The loader refuses most of these already; the analysis repeats the checks on the compiled
revision, so a ruleset built any other way is held to the same standard, and adds one the
loader cannot make: a routine type that route rules always take away from automation.
"""

from __future__ import annotations

from switchboard.analysis.context import Context, place
from switchboard.analysis.cubes import TooComplex, subtract
from switchboard.analysis.model import Finding
from switchboard.rules.model import CHANNELS, Intent, Location


def intent_findings(ctx: Context) -> list[Finding]:
    findings: list[Finding] = []
    ruleset = ctx.ruleset
    for intent in ruleset.intents.values():
        if not intent.routine and not intent.queue:
            findings.append(_finding(intent, "has no queue and no answer, so it has no outcome"))
        elif intent.queue and intent.queue not in ruleset.queues:
            findings.append(_finding(intent, f"names the queue `{intent.queue}`, which is missing"))
        if intent.routine and intent.answer is None:
            findings.append(_finding(intent, "is routine but has no answer"))
        templates = [intent.answer.template] if intent.routine and intent.answer else []
        templates += [intent.clarify_template] if intent.clarify_template else []
        findings += [f for t in templates if (f := _missing(ctx, t, intent.location, intent.id))]
    for rule in ctx.rules:
        if rule.action == "clarify" and rule.template:
            finding = _missing(ctx, rule.template, rule.location, rule.id)
            findings += [finding] if finding else []
    findings += _never_answered(ctx)
    return findings


def _finding(intent: Intent, what: str) -> Finding:
    return Finding(
        "intent_without_outcome",
        "error",
        f"Inquiry type `{intent.id}` {what}.",
        [intent.id],
        [place(intent.location)],
    )


def _missing(ctx: Context, template_id: str, where: Location, user: str) -> Finding | None:
    template = ctx.ruleset.templates.get(template_id)
    locales = ctx.ruleset.settings.locales
    variants = template.variants if template else {}
    missing = [f"{c}/{loc}" for c in CHANNELS for loc in locales if (c, loc) not in variants]
    if not missing:
        return None
    what = "does not exist" if template is None else f"lacks {', '.join(missing)}"
    return Finding(
        "template_incomplete",
        "error",
        f"`{user}` sends the text `{template_id}`, which {what}. Such inquiries cannot be "
        "answered and go to a person with render_failed.",
        [user],
        [place(where)],
    )


def _never_answered(ctx: Context) -> list[Finding]:
    """Routine types for which every case is taken by some route rule."""
    routes = [r.when for r in ctx.rules if r.action == "route"]
    found: list[Finding] = []
    for intent_id in sorted(ctx.automatable()):
        only = ctx.only_intents([intent_id])
        cases = [c for cube in ctx.world if (c := cube.with_lits([only], ctx.space))]
        try:
            left = subtract(cases, routes, ctx.space)
        except TooComplex:
            continue
        if not left:
            intent = ctx.ruleset.intents[intent_id]
            found.append(
                Finding(
                    "never_answered",
                    "info",
                    f"Routine inquiry type `{intent_id}` is never answered automatically: "
                    "route rules take every case. Make it non-routine if that is intended.",
                    [intent_id],
                    [place(intent.location)],
                )
            )
    return found
