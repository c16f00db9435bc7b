"""The JSON Schemas: well-formed, documented for people, closed to unknown keys, and the fast
pre-check never calls a document valid that jsonschema would refuse."""

from __future__ import annotations

import copy
from collections.abc import Iterator
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from jsonschema import Draft202012Validator

from repo_helpers import BASE
from switchboard.rules import schemas
from switchboard.rules.layout import kind_of
from switchboard.rules.yamlread import parse_yaml

_APPLICATORS = ("allOf", "anyOf", "oneOf", "if", "then", "else", "not")


def _nodes(node: Any, path: str = "", partial: bool = False) -> Iterator[tuple[str, Any, bool]]:
    """Every schema object with its path; `partial` inside if/then/else and friends."""
    if isinstance(node, dict):
        yield path, node, partial
        for key, value in node.items():
            inner = partial or key in _APPLICATORS
            if key in ("properties", "$defs"):
                for name, sub in value.items():
                    yield from _nodes(sub, f"{path}/{key}/{name}", inner)
            elif key != "enum":
                yield from _nodes(value, f"{path}/{key}", inner)
    elif isinstance(node, list):
        for n, item in enumerate(node):
            yield from _nodes(item, f"{path}/{n}", partial)


ALL = schemas.load_schemas()
KINDS = ["settings", "intent", "escalation", "queue", "template", "snippet", "entity"]
KINDS += ["connector", "test"]


def test_one_schema_per_kind_plus_shared_ones() -> None:
    names = {f"{kind}.schema.json" for kind in KINDS}
    names |= {"metadata.schema.json", "condition.schema.json", "common.schema.json"}
    assert set(ALL) == names


@pytest.mark.parametrize("name", sorted(ALL))
def test_schema_is_valid_draft_2020_12(name: str) -> None:
    assert ALL[name]["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    Draft202012Validator.check_schema(ALL[name])


@pytest.mark.parametrize("name", sorted(ALL))
def test_every_property_is_explained_and_objects_are_closed(name: str) -> None:
    for path, node, partial in _nodes(ALL[name]):
        if partial:
            continue
        for prop, sub in node.get("properties", {}).items():
            assert sub.get("title") and sub.get("description"), f"{name}{path}/{prop}"
        if node.get("type") == "object" and "properties" in node:
            assert node.get("additionalProperties") is False, f"{name}{path}"


def test_ids_follow_the_documented_pattern() -> None:
    assert ALL["common.schema.json"]["$defs"]["id"]["pattern"] == "^[a-z][a-z0-9_]{0,63}$"


def _base_documents() -> list[tuple[str, Any]]:
    out = []
    for path, text in BASE.items():
        parsed, _ = parse_yaml(path, text.encode())
        assert parsed is not None
        out.append((str(kind_of(path)), parsed.data))
    return out


DOCUMENTS = _base_documents()


@pytest.mark.parametrize(("kind", "data"), DOCUMENTS, ids=[k for k, _ in DOCUMENTS])
def test_fast_check_accepts_valid_documents(kind: str, data: Any) -> None:
    assert list(schemas.validator(kind).iter_errors(data)) == []
    assert schemas.quick_check(kind)(data) is True


json_values = st.recursive(
    st.none() | st.booleans() | st.integers(-5, 5) | st.floats(-2, 2) | st.text(max_size=6)
    | st.sampled_from(["en", "order_desk", "90d", "route", "sql", "2026-09-15", "a@b.example"]),
    lambda inner: st.lists(inner, max_size=3)
    | st.dictionaries(st.text(max_size=5), inner, max_size=3),
    max_leaves=6,
)  # fmt: skip


def _containers(node: Any) -> list[Any]:
    found = [node] if isinstance(node, dict | list) else []
    children = node.values() if isinstance(node, dict) else node if isinstance(node, list) else []
    for child in children:
        found += _containers(child)
    return found


@settings(max_examples=300, deadline=None)
@given(
    which=st.integers(0, len(DOCUMENTS) - 1),
    spot=st.integers(0, 10_000),
    action=st.sampled_from(["set", "delete", "add"]),
    key=st.sampled_from(["id", "queue", "extra", "value", "op", "en", "body", "type", "rules"]),
    value=json_values,
)
def test_fast_check_never_accepts_what_jsonschema_refuses(
    which: int, spot: int, action: str, key: str, value: Any
) -> None:
    kind, original = DOCUMENTS[which]
    data = copy.deepcopy(original)
    containers = _containers(data)
    target = containers[spot % len(containers)]
    if isinstance(target, list):
        if action == "delete" and target:
            target.pop(spot % len(target))
        else:
            target.append(value)
    elif action == "delete" and target:
        del target[list(target)[spot % len(target)]]
    else:
        target[key if action == "add" else list(target or [key])[spot % max(len(target), 1)]] = (
            value
        )
    if schemas.quick_check(kind)(data):
        assert list(schemas.validator(kind).iter_errors(data)) == []
