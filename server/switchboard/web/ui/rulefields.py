"""The form fields of one escalation rule, from the rule's part of the escalation schema.

Everything but `when`, which the condition builder edits.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from switchboard.web.ui.schemaform import Choices, Field, make_field, resolve, schema_for


def rule_fields(rule: Mapping[str, Any], choices: Choices | None) -> list[Field]:
    schema, doc = schema_for("escalation")
    items, doc = resolve(schema["properties"]["rules"]["items"], doc)
    required = set(items.get("required", []))
    picks = choices or Choices({}, ())
    return [
        make_field(node, doc, key, rule.get(key), f"r.{key}", key in required, picks)
        for key, node in items["properties"].items()
        if key != "when"
    ]
