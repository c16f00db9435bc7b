"""Form fields made from the JSON Schemas of schemas/: a new schema field shows up in the
forms without UI code.

Each property becomes a `Field`: its `title` is the label, its `description` the help text,
`required` adds the mark, an `enum` becomes a choice, a boolean a yes/no choice, numbers a
number box, a list of texts one row per item, a map keyed by language one part per language,
and an object a group of its own fields. Whatever has no widget of its own (conditions, lists
of objects, free maps) is edited as a small YAML box, checked like everything else on save.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cache
from typing import Any

from switchboard.rules.schemas import SCHEMA_FILES, load_schemas

LONG_TEXT = 300  # longer limits than this get a text area


@dataclass
class Field:
    name: str  # the form field's name: f.metadata.owner, f.examples.en
    key: str
    label: str
    help: str
    required: bool
    widget: str  # text, textarea, number, select, bool, rows, locales, group, yaml
    value: Any = None  # the current value, as the widget shows it
    choices: list[str] = field(default_factory=list)
    children: list[Field] = field(default_factory=list)
    integer: bool = False
    item_widget: str = "text"  # rows: the widget of one item
    folded: bool = False  # shown closed at the end of the form (the file's metadata)


@dataclass(frozen=True)
class Choices:
    """Ids of this revision a field may pick from, by property name."""

    by_key: Mapping[str, list[str]]
    locales: tuple[str, ...]


def resolve(node: Mapping[str, Any], doc: str) -> tuple[dict[str, Any], str]:
    """`node` with its `$ref` followed; its own title and description win over the target's."""
    merged = dict(node)
    while "$ref" in merged:
        ref = merged.pop("$ref")
        target_doc, _, pointer = str(ref).partition("#")
        doc = target_doc or doc
        target: Any = load_schemas()[doc]
        for part in [p for p in pointer.split("/") if p]:
            target = target[part]
        merged = {**target, **merged}
    return merged, doc


@cache
def schema_for(kind: str) -> tuple[dict[str, Any], str]:
    name = SCHEMA_FILES[kind]
    return dict(load_schemas()[name]), name


def build_fields(kind: str, data: Mapping[str, Any], choices: Choices) -> list[Field]:
    """The fields of a whole file; its metadata comes last, folded away."""
    schema, doc = schema_for(kind)
    fields = _object_fields(schema, doc, data, "f", choices)
    for item in fields:
        item.folded = item.key == "metadata"
    return sorted(fields, key=lambda item: item.folded)


def _object_fields(
    schema: Mapping[str, Any], doc: str, data: Any, prefix: str, choices: Choices
) -> list[Field]:
    values = data if isinstance(data, Mapping) else {}
    required = set(schema.get("required", []))
    return [
        make_field(node, doc, key, values.get(key), f"{prefix}.{key}", key in required, choices)
        for key, node in schema.get("properties", {}).items()
    ]


def make_field(
    node: Mapping[str, Any],
    doc: str,
    key: str,
    value: Any,
    name: str,
    required: bool,
    choices: Choices,
) -> Field:
    spec, doc = resolve(node, doc)
    out = Field(name, key, spec.get("title") or key, spec.get("description", ""), required, "")
    kind = widget_of(spec, doc)
    out.widget = kind
    if kind == "group":
        out.children = _object_fields(spec, doc, value, name, choices)
    elif kind == "locales":
        out.children = _locale_fields(spec, doc, value, name, choices)
        for child in out.children:
            child.label = f"{out.label} ({child.key})"
    elif kind == "rows":
        items, _ = resolve(spec.get("items", {}), doc)
        out.item_widget = "textarea" if int(items.get("maxLength", 0)) > LONG_TEXT else "text"
        out.value = [str(v) for v in value] if isinstance(value, list) else []
        out.choices = list(choices.by_key.get(key + "[]", []))
    elif kind == "yaml":
        out.value = "" if value is None else _yaml_text(value)
    else:
        out.value = value
        out.integer = spec.get("type") == "integer"
        out.choices = [str(v) for v in spec.get("enum", [])] or list(choices.by_key.get(key, []))
        if out.choices and kind == "text":
            out.widget = "select"
    return out


def widget_of(spec: Mapping[str, Any], doc: str) -> str:
    kind = spec.get("type")
    if "enum" in spec:
        return "select"
    if kind == "boolean":
        return "bool"
    if kind in ("integer", "number"):
        return "number"
    if kind == "string":
        return "textarea" if int(spec.get("maxLength", 0)) > LONG_TEXT else "text"
    if kind == "array":
        items, _ = resolve(spec.get("items", {}), doc)
        return "rows" if items.get("type") == "string" else "yaml"
    if kind == "object" and "properties" in spec and "if" not in spec:
        return "group"
    if kind == "object" and _keyed_by_locale(spec):
        extra, _ = resolve(spec.get("additionalProperties") or {}, doc)
        return "locales" if widget_of(extra, doc) != "yaml" else "yaml"
    return "yaml"


def _keyed_by_locale(spec: Mapping[str, Any]) -> bool:
    names = spec.get("propertyNames", {})
    return isinstance(names, Mapping) and str(names.get("$ref", "")).endswith("/locale")


def _locale_fields(
    spec: Mapping[str, Any], doc: str, value: Any, name: str, choices: Choices
) -> list[Field]:
    values = value if isinstance(value, Mapping) else {}
    extra = spec.get("additionalProperties") or {}
    locales = list(dict.fromkeys([*choices.locales, *values]))
    fields = []
    for locale in locales:
        child = make_field(
            extra, doc, locale, values.get(locale), f"{name}.{locale}", False, choices
        )
        child.label = f"{locale}"
        child.help = ""
        fields.append(child)
    return fields


def _yaml_text(value: Any) -> str:
    import yaml

    return yaml.safe_dump(value, allow_unicode=True, sort_keys=False, width=100).strip()
