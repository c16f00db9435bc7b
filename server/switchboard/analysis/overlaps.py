"""Route rules with different queues that can match the same inquiry.

Not a mistake in itself (the first one wins, by design), but a reviewer should see where the
order of rules decides the team. Each finding carries one inquiry's facts that match both.
"""

from __future__ import annotations

from switchboard.analysis.context import Context, facts_of, place
from switchboard.analysis.cubes import Cube, TooComplex
from switchboard.analysis.examples import example, words
from switchboard.analysis.model import Finding


def overlaps(ctx: Context, skip: set[int]) -> list[Finding]:
    routes = [i for i, r in enumerate(ctx.rules) if r.action == "route" and i not in skip]
    scopes: dict[int, frozenset[str]] = {}
    for i in routes:
        try:
            scopes[i] = ctx.intents(ctx.live(i))
        except TooComplex:
            continue
    findings: list[Finding] = []
    for n, first in enumerate(routes):
        for later in routes[n + 1 :]:
            a, b = ctx.rules[first], ctx.rules[later]
            if a.queue == b.queue or first not in scopes or later not in scopes:
                continue
            if not scopes[first] & scopes[later]:
                continue
            both = _first_meet(ctx, ctx.live(first), ctx.cubes(later))
            if both is None:
                continue
            shown = example(both, ctx.space, facts_of(a.when, b.when) | {"intent"})
            findings.append(
                Finding(
                    "overlap",
                    "info",
                    f"Route rules `{a.id}` ({a.queue}) and `{b.id}` ({b.queue}) can match the "
                    f"same inquiry; then `{a.id}` comes first and the inquiry goes to "
                    f"{a.queue}. Example: {words(shown)}.",
                    [a.id, b.id],
                    [place(a.location), place(b.location)],
                    shown,
                )
            )
    return findings


def _first_meet(ctx: Context, left: list[Cube], right: list[Cube]) -> Cube | None:
    for a in left:
        for b in right:
            met = a.meet(b, ctx.space)
            if met is not None:
                return met
    return None
