"""The JSON Schemas of schemas/, one validator per kind of file, built once per process."""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from functools import cache
from pathlib import Path
from typing import Any

from jsonschema import Draft202012Validator
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

from switchboard.resources import resource_dir
from switchboard.rules import fastcheck

SCHEMA_FILES: dict[str, str] = {
    kind: f"{kind}.schema.json"
    for kind in (
        "settings",
        "intent",
        "escalation",
        "queue",
        "template",
        "snippet",
        "entity",
        "connector",
        "test",
    )
}


@cache
def load_schemas(folder: Path | None = None) -> Mapping[str, Any]:
    """Every schema file by file name (e.g. intent.schema.json)."""
    base = folder or resource_dir("schemas")
    return {path.name: json.loads(path.read_text("utf-8")) for path in base.glob("*.json")}


@cache
def validator(kind: str) -> Draft202012Validator:
    schemas = load_schemas()
    registry: Registry[Any] = Registry().with_resources(
        (name, Resource.from_contents(body, default_specification=DRAFT202012))
        for name, body in schemas.items()
    )
    return Draft202012Validator(schemas[SCHEMA_FILES[kind]], registry=registry)


@cache
def quick_check(kind: str) -> Callable[[Any], bool]:
    """True only when the document is certainly valid; see `fastcheck`."""
    try:
        return fastcheck.compile_schema(load_schemas(), SCHEMA_FILES[kind])
    except fastcheck.Unsupported:
        return lambda data: False


def pattern_hints() -> dict[str, str]:
    """Pattern -> the plain description of the shared type that uses it (for messages)."""
    defs = load_schemas()["common.schema.json"]["$defs"]
    return {d["pattern"]: d["description"] for d in defs.values() if "pattern" in d}
