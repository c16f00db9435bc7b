"""Reads one YAML file into plain JSON-like data, with a line and column for every field.

Only what rules files need is accepted. Anchors and aliases are refused (an alias can blow a
small file up into billions of values), as are custom tags, duplicate keys and files with more
than one document. Plain scalars follow the YAML 1.2 core schema: `no`, `on`, `07:30` and
dates stay text, so nothing is silently turned into a boolean, a number or a date.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import yaml

from switchboard.rules.problems import Problem

MAX_DEPTH = 40
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_STR_TAGS = {None, "!", "tag:yaml.org,2002:str"}
_MAP_TAGS = {None, "tag:yaml.org,2002:map"}
_SEQ_TAGS = {None, "tag:yaml.org,2002:seq"}
_INT = re.compile(r"[-+]?[0-9]+")
_FLOAT = re.compile(r"[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?")
_SPECIAL: dict[str, bool | None] = {"~": None, "null": None, "Null": None, "NULL": None, "": None}
_SPECIAL.update(dict.fromkeys(("true", "True", "TRUE"), True))
_SPECIAL.update(dict.fromkeys(("false", "False", "FALSE"), False))
_MAYBE_TYPED = set("0123456789-+.~nNtTfF")

# id(container) -> where each of its values starts: {key: mark} or [mark, ...]. Kept apart
# from the data so the data stays plain; `Parsed.at` walks both together.
Marks = dict[int, Any]


@dataclass(frozen=True, slots=True)
class Parsed:
    data: Any
    marks: Marks

    def at(self, pointer: str) -> tuple[int, int]:
        return locate(self.data, self.marks, pointer)


def locate(data: Any, marks: Marks, pointer: str) -> tuple[int, int]:
    """1-based line and column of the field at `pointer` (a field's mark is its key's), or
    of the nearest enclosing field that exists."""
    node, found = data, (1, 1)
    for raw in pointer.split("/")[1:]:
        key: Any = raw.replace("~1", "/").replace("~0", "~")
        if type(node) is list and key.isdigit() and int(key) < len(node):
            key = int(key)
        elif type(node) is not dict or key not in node:
            break
        mark = marks[id(node)][key]
        found, node = (mark.line + 1, mark.column + 1), node[key]
    return found


class _Refused(Exception):
    def __init__(self, code: str, message: str, mark: Any) -> None:
        super().__init__(message)
        self.code, self.message = code, message
        self.line, self.column = mark.line + 1, mark.column + 1


def escape(key: str) -> str:
    """One JSON pointer segment."""
    return key.replace("~", "~0").replace("/", "~1")


def parse_yaml(path: str, data: bytes) -> tuple[Parsed | None, list[Problem]]:
    try:
        text = data.decode("utf-8").removeprefix("\ufeff")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        message = "The file is not UTF-8 text. Save it as UTF-8 and try again."
        return None, [Problem(path, line, 1, "", "not_utf8", message)]
    try:
        return _build(text), []
    except _Refused as exc:
        return None, [Problem(path, exc.line, exc.column, "", exc.code, exc.message)]
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line, column = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        what = " ".join(str(part) for part in (exc.context, exc.problem) if part)
        message = f"This is not valid YAML ({what}). Check the indentation and quotes here."
        return None, [Problem(path, line, column, "", "yaml_syntax", message)]
    except yaml.YAMLError as exc:
        message = f"This is not valid YAML ({exc}). Check the indentation and quotes."
        return None, [Problem(path, 1, 1, "", "yaml_syntax", message)]


def _build(text: str) -> Parsed:
    marks: Marks = {}
    stack: list[list[Any]] = []  # [container, its marks, pending key (mappings) or None]
    root: Any = None
    documents = 0
    loader = _LOADER(text)
    try:
        next_event = loader.get_event
        while True:
            event = next_event()
            kind = type(event)
            if kind is yaml.ScalarEvent:
                if event.anchor is not None:
                    _refuse_alias(event)
                if not stack:
                    root = _scalar(event)
                    continue
                frame = stack[-1]
                if frame[2] is None and type(frame[0]) is dict:
                    _key(frame, event)
                else:
                    _place(frame, _scalar(event), event)
            elif kind is yaml.MappingStartEvent or kind is yaml.SequenceStartEvent:
                if event.anchor is not None:
                    _refuse_alias(event)
                is_map = kind is yaml.MappingStartEvent
                _check_tag(event, _MAP_TAGS if is_map else _SEQ_TAGS)
                value: Any = {} if is_map else []
                if stack:
                    _place(stack[-1], value, event)
                else:
                    root = value
                if len(stack) >= MAX_DEPTH:
                    message = f"Values are nested more than {MAX_DEPTH} levels deep here."
                    raise _Refused("too_deep", message, event.start_mark)
                own: Any = {} if is_map else []
                marks[id(value)] = own
                stack.append([value, own, None])
            elif kind is yaml.MappingEndEvent or kind is yaml.SequenceEndEvent:
                stack.pop()
            elif kind is yaml.AliasEvent:
                _refuse_alias(event)
            elif kind is yaml.DocumentStartEvent:
                documents += 1
                if documents > 1:
                    message = "A rules file holds one YAML document: remove the extra `---` part."
                    raise _Refused("yaml_multiple_documents", message, event.start_mark)
            elif kind is yaml.StreamEndEvent or event is None:
                break
    finally:
        loader.dispose()
    return Parsed(root, marks)


def _refuse_alias(event: Any) -> None:
    message = (
        "Anchors (&name) and aliases (*name) are not allowed in rules files: "
        "write the value out in full."
    )
    raise _Refused("yaml_alias", message, event.start_mark)


def _key(frame: list[Any], event: Any) -> None:
    """A scalar that opens a mapping entry: check it is new and remember where it is."""
    if event.tag is not None:
        _check_tag(event, _STR_TAGS)
    key = event.value
    if key in frame[1]:
        message = f"The key `{key}` appears twice in the same mapping: keep only one."
        raise _Refused("duplicate_key", message, event.start_mark)
    frame[1][key] = event.start_mark
    frame[2] = key


def _place(frame: list[Any], value: Any, event: Any) -> None:
    """Put `value` into the open container, as a sequence item or as a mapping value."""
    container, own, key = frame
    if key is not None:
        container[key] = value
        frame[2] = None
    elif type(container) is list:
        container.append(value)
        own.append(event.start_mark)
    else:
        message = "A key must be a plain word or text, not a list or a mapping."
        raise _Refused("yaml_complex_key", message, event.start_mark)


def _scalar(event: Any) -> Any:
    _check_tag(event, _STR_TAGS)
    value: str = event.value
    if event.tag is not None or not event.implicit[0]:
        return value  # quoted, block or explicitly tagged text
    if value and value[0] not in _MAYBE_TYPED:
        return value
    if value in _SPECIAL:
        return _SPECIAL[value]
    try:
        if _INT.fullmatch(value):
            return int(value)
        if _FLOAT.fullmatch(value):
            return float(value)
        if value[:2] == "0o" and len(value) > 2:
            return int(value[2:], 8)
        if value[:2] == "0x" and len(value) > 2:
            return int(value[2:], 16)
    except ValueError:
        return value
    return value


def _check_tag(event: Any, allowed: set[str | None]) -> None:
    if event.tag not in allowed:
        message = f"Tags such as `{event.tag}` are not allowed in rules files: remove the tag."
        raise _Refused("yaml_tag", message, event.start_mark)
