"""Forms made from the JSON Schemas, and writing their result back into a file while keeping
its comments and layout."""

from __future__ import annotations

import difflib
from pathlib import Path
from typing import Any

import pytest
from litestar.datastructures import FormMultiDict

from switchboard.resources import resource_dir
from switchboard.rules.layout import kind_of
from switchboard.web.ui.conditions import (
    Node,
    apply_action,
    describe,
    read_node,
    to_condition,
    to_node,
)
from switchboard.web.ui.formdata import FormProblems, read_fields
from switchboard.web.ui.schemaform import Choices, Field, build_fields, make_field
from switchboard.web.ui.yamledit import load_plain, updated_text

RULES = resource_dir("rules-repo")
FORM_KINDS = {"intent", "queue", "snippet", "template", "settings", "entity"}
CHOICES = Choices({"queue": ["order_desk"]}, ("en", "de"))


def as_browser_sends(fields: list[Field]) -> list[tuple[str, str]]:
    """The name/value pairs a browser submits for the unchanged form."""
    pairs: list[tuple[str, str]] = []
    for item in fields:
        if item.widget in ("group", "locales"):
            pairs += as_browser_sends(item.children)
        elif item.widget == "rows":
            if item.choices:
                pairs += [(f"{item.name}[]", value) for value in item.value]
            else:
                pairs += [(f"{item.name}.{i}", value) for i, value in enumerate(item.value)]
                pairs.append((f"{item.name}.new", ""))
        elif item.widget == "bool":
            pairs.append((item.name, {True: "true", False: "false"}.get(item.value, "")))
        else:
            pairs.append((item.name, "" if item.value is None else str(item.value)))
    return pairs


def rules_files() -> list[Path]:
    return sorted(
        p for p in RULES.rglob("*.yaml") if kind_of(str(p.relative_to(RULES))) in FORM_KINDS
    )


@pytest.mark.parametrize("path", rules_files(), ids=lambda p: str(p.relative_to(RULES)))
def test_every_demo_file_survives_a_form_round_trip(path: Path) -> None:
    kind = kind_of(str(path.relative_to(RULES)))
    assert kind is not None
    data = load_plain(path.read_text("utf-8"))
    fields = build_fields(kind, data, CHOICES)
    assert fields[-1].key == "metadata" and fields[-1].folded
    form = FormMultiDict(as_browser_sends(fields))
    assert read_fields(build_fields(kind, {}, CHOICES), form) == data


def test_schema_properties_become_labelled_fields_with_help() -> None:
    node = {
        "type": "object",
        "required": ["colour"],
        "properties": {
            "colour": {"title": "Colour", "description": "Pick one.", "enum": ["red", "blue"]},
            "loud": {"title": "Loud", "description": "Yes or no.", "type": "boolean"},
            "size": {"title": "Size", "type": "integer"},
            "note": {"title": "Note", "type": "string", "maxLength": 2000},
            "tags": {"title": "Tags", "type": "array", "items": {"type": "string"}},
            "odd": {"title": "Odd", "type": "array", "items": {"type": "object"}},
        },
    }
    group = make_field(node, "intent.schema.json", "extra", {"size": 3}, "f.extra", False, CHOICES)
    widgets = {f.key: (f.widget, f.required, f.help) for f in group.children}
    assert widgets == {
        "colour": ("select", True, "Pick one."),
        "loud": ("bool", False, "Yes or no."),
        "size": ("number", False, ""),
        "note": ("textarea", False, ""),
        "tags": ("rows", False, ""),
        "odd": ("yaml", False, ""),
    }
    assert group.children[0].choices == ["red", "blue"]
    form = FormMultiDict([("f.extra.colour", "blue"), ("f.extra.size", "x"), ("f.extra.odd", "[")])
    with pytest.raises(FormProblems) as caught:
        read_fields([group], form)
    assert set(caught.value.problems) == {"Size", "Odd"}


def test_references_to_other_files_are_choices() -> None:
    fields = build_fields("intent", {"queue": "order_desk"}, CHOICES)
    queue = next(f for f in fields if f.key == "queue")
    assert queue.widget == "select" and queue.choices == ["order_desk"]


def changes(before: str, after: str) -> list[str]:
    diff = difflib.unified_diff(before.splitlines(), after.splitlines(), lineterm="", n=0)
    return [line for line in diff if line[:1] in "+-" and not line.startswith(("+++", "---"))]


