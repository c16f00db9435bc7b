"""The condition builder: a rule's `when` as rows of fact / operator / value inside all / any /
not groups, to and from a plain HTML form.

Every node has a path (`c`, `c.0`, `c.0.1`); its fields are `<path>.kind` (test, all, any,
not), and for a test `<path>.fact`, `<path>.op` and `<path>.value`. A group's children are the
paths below it. Buttons named `action` change the tree without saving (`add-test:<path>`,
`add-group:<path>`, `remove:<path>`), so the builder works without JavaScript.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from switchboard.rules.conditions import OPERATORS
from switchboard.rules.facts import LOOKUP_STATUSES, TIERS, WEEKDAYS
from switchboard.rules.model import CHANNELS, Ruleset
from switchboard.web.ui.formdata import Form, text_of

ROOT = "c"
LIST_OPS = ("in", "not_in", "contains_any")
GROUPS = ("all", "any", "not")
SYMBOLS = {
    "eq": "=",
    "ne": "≠",
    "in": "is one of",
    "not_in": "is not one of",
    "gt": ">",
    "gte": "≥",
    "lt": "<",
    "lte": "≤",
    "exists": "exists:",
    "contains_any": "contains any of",
    "matches": "matches",
}
OP_LABELS = {
    "eq": "equals",
    "ne": "does not equal",
    "in": "is one of",
    "not_in": "is not one of",
    "gt": "greater than",
    "gte": "at least",
    "lt": "less than",
    "lte": "at most",
    "exists": "has a value",
    "contains_any": "contains any of",
    "matches": "matches (regex)",
}
KIND_HINTS = {
    "text": "The text of the message: use contains any of or matches.",
    "string": "A text value.",
    "number": "A number.",
    "boolean": "true or false.",
    "date": "A date such as 2026-12-31.",
    "datetime": "A date and time such as 2026-12-31T17:00.",
    "list": "A list: test whether it has a value.",
}
_NUMBER = re.compile(r"^-?\d+(\.\d+)?$")


@dataclass
class Node:
    path: str
    kind: str  # test | all | any | not
    fact: str = ""
    op: str = "eq"
    value: str = ""
    children: list[Node] = field(default_factory=list)


def to_node(cond: Any, path: str = ROOT) -> Node:
    """A condition as the builder shows it; the root is always a group."""
    node = _node(cond, path)
    if path == ROOT and node.kind == "test":
        return Node(ROOT, "all", children=[renumber(node, f"{ROOT}.0")])
    return node


def _node(cond: Any, path: str) -> Node:
    if isinstance(cond, Mapping):
        for kind in ("all", "any"):
            if kind in cond:
                items = cond[kind] if isinstance(cond[kind], list) else []
                return Node(
                    path, kind, children=[_node(c, f"{path}.{i}") for i, c in enumerate(items)]
                )
        if "not" in cond:
            return Node(path, "not", children=[_node(cond["not"], f"{path}.0")])
        return Node(
            path,
            "test",
            str(cond.get("fact", "")),
            str(cond.get("op", "eq")),
            value_text(cond.get("value")),
        )
    return Node(path, "all", children=[Node(f"{path}.0", "test")])


def value_text(value: Any) -> str:
    if isinstance(value, list):
        return "\n".join(str(v) for v in value)
    if isinstance(value, bool):
        return "true" if value else "false"
    return "" if value is None else str(value)


def read_node(form: Form, path: str = ROOT) -> Node:
    """The tree as submitted."""
    kind = str(form.get(f"{path}.kind", "test"))
    if kind in GROUPS:
        indexes = sorted(
            {
                int(m.group(1))
                for k in form.keys()  # noqa: SIM118 - a form is not a dict
                if (m := re.match(rf"^{re.escape(path)}\.(\d+)\.kind$", k))
            }
        )
        return Node(path, kind, children=[read_node(form, f"{path}.{i}") for i in indexes])
    return Node(
        path,
        "test",
        text_of(form, f"{path}.fact").strip(),
        text_of(form, f"{path}.op").strip() or "eq",
        text_of(form, f"{path}.value"),
    )


def apply_action(root: Node, action: str) -> Node:
    """The tree after a builder button (`add-test:c.1`, `add-group:c`, `remove:c.0`)."""
    verb, _, target = action.partition(":")
    if verb == "remove" and target != ROOT:
        parent = target.rpartition(".")[0]
        node = find(root, parent)
        if node is not None:
            node.children = [c for c in node.children if c.path != target]
    else:
        node = find(root, target)
        if node is not None and node.kind in ("all", "any"):
            new_path = f"{target}.{_next_index(node)}"
            if verb == "add-test":
                node.children.append(Node(new_path, "test"))
            elif verb == "add-group":
                node.children.append(
                    Node(new_path, "any", children=[Node(f"{new_path}.0", "test")])
                )
    return renumber(root, ROOT)


def _next_index(node: Node) -> int:
    return len(node.children)


def find(node: Node, path: str) -> Node | None:
    if node.path == path:
        return node
    for child in node.children:
        found = find(child, path)
        if found is not None:
            return found
    return None


def renumber(node: Node, path: str) -> Node:
    node.path = path
    for i, child in enumerate(node.children):
        renumber(child, f"{path}.{i}")
    return node


def to_condition(node: Node, types: Mapping[str, str]) -> Any:
    """The condition for the file; empty tests and groups are left out (None if nothing is
    left). A root group of one test is written as that test alone."""
    cond = _condition(node, types)
    if node.path == ROOT and isinstance(cond, dict) and len(cond.get("all") or []) == 1:
        only = cond["all"][0]
        return only if "fact" in only else cond
    return cond


def _condition(node: Node, types: Mapping[str, str]) -> Any:
    if node.kind == "test":
        if not node.fact:
            return None
        return {"fact": node.fact, "op": node.op, "value": parse_value(node, types.get(node.fact))}
    items = [c for c in (_condition(child, types) for child in node.children) if c is not None]
    if not items:
        return None
    if node.kind == "not":
        return {"not": items[0] if len(items) == 1 else {"any": items}}
    return {node.kind: items}


def parse_value(node: Node, fact_type: str | None) -> Any:
    text = node.value.replace("\r\n", "\n")
    if node.op in LIST_OPS:
        items = [line.strip() for line in text.split("\n") if line.strip()]
        return [_scalar(item, fact_type) for item in items]
    text = text.strip()
    if node.op == "exists":
        return text.lower() != "false"
    if node.op == "matches":
        return text
    return _scalar(text, fact_type)


def _scalar(text: str, fact_type: str | None) -> Any:
    if fact_type == "number" and _NUMBER.match(text):
        return float(text) if "." in text else int(text)
    if fact_type == "boolean" and text.lower() in ("true", "false"):
        return text.lower() == "true"
    return text


def describe(cond: Any, depth: int = 0) -> str:
    """A one-line reading of a condition for lists and reviews."""
    if not isinstance(cond, Mapping):
        return "?"
    for kind, joiner in (("all", " and "), ("any", " or ")):
        if kind in cond:
            parts = [describe(c, depth + 1) for c in cond[kind] or []]
            text = joiner.join(parts)
            return f"({text})" if depth and len(parts) > 1 else text
    if "not" in cond:
        return f"not ({describe(cond['not'], depth + 1)})"
    value = cond.get("value")
    if isinstance(value, list):
        shown = ", ".join(str(v) for v in value[:4])
        value = shown + (f", … (+{len(value) - 4})" if len(value) > 4 else "")
    elif isinstance(value, str) and len(value) > 40:
        value = value[:37] + "…"
    elif isinstance(value, bool):
        value = value_text(value)
    return f"{cond.get('fact')} {SYMBOLS.get(str(cond.get('op')), cond.get('op'))} {value}"


@dataclass(frozen=True, slots=True)
class FactChoice:
    name: str
    type: str
    hint: str


def fact_choices(ruleset: Ruleset) -> list[tuple[str, list[FactChoice]]]:
    """The revision's facts, grouped by their first part, with a hint at their values."""
    values: dict[str, tuple[str, ...]] = {
        "intent": tuple(sorted(ruleset.intents)),
        "conversation.previous_intent": tuple(sorted(ruleset.intents)),
        "channel": CHANNELS,
        "language": ruleset.settings.locales,
        "customer.tier": TIERS,
        "lookup.status": LOOKUP_STATUSES,
        "time.weekday": WEEKDAYS,
    }
    groups: dict[str, list[FactChoice]] = {}
    for name, kind in sorted(ruleset.facts.items()):
        known = values.get(name)
        hint = f"One of: {', '.join(known)}." if known else KIND_HINTS.get(kind, f"A {kind}.")
        groups.setdefault(name.split(".")[0], []).append(FactChoice(name, kind, hint))
    return sorted(groups.items())


def operator_choices() -> list[tuple[str, str, str]]:
    """(operator, label, the fact types it fits, space-separated)."""
    return [(op, OP_LABELS[op], " ".join(sorted(types))) for op, types in OPERATORS.items()]
