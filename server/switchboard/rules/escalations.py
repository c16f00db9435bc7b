"""Compiles the escalation rules in evaluation order, checking their conditions on the way."""

from __future__ import annotations

from switchboard.rules.conditions import compile_condition
from switchboard.rules.facts import Catalogue
from switchboard.rules.index import Index
from switchboard.rules.model import Rule
from switchboard.rules.problems import Problem


def compile_rules(index: Index, facts: Catalogue, problems: list[Problem]) -> tuple[Rule, ...]:
    """Enabled rules, sets by ascending precedence and rules by position; problems appended."""
    rules: list[Rule] = []
    seen: dict[str, str] = {}
    sets = sorted(index.valid("escalation"), key=lambda d: (d.data["precedence"], d.path))
    for doc in sets:
        for n, raw in enumerate(doc.data["rules"]):
            at = f"/rules/{n}"
            if raw["id"] in seen:
                message = (
                    f"A rule `{raw['id']}` already exists in {seen[raw['id']]}. Rule names must "
                    "be unique across all sets: rename one."
                )
                problems.append(doc.problem(f"{at}/id", "duplicate_id", message))
            seen.setdefault(raw["id"], doc.path)
            when = compile_condition(doc, f"{at}/when", raw["when"], facts, problems)
            if when is None or not raw.get("enabled", True):
                continue
            then = raw["then"]
            rules.append(
                Rule(
                    id=raw["id"],
                    title=raw.get("title", raw["id"]),
                    description=raw.get("description", ""),
                    set_id=doc.data["id"],
                    when=when,
                    action=then["action"],
                    reason=then["reason"],
                    queue=then.get("queue"),
                    priority=then.get("priority"),
                    template=then.get("template"),
                    location=doc.location(at),
                )
            )
    return tuple(rules)
