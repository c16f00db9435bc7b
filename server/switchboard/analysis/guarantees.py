"""The guarantee check: no protected inquiry can get an automatic answer or a question.

By the engine's structure (docs/adr/0001) a matched route rule always routes, and an inquiry
type that is not routine is always routed by the built-in `not_routine` check. So the proof
obligations are: every route rule really routes in the engine's precedence, can match at
all, and is switched on; and every case of each protected class either has an inquiry type
the engine never answers or is matched by some route rule, whatever the other facts are.
"""

from __future__ import annotations

from collections.abc import Sequence

from switchboard.analysis.context import Context, facts_of, place
from switchboard.analysis.cubes import TOP, Cube, TooComplex, conjoin, meet_all, subtract
from switchboard.analysis.domains import Interval, NumSet, ValueSet
from switchboard.analysis.examples import example, words
from switchboard.analysis.literals import FactLit, Lit
from switchboard.analysis.model import Finding, Guarantee
from switchboard.analysis.protection import ProtectedClass
from switchboard.analysis.shadowing import covering
from switchboard.analysis.world import present_lit
from switchboard.engine import precedence
from switchboard.rules.model import Rule

BUILT_IN = "built-in check not_routine"


def engine_routes(ctx: Context, rule: Rule) -> Finding | None:
    """Runs the engine's precedence with only this rule matched and every check passed."""
    intents = ctx.ruleset.intents
    automatable = sorted(ctx.automatable())
    intent = intents[automatable[0]] if automatable else next(iter(intents.values()), None)
    checks = precedence.Checks(intent, True, True, True, "ok")
    verdict = precedence.apply([rule], checks, ctx.ruleset.settings.default_queue)
    if verdict.outcome == "route":
        return None
    return Finding(
        "route_rule_not_routing",
        "error",
        f"The engine did not route when only route rule `{rule.id}` matched (it decided "
        f"{verdict.outcome}). Automatic answers are not ruled out; report this as a bug.",
        [rule.id],
        [place(rule.location)],
    )


def disabled_finding(rule: Rule) -> Finding:
    protects = " It protects nothing while it is off." if rule.action == "route" else ""
    return Finding(
        "rule_disabled",
        "warning" if rule.action == "route" else "info",
        f"Rule `{rule.id}` is switched off (`enabled: false`).{protects}",
        [rule.id],
        [place(rule.location)],
    )


def check(
    ctx: Context, protected: ProtectedClass, routes: Sequence[int], disabled: Sequence[Rule]
) -> Guarantee:
    try:
        return _check(ctx, protected, routes, disabled)
    except TooComplex as exc:
        return Guarantee(
            protected.id,
            protected.title,
            "too_complex",
            f"Too complex to prove ({exc}): simplify the rules that cover this class, or check "
            "it with test cases. Nothing is claimed.",
        )


def _check(
    ctx: Context, protected: ProtectedClass, routes: Sequence[int], disabled: Sequence[Rule]
) -> Guarantee:
    region = conjoin(list(ctx.world), protected.condition, ctx.space)
    answerable = [c for cube in region if (c := cube.with_lits([_automatable(ctx)], ctx.space))]
    built_in = [BUILT_IN] if len(ctx.intents(region) - ctx.automatable()) else []
    left = subtract(answerable, (ctx.rules[i].when for i in routes), ctx.space)
    if left:
        return _failed(ctx, protected, left, routes, disabled, built_in)
    rules = covering(ctx, answerable, list(routes)) if answerable else []
    names = [ctx.rules[i].id for i in rules or []]
    how = " and ".join(
        part
        for part in (
            f"route rule(s) {', '.join(f'`{n}`' for n in names)}" if names else "",
            "the engine's not_routine check" if built_in else "",
        )
        if part
    )
    return Guarantee(
        protected.id,
        protected.title,
        "proved",
        f"No automatic answer is possible: every such inquiry is routed by {how or 'nothing'}.",
        [*names, *built_in],
    )


def _failed(
    ctx: Context,
    protected: ProtectedClass,
    left: list[Cube],
    routes: Sequence[int],
    disabled: Sequence[Rule],
    built_in: list[str],
) -> Guarantee:
    """The guarantee fails; the example is one the engine's own checks would let through
    (sure classification, a reference, a known customer, data found) when there is one."""
    through = meet_all(left, passing(ctx), ctx.space)
    key = facts_of(protected.condition) | {"intent"}
    texts = ("text", "message")
    details = key | {f for i in routes for f in facts_of(ctx.rules[i].when) if f not in texts}
    shown = example((through or left)[0], ctx.space, details)
    case = words({fact: value for fact, value in shown.items() if fact in key})
    how = (
        "would be answered automatically (every other check passes)"
        if through
        else "is only kept from an automatic answer by the engine's confidence, reference, "
        "customer or data checks, which are no guarantee"
    )
    return Guarantee(
        protected.id,
        protected.title,
        "failed",
        f"Not guaranteed: an inquiry with {case} matches no route rule and {how}."
        f"{_off(ctx, left, disabled)}",
        built_in,
        shown,
    )


def passing(ctx: Context) -> list[Cube]:
    """The cases in which the engine's built-in checks let a routine inquiry through."""
    found: list[Cube] = []
    for intent_id in sorted(ctx.automatable()):
        intent = ctx.ruleset.intents[intent_id]
        floor = intent.confidence_floor
        floor = ctx.ruleset.settings.confidence_floor if floor is None else floor
        lits: list[Lit] = [
            ctx.only_intents([intent_id]),
            FactLit("confidence", NumSet((Interval(floor, 1),))),
            FactLit("customer.known", ValueSet(frozenset({True}))),
            FactLit("lookup.status", ValueSet(frozenset({"ok"}))),
        ]
        for reference in intent.one_of or (None,):
            extra = [present_lit(f"entities.{reference}", ctx.space)] if reference else []
            cube = TOP.with_lits([*lits, *extra], ctx.space)
            found += [cube] if cube is not None else []
    return found


def _automatable(ctx: Context) -> FactLit:
    return ctx.only_intents(ctx.automatable())


def _off(ctx: Context, left: list[Cube], disabled: Sequence[Rule]) -> str:
    """A note on switched-off route rules that would cover part of what is left."""
    names = []
    for rule in disabled:
        if rule.action == "route":
            try:
                if conjoin(left, rule.when, ctx.space):
                    names.append(f"`{rule.id}`")
            except TooComplex:
                continue
    if not names:
        return ""
    return f" {', '.join(names)} would cover it but is switched off (`enabled: false`)."
