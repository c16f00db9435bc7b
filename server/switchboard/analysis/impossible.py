"""Conditions that can never hold: contradictions in the rule itself, and rules that need
facts the engine never has together (docs/rules.md, "Facts")."""

from __future__ import annotations

import itertools

from switchboard.analysis.context import Context, facts_of, place, place_of
from switchboard.analysis.cubes import TooComplex, cubes_of
from switchboard.analysis.model import Finding
from switchboard.rules.model import All, AnyOf, Condition, Not, Rule, Test


def describe(test: Test) -> str:
    value = test.value
    shown = f"[{', '.join(map(str, value))}]" if isinstance(value, tuple | list) else value
    return f"`{test.fact} {test.op} {shown}` (line {test.location.line})"


def never_true(ctx: Context, rule: Rule) -> Finding:
    clash = _clash(ctx, rule.when)
    why = f": {clash}" if clash else ""
    return Finding(
        "never_true",
        "error",
        f"Rule `{rule.id}` can never match: its condition contradicts itself{why}. "
        "Correct the values, or remove the rule.",
        [rule.id],
        [place(rule.location)],
    )


def contradictory_parts(ctx: Context, rule: Rule) -> list[Finding]:
    """Parts of a satisfiable condition that can never hold (a dead branch of an `any`)."""
    found: list[Finding] = []
    for part in _dead_parts(ctx, rule.when):
        clash = _clash(ctx, part)
        found.append(
            Finding(
                "contradictory_condition",
                "warning",
                f"Part of rule `{rule.id}` can never hold"
                + (f": {clash}" if clash else "")
                + ". The rest of the rule still works; that part only adds confusion.",
                [rule.id],
                [place_of(part, rule.location), place(rule.location)],
            )
        )
    return found


def never_fires(ctx: Context, rule: Rule) -> Finding:
    return Finding(
        "never_fires",
        "warning" if rule.action == "clarify" else "error",
        f"Rule `{rule.id}` can never match, because it needs facts the engine never has "
        f"together when it evaluates the rules: {_ties(ctx, rule)}."
        + (" A route rule that never matches protects nothing." if rule.action == "route" else ""),
        [rule.id],
        [place(rule.location)],
    )


def _dead_parts(ctx: Context, condition: Condition) -> list[Condition]:
    """The outermost `all`/`any` parts below the top that can never hold."""
    if isinstance(condition, Not):
        return _dead_parts(ctx, condition.item)
    if not isinstance(condition, All | AnyOf):
        return []
    found: list[Condition] = []
    for item in condition.items:
        inner = item.item if isinstance(item, Not) else item
        if isinstance(inner, All | AnyOf):
            try:
                dead = not cubes_of(inner, ctx.space)
            except TooComplex:
                continue
            if dead:
                found.append(inner)
                continue
        found += _dead_parts(ctx, item)
    return found


def _clash(ctx: Context, condition: Condition) -> str:
    """Two tests of an `all` that exclude each other, as words; empty when none is found."""
    if not isinstance(condition, All):
        return ""
    tests = [item for item in condition.items if isinstance(item, Test)]
    for a, b in itertools.combinations(tests, 2):
        if a.fact == b.fact and not cubes_of(All((a, b)), ctx.space):
            return f"{describe(a)} and {describe(b)} cannot both be true"
    return ""


def _ties(ctx: Context, rule: Rule) -> str:
    facts = facts_of(rule.when)
    notes: list[str] = []
    fetchers: dict[str, list[str]] = {}
    for intent in ctx.ruleset.intents.values():
        if intent.routine and intent.answer:
            for lookup in intent.answer.lookups:
                fetchers.setdefault(lookup.as_, []).append(intent.id)
    for name in sorted({f.split(".")[1] for f in facts if f.startswith("data.")}):
        who = ", ".join(sorted(fetchers.get(name, []))) or "no inquiry type"
        notes.append(f"`data.{name}.*` exists only for {who}, once the sender is identified")
    if any(f.startswith("customer.") for f in facts):
        notes.append("`customer.*` facts exist only for identified senders")
    if "lookup.status" in facts:
        notes.append("`lookup.status` is `not_needed` for inquiry types without live data")
    if "confidence" in facts:
        notes.append("`confidence` lies between 0 and 1")
    if "time.hour" in facts:
        notes.append("`time.hour` lies between 0 and 23")
    return "; ".join(notes) or "see docs/rules.md, Facts"
