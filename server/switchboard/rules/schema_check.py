"""Checks a document against its kind's JSON Schema and words every error for people."""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import cache
from typing import Any

from jsonschema import ValidationError

from switchboard.rules import schemas
from switchboard.rules.document import Document
from switchboard.rules.problems import Problem
from switchboard.rules.yamlread import escape

_TYPE_WORDS = {
    "object": "a group of named fields",
    "array": "a list",
    "string": "text",
    "integer": "a whole number",
    "number": "a number",
    "boolean": "true or false",
    "null": "empty",
}
_CODES = {
    "type": "wrong_type",
    "enum": "not_allowed",
    "const": "not_allowed",
    "pattern": "bad_format",
    "minLength": "too_short",
    "maxLength": "too_long",
    "minimum": "out_of_range",
    "maximum": "out_of_range",
    "minItems": "too_few_items",
    "minProperties": "too_few_items",
    "maxItems": "too_many_items",
    "uniqueItems": "duplicate_item",
}


def check(doc: Document) -> list[Problem]:
    """Schema problems of one document; marks the document invalid when there are any."""
    if doc.data is None:
        message = "The file is empty. Fill it in or delete it."
        doc.valid = False
        return [doc.problem("", "empty_file", message)]
    if schemas.quick_check(doc.kind)(doc.data):
        return []
    problems = _dedupe(_problems(doc, schemas.validator(doc.kind).iter_errors(doc.data)))
    doc.valid = not problems
    return problems


def _dedupe(problems: Iterable[Problem]) -> list[Problem]:
    seen: dict[tuple[str, str], Problem] = {}
    for problem in problems:
        seen.setdefault((problem.pointer, problem.code), problem)
    return list(seen.values())


def _problems(doc: Document, errors: Iterable[ValidationError]) -> Iterable[Problem]:
    for error in errors:
        pointer = "".join(f"/{escape(str(part))}" for part in error.absolute_path)
        keyword = str(error.validator)
        if keyword == "required":
            yield from _missing(doc, pointer, error)
        elif keyword == "additionalProperties":
            yield from _unknown(doc, pointer, error)
        elif "propertyNames" in error.relative_schema_path:
            key = str(error.instance)
            hint = _hint(error)
            message = f"The name `{key}` in `{label(pointer)}` is not allowed. {hint}"
            yield doc.problem(f"{pointer}/{escape(key)}", "bad_name", message.strip())
        else:
            yield doc.problem(pointer, _CODES.get(keyword, "invalid"), _sentence(pointer, error))


def _missing(doc: Document, pointer: str, error: ValidationError) -> Iterable[Problem]:
    where = f" in `{label(pointer)}`" if pointer else ""
    properties = error.schema.get("properties", {}) if isinstance(error.schema, dict) else {}
    for name in error.validator_value:
        if isinstance(error.instance, dict) and name not in error.instance:
            about = properties.get(name, {}).get("description") or _described(doc.kind, name)
            message = f"`{name}` is missing{where}. Add it" + (f": {about}" if about else ".")
            line, column = doc.at(pointer)
            yield Problem(
                doc.path, line, column, f"{pointer}/{escape(name)}", "missing_field", message
            )


def _unknown(doc: Document, pointer: str, error: ValidationError) -> Iterable[Problem]:
    schema = error.schema if isinstance(error.schema, dict) else {}
    known = list(schema.get("properties", {}))
    patterns = [re.compile(p) for p in schema.get("patternProperties", {})]
    where = f" in `{label(pointer)}`" if pointer else ""
    allowed = f" Known fields: {', '.join(known)}." if known else ""
    for key in error.instance:
        if key in known or any(p.search(key) for p in patterns):
            continue
        message = f"`{key}` is not a known field{where}. Check the spelling or remove it.{allowed}"
        yield doc.problem(f"{pointer}/{escape(key)}", "unknown_field", message)


def _sentence(pointer: str, error: ValidationError) -> str:
    name, keyword, want, found = (
        label(pointer),
        error.validator,
        error.validator_value,
        error.instance,
    )
    if keyword == "type":
        wanted = " or ".join(_TYPE_WORDS[t] for t in ([want] if isinstance(want, str) else want))
        return f"`{name}` must be {wanted}, not {_describe(found)}."
    if keyword in ("enum", "const"):
        options = ", ".join(str(o) for o in (want if keyword == "enum" else [want]))
        return f"`{name}` must be one of: {options} (it is {found!r})."
    if keyword == "pattern":
        return f"`{name}` has the wrong form ({found!r}). {_hint(error)}".strip()
    if keyword == "minLength":
        return f"`{name}` must not be empty." if want == 1 else f"`{name}` is too short."
    if keyword == "maxLength":
        return f"`{name}` is too long: at most {want} characters."
    if keyword in ("minimum", "maximum"):
        side = "at least" if keyword == "minimum" else "at most"
        return f"`{name}` must be {side} {want} (it is {found})."
    if keyword in ("minItems", "minProperties"):
        return f"`{name}` needs at least {want} {'entry' if want == 1 else 'entries'}."
    if keyword == "maxItems":
        return f"`{name}` may have at most {want} entries."
    if keyword == "uniqueItems":
        return f"`{name}` lists the same value more than once: keep each value once."
    return f"`{name}` is not valid here: {error.message}."


def _hint(error: ValidationError) -> str:
    pattern = error.schema.get("pattern") if isinstance(error.schema, dict) else None
    if pattern is None:
        return ""
    return _hints().get(pattern) or f"It must match the pattern {pattern}."


@cache
def _hints() -> dict[str, str]:
    return schemas.pattern_hints()


def _described(kind: str, name: str) -> str:
    """The description of a top-level field (for requirements added by if/then)."""
    schema = schemas.load_schemas()[schemas.SCHEMA_FILES[kind]]
    return str(schema.get("properties", {}).get(name, {}).get("description", ""))


def _describe(value: Any) -> str:
    if isinstance(value, bool):
        return "true or false"
    for kind, word in (
        (dict, "a group of fields"),
        (list, "a list"),
        (str, "text"),
        (int, "a number"),
        (float, "a number"),
    ):
        if isinstance(value, kind):
            return f"{word} ({value!r})" if kind in (str, int, float) else word
    return "empty"


def label(pointer: str) -> str:
    """`rules[2].then.queue` for /rules/1/then/queue: list items counted from 1."""
    out = ""
    for raw in pointer.split("/")[1:]:
        part = raw.replace("~1", "/").replace("~0", "~")
        out += f"[{int(part) + 1}]" if part.isdigit() else (f".{part}" if out else part)
    return out or "the file"
