"""Rules that can never decide anything, because other rules always match first.

By the fixed precedence (docs/rules.md) the first matching route rule chooses queue and
priority, and any matching route rule beats every clarify rule. So a route rule is shadowed
when every case it matches is matched by an earlier route rule; a clarify rule when every
case is matched by a route rule, anywhere, or by an earlier clarify rule, or is not routine.
"""

from __future__ import annotations

from collections.abc import Sequence

from switchboard.analysis.context import Context, place
from switchboard.analysis.cubes import Cube, TooComplex, subtract
from switchboard.analysis.model import Finding
from switchboard.rules.model import Rule


def covering(ctx: Context, region: list[Cube], candidates: Sequence[int]) -> list[int] | None:
    """A small set of the candidate rules whose union covers `region`, or None if none does."""
    if subtract(region, (ctx.rules[i].when for i in candidates), ctx.space):
        return None
    chosen = [i for i in candidates if _touches(ctx, region, i)]
    for i in reversed(list(chosen)):  # drop what the others already cover
        rest = [j for j in chosen if j != i]
        if not subtract(region, (ctx.rules[j].when for j in rest), ctx.space):
            chosen = rest
    return chosen


def _touches(ctx: Context, region: list[Cube], index: int) -> bool:
    return any(a.meet(b, ctx.space) for a in region for b in ctx.cubes(index))


def shadowed(ctx: Context, dead: set[int]) -> tuple[list[Finding], set[int]]:
    findings: list[Finding] = []
    found: set[int] = set()
    routes = [i for i, r in enumerate(ctx.rules) if r.action == "route" and i not in dead]
    clarifies: list[int] = []
    routine = ctx.only_intents(i.id for i in ctx.ruleset.intents.values() if i.routine)
    for index, rule in enumerate(ctx.rules):
        if index in dead:
            continue
        try:
            if rule.action == "route":
                cover = covering(ctx, ctx.live(index), [i for i in routes if i < index])
                finding = _route_finding(ctx, rule, cover)
            else:
                region = [
                    c for cube in ctx.live(index) if (c := cube.with_lits([routine], ctx.space))
                ]
                if not region:
                    finding = _not_routine(rule)
                else:
                    cover = covering(ctx, region, [*routes, *clarifies])
                    finding = _clarify_finding(ctx, rule, cover)
                clarifies.append(index)
        except TooComplex:
            continue  # reported once per rule by the caller
        if finding is not None:
            findings.append(finding)
            found.add(index)
    return findings, found


def _names(ctx: Context, indexes: list[int]) -> str:
    return ", ".join(f"`{ctx.rules[i].id}`" for i in indexes)


def _route_finding(ctx: Context, rule: Rule, cover: list[int] | None) -> Finding | None:
    if cover is None:
        return None
    queues = sorted({str(ctx.rules[i].queue) for i in cover})
    same = queues == [rule.queue] and all(ctx.rules[i].priority == rule.priority for i in cover)
    effect = (
        "It sends to the same queue with the same priority, so only its reason adds anything"
        if same
        else f"The queue goes to {', '.join(queues)}, never to {rule.queue}"
    )
    return Finding(
        "shadowed_rule",
        "info" if same else "warning",
        f"Route rule `{rule.id}` can never choose the queue: whenever it matches, "
        f"{_names(ctx, cover)} matched before it. {effect}; it still adds its reason "
        f"`{rule.reason}` to those decisions. Move it before them if it should decide.",
        [rule.id, *(ctx.rules[i].id for i in cover)],
        [place(rule.location), *(place(ctx.rules[i].location) for i in cover)],
    )


def _clarify_finding(ctx: Context, rule: Rule, cover: list[int] | None) -> Finding | None:
    if cover is None:
        return None
    return Finding(
        "shadowed_rule",
        "warning",
        f"Clarify rule `{rule.id}` can never ask its question: whenever it matches, "
        f"{_names(ctx, cover)} also matches, and a route rule (or an earlier clarify rule) "
        f"decides instead. It still adds its reason `{rule.reason}`.",
        [rule.id, *(ctx.rules[i].id for i in cover)],
        [place(rule.location), *(place(ctx.rules[i].location) for i in cover)],
    )


def _not_routine(rule: Rule) -> Finding:
    return Finding(
        "shadowed_rule",
        "warning",
        f"Clarify rule `{rule.id}` can never ask its question: it only matches inquiry types "
        "that are not routine, and those always go to a person.",
        [rule.id],
        [place(rule.location)],
    )
