"""Marks a rules file reviewed by editing only its metadata lines: `last_reviewed` and
`change_note`. Every other byte stays as it was (comments, order, quoting, line endings).

The result is parsed again and compared with the original: if anything besides those two
fields changed, or they do not read back as intended, the edit is refused.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from typing import Any

from switchboard.proposals.errors import InvalidArgument, InvalidEdit
from switchboard.rules.yamlread import parse_yaml

MAX_NOTE = 500  # the schema's limit for change_note
_BLOCK_START = re.compile(r"^metadata[ \t]*:[ \t]*(#.*)?$")
_FLOW_START = re.compile(r"^metadata[ \t]*:[ \t]*\{")
_KEY = re.compile(r"^([ \t]+)([A-Za-z_][A-Za-z0-9_]*)[ \t]*:")
_PLAIN_SAFE = re.compile(r"[A-Za-z0-9][A-Za-z0-9@._+-]*")
_NOT_TEXT = re.compile(r"[-+]?[0-9.]+([eE][-+]?[0-9]+)?|true|false|null|~", re.IGNORECASE)


def clean_note(note: str) -> str:
    """The note as one printable line; InvalidArgument when empty or too long."""
    text = " ".join("".join(c for c in note if c.isprintable() or c.isspace()).split())
    if not text:
        raise InvalidArgument("The change note must not be empty.", {"field": "change_note"})
    if len(text) > MAX_NOTE:
        message = f"The change note is longer than {MAX_NOTE} characters."
        raise InvalidArgument(message, {"field": "change_note"})
    return text


def mark_reviewed_text(text: str, day: dt.date, note: str) -> str:
    """`text` with `last_reviewed: <day>` and `change_note: <note>` in its metadata."""
    note = clean_note(note)
    newline = "\r\n" if "\r\n" in text else "\n"
    lines = text.splitlines(keepends=True)
    start = next((i for i, line in enumerate(lines) if _starts_metadata(line)), None)
    if start is None:
        raise InvalidEdit("The file has no top-level `metadata:` block to mark as reviewed.")
    if _FLOW_START.match(lines[start]):
        lines[start : start + 1] = _flow_as_block(text, lines[start], newline)
    values = {"last_reviewed": day.isoformat(), "change_note": json.dumps(note, ensure_ascii=False)}
    edited = _set_entries(lines, start, values, newline)
    _verify(text, edited, day, note)
    return edited


def _starts_metadata(line: str) -> bool:
    return bool(_BLOCK_START.match(line.rstrip("\r\n")) or _FLOW_START.match(line))


def _set_entries(lines: list[str], start: int, values: dict[str, str], newline: str) -> str:
    end = start + 1
    while end < len(lines) and (not lines[end].strip() or lines[end][0] in " \t"):
        end += 1
    while end > start + 1 and not lines[end - 1].strip():
        end -= 1  # blank lines after the block stay where they are
    entries = _entries(lines, start + 1, end)
    indent = next(iter(entries.values()))[2] if entries else "  "
    inserted: list[str] = []
    for key, value in values.items():
        if key in entries:
            first, last, own_indent = entries[key]
            comment = _comment(lines[first]) if key == "last_reviewed" else ""
            lines[first] = f"{own_indent}{key}: {value}{comment}{newline}"
            for n in range(first + 1, last):
                lines[n] = ""
        else:
            inserted.append(f"{indent}{key}: {value}{newline}")
    if inserted and end > 0 and not lines[end - 1].endswith(("\n", "\r")):
        lines[end - 1] += newline
    lines[end:end] = inserted
    return "".join(lines)


def _entries(lines: list[str], begin: int, end: int) -> dict[str, tuple[int, int, str]]:
    """Key -> (first line, line after its last, indentation) for the block's own keys."""
    entries: dict[str, tuple[int, int, str]] = {}
    indent: str | None = None
    current: str | None = None
    for n in range(begin, end):
        line = lines[n]
        match = _KEY.match(line)
        if match and (indent is None or match.group(1) == indent):
            indent, current = match.group(1), match.group(2)
            entries[current] = (n, n + 1, indent)
        elif current is not None and indent is not None and _continues(line, indent):
            entries[current] = (entries[current][0], n + 1, indent)
    return entries


def _continues(line: str, indent: str) -> bool:
    """A line of the value of the key before it: deeper, or a list item at the key's depth."""
    stripped = line.strip()
    if not stripped:
        return False
    depth = len(line) - len(line.lstrip(" \t"))
    return depth > len(indent) or (depth == len(indent) and stripped.startswith("- "))


def _comment(line: str) -> str:
    match = re.search(r"[ \t]+#.*$", line.rstrip("\r\n"))
    return match.group(0) if match else ""


def _flow_as_block(text: str, line: str, newline: str) -> list[str]:
    """`metadata: {owner: a, ...}` on one line, rewritten as a block with the same fields."""
    parsed, _ = parse_yaml("file", line.encode("utf-8"))
    metadata = parsed.data.get("metadata") if parsed and isinstance(parsed.data, dict) else None
    if not isinstance(metadata, dict):
        raise InvalidEdit(
            "The metadata is written across several lines in {...} form; write it as a "
            "block (one field per line) to mark the file reviewed."
        )
    out = [f"metadata:{_comment(line)}{newline}"]
    out += [f"  {key}: {_scalar(value)}{newline}" for key, value in metadata.items()]
    return out


def _scalar(value: Any) -> str:
    if isinstance(value, list):
        return "[" + ", ".join(_scalar(v) for v in value) + "]"
    text = str(value)
    if _PLAIN_SAFE.fullmatch(text) and not _NOT_TEXT.fullmatch(text):
        return text
    return json.dumps(text, ensure_ascii=False)


def _verify(before: str, after: str, day: dt.date, note: str) -> None:
    old, _ = parse_yaml("before", before.encode("utf-8"))
    new, _ = parse_yaml("after", after.encode("utf-8"))
    if old is None or new is None or not isinstance(new.data, dict):
        raise InvalidEdit("The file does not read as YAML after marking it reviewed.")
    meta = new.data.get("metadata")
    ok = isinstance(meta, dict) and meta.get("last_reviewed") == day.isoformat()
    ok = ok and meta is not None and meta.get("change_note") == note
    if not ok or _without_review(old.data) != _without_review(new.data):
        raise InvalidEdit(
            "The metadata could not be changed without touching other fields; "
            "edit this file by hand."
        )


def _without_review(data: Any) -> Any:
    if not isinstance(data, dict) or not isinstance(data.get("metadata"), dict):
        return data
    meta = {k: v for k, v in data["metadata"].items() if k not in {"last_reviewed", "change_note"}}
    return {**data, "metadata": meta}