def test_one_changed_value_changes_one_line_and_keeps_every_comment() -> None:
    text = (RULES / "escalation/complaints.yaml").read_text("utf-8")
    data = load_plain(text)
    rule = next(r for r in data["rules"] if r["id"] == "claim_above_threshold")
    test = next(t for t in rule["when"]["all"] if t.get("fact") == "entities.amount")
    old = test["value"]
    test["value"] = 1234
    after = updated_text(text, data)
    assert load_plain(after) == data
    assert len(changes(text, after)) == 2
    assert f"value: {old}" in changes(text, after)[0] and "value: 1234" in changes(text, after)[1]
    comments = [line for line in text.splitlines() if line.lstrip().startswith("#")]
    assert comments and all(line in after.splitlines() for line in comments)


def test_adding_to_a_list_and_a_new_key_leave_the_rest_alone() -> None:
    text = (RULES / "taxonomy/damage_claim.yaml").read_text("utf-8")
    data = load_plain(text)
    data["examples"]["en"].append("The impeller arrived chipped, we claim EUR 640.")
    data["confidence_floor"] = 0.8
    after = updated_text(text, data)
    assert load_plain(after) == data
    assert sorted(changes(text, after)) == sorted(
        ["+    - The impeller arrived chipped, we claim EUR 640.", "+confidence_floor: 0.8"]
    )


def test_a_changed_multi_line_text_stays_a_block() -> None:
    text = (RULES / "templates/order_status.yaml").read_text("utf-8")
    data = load_plain(text)
    body = data["channels"]["sms"]["en"]["body"]
    data["channels"]["sms"]["en"]["body"] = body.replace("Nordwerk:", "Nordwerk Pumps:")
    after = updated_text(text, data)
    assert load_plain(after) == data
    changed = changes(text, after)
    assert len(changed) == 2 and "Nordwerk Pumps:" in changed[1]


def test_reordered_rules_keep_their_own_layout() -> None:
    text = (RULES / "escalation/safety.yaml").read_text("utf-8")
    data = load_plain(text)
    data["rules"].reverse()
    after = updated_text(text, data)
    assert load_plain(after) == data
    assert [r["id"] for r in load_plain(after)["rules"]] == [r["id"] for r in data["rules"]]


def test_data_that_cannot_keep_the_layout_is_still_written_exactly() -> None:
    text = "a: [x, y]  # flow list\nb: 1\n"
    new: dict[str, Any] = {"a": ["x", "y", "what? [z]: q"], "b": {"nested": True}}
    after = updated_text(text, new)
    assert load_plain(after) == new
    assert "# flow list" in after


def builder_form(node: Node) -> list[tuple[str, str]]:
    """What the condition builder's fields send back unchanged."""
    pairs = [(f"{node.path}.kind", node.kind)]
    if node.kind == "test":
        pairs += [(f"{node.path}.{k}", getattr(node, k)) for k in ("fact", "op", "value")]
    for child in node.children:
        pairs += builder_form(child)
    return pairs


def test_every_demo_condition_survives_the_builder() -> None:
    from switchboard.rules import load_ruleset

    ruleset = load_ruleset(RULES, build_engine=False).ruleset
    assert ruleset is not None
    checked = 0
    for path in sorted((RULES / "escalation").glob("*.yaml")):
        for rule in load_plain(path.read_text("utf-8"))["rules"]:
            node = to_node(rule["when"])
            back = read_node(FormMultiDict(builder_form(node)))
            assert to_condition(back, ruleset.facts) == rule["when"], rule["id"]
            assert describe(rule["when"])
            checked += 1
    assert checked >= 10


def test_builder_buttons_change_the_tree_without_saving() -> None:
    node = to_node({"fact": "intent", "op": "eq", "value": "complaint"})
    assert node.kind == "all" and node.children[0].path == "c.0"
    grown = apply_action(node, "add-group:c")
    assert [c.kind for c in grown.children] == ["test", "any"]
    assert grown.children[1].children[0].path == "c.1.0"
    shrunk = apply_action(grown, "remove:c.0")
    assert [c.path for c in shrunk.children] == ["c.0"]
    assert to_condition(shrunk, {}) is None  # an empty test is left out, and so is its group
