"""A submitted schema form back into data, field by field as `schemaform` laid it out.

An empty optional field is left out of the file. Numbers, yes/no choices and YAML boxes are
converted here; a value that cannot be converted is reported by field, and nothing is saved.
Lists of texts come as `<name>.<n>` rows (with `<name>.<n>.drop` to remove one) plus any
number of new `<name>.new` rows.
"""

from __future__ import annotations

import re
from typing import Any

import yaml
from litestar.datastructures import FormMultiDict

from switchboard.web.ui.schemaform import Field

_ROW = re.compile(r"^(\d+)$")


Form = FormMultiDict


class FormProblems(ValueError):
    """Fields whose values cannot be used: {field label: message}."""

    def __init__(self, problems: dict[str, str]) -> None:
        super().__init__("; ".join(f"{k}: {v}" for k, v in problems.items()))
        self.problems = problems


def text_of(form: Form, name: str) -> str:
    value = form.get(name)
    return value.replace("\r\n", "\n") if isinstance(value, str) else ""


def read_fields(fields: list[Field], form: Form) -> dict[str, Any]:
    """The data of `fields` from `form`; FormProblems lists what could not be read."""
    problems: dict[str, str] = {}
    data = _read_group(fields, form, problems)
    if problems:
        raise FormProblems(problems)
    return data


def _read_group(fields: list[Field], form: Form, problems: dict[str, str]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for item in fields:
        value = _read(item, form, problems)
        if value is not None:
            out[item.key] = value
    return out


def _read(item: Field, form: Form, problems: dict[str, str]) -> Any:
    if item.widget == "group":
        value = _read_group(item.children, form, problems)
        return value if value or item.required else None
    if item.widget == "locales":
        value = _read_group(item.children, form, problems)
        return value or None
    if item.widget == "rows":
        return read_rows(form, item.name) or None
    text = text_of(form, item.name)
    if item.widget in ("text", "select"):
        text = text.strip()
    if text == "" and item.widget != "textarea":
        return None
    if item.widget == "textarea":
        return text if text.strip() else None
    if item.widget == "bool":
        return {"true": True, "false": False}.get(text)
    if item.widget == "number":
        return _number(item, text, problems)
    if item.widget == "yaml":
        try:
            return yaml.safe_load(text)
        except yaml.YAMLError as exc:
            problems[item.label] = f"not valid YAML ({str(exc).splitlines()[0]})"
            return None
    return text


def read_rows(form: Form, name: str) -> list[str]:
    rows: list[tuple[int, str]] = []
    prefix = name + "."
    for key in list(form.keys()):
        rest = key[len(prefix) :] if key.startswith(prefix) else ""
        if _ROW.match(rest) and not form.get(f"{key}.drop"):
            rows.append((int(rest), text_of(form, key)))
    values = [text for _, text in sorted(rows)]
    values += [
        v.replace("\r\n", "\n") for v in form.getall(prefix + "new", []) if isinstance(v, str)
    ]
    values += [v for v in form.getall(name + "[]", []) if isinstance(v, str)]  # checkbox choices
    return [v.strip() for v in values if v.strip()]


def _number(item: Field, text: str, problems: dict[str, str]) -> int | float | None:
    try:
        number = float(text.replace(",", "."))
    except ValueError:
        problems[item.label] = f"{text!r} is not a number"
        return None
    if item.integer or (number.is_integer() and re.fullmatch(r"-?\d+", text)):
        if not number.is_integer():
            problems[item.label] = f"{text!r} is not a whole number"
            return None
        return int(number)
    return number
