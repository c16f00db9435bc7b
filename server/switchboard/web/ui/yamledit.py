"""Writes a form's result back into a rules file while keeping its comments and layout.

A form yields plain data. The file is read with a round-trip YAML parser and the new data is
laid over it node by node: an unchanged value keeps its node (comments, quotes, block style),
a changed scalar keeps its style where it can. That parser re-flows wrapped flow lists, so the
result goes through a three-way merge (`git merge-file`: base = the original as the parser
writes it, ours = the original bytes, theirs = the edited text): lines the edit did not touch
stay byte for byte as they were. The merged text must read back as exactly the new data;
otherwise the plain edited text is used, which loses nothing but layout.
"""

from __future__ import annotations

import datetime as dt
import io
import subprocess
import tempfile
from pathlib import Path
from typing import Any

import yaml
from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.scalarstring import (
    DoubleQuotedScalarString,
    FoldedScalarString,
    LiteralScalarString,
    SingleQuotedScalarString,
)

QUOTED = (DoubleQuotedScalarString, SingleQuotedScalarString)
WIDTH = 1000  # never re-wrap a long line the edit did not touch


class YamlEditError(ValueError):
    """The file cannot be read for editing; the message says why."""


def _yaml() -> YAML:
    rt = YAML()
    rt.preserve_quotes = True
    rt.width = WIDTH
    rt.indent(mapping=2, sequence=4, offset=2)
    return rt


def load_plain(text: str) -> Any:
    """The file's data as plain Python values (dates as ISO text), safe YAML only."""
    try:
        return plain(yaml.safe_load(text))
    except yaml.YAMLError as exc:
        raise YamlEditError(f"The file is not valid YAML: {exc}") from None


def plain(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [plain(v) for v in value]
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, str):
        return str(value)
    return value


def updated_text(original: str, new: Any) -> str:
    """`original` rewritten to hold `new`, keeping comments and untouched lines."""
    rt = _yaml()
    try:
        tree = rt.load(original)
        base = _dump(rt, rt.load(original))
    except Exception as exc:  # ruamel raises many kinds of error for broken input
        raise YamlEditError(f"The file is not valid YAML: {exc}") from None
    edited = _dump(rt, overlay(tree, new))
    if not _reads_as(edited, new):  # the overlay lost or broke something: dump the data
        edited = _dump(rt, new)
        if not _reads_as(edited, new):
            return yaml.safe_dump(new, allow_unicode=True, sort_keys=False, width=100)
    merged = _merge(original, base, edited)
    if merged is not None and _reads_as(merged, new):
        return merged
    return edited


def overlay(old: Any, new: Any) -> Any:
    """`new`, reusing the nodes of `old` wherever the value did not change."""
    if _same(old, new):
        return old
    if isinstance(old, CommentedMap) and isinstance(new, dict):
        for key in [k for k in old if k not in new]:
            del old[key]
        order = list(new)
        for key, value in new.items():
            if key in old:
                old[key] = overlay(old[key], value)
            else:
                old.insert(_position(old, order, key), key, _fresh(value))
        return old
    if isinstance(old, CommentedSeq) and isinstance(new, list):
        if len(old) == len(new):
            for i, value in enumerate(new):
                old[i] = overlay(old[i], value)
            return old
        unused = list(old)
        quoted = _common_quotes(old)
        items = []
        for value in new:
            match = next((item for item in unused if _same(item, value)), None)
            if match is not None:
                unused.remove(match)
                items.append(match)
            elif quoted is not None and isinstance(value, str) and "\n" not in value:
                items.append(quoted(value))  # quoted like its neighbours
            else:
                items.append(_fresh(value))
        seq = CommentedSeq(items)
        if old.fa.flow_style():
            seq.fa.set_flow_style()
        return seq
    if isinstance(new, str):
        if isinstance(old, LiteralScalarString) or "\n" in new.rstrip("\n"):
            return LiteralScalarString(new)
        if isinstance(old, FoldedScalarString):
            return FoldedScalarString(new)
    return _fresh(new)


def _common_quotes(seq: CommentedSeq) -> type[str] | None:
    """The quoting every text item of `seq` shares, if they all share one."""
    kinds = {type(item) for item in seq if isinstance(item, str)}
    only = kinds.pop() if len(kinds) == 1 else None
    return only if only in QUOTED else None


def _position(old: CommentedMap, order: list[str], key: str) -> int:
    """Where a new key goes: after the nearest key that precedes it in the new order."""
    keys = list(old)
    for before in reversed(order[: order.index(key)]):
        if before in keys:
            return keys.index(before) + 1
    return 0


def _fresh(value: Any) -> Any:
    if isinstance(value, str) and "\n" in value.rstrip("\n"):
        return LiteralScalarString(value)
    if isinstance(value, dict):
        return CommentedMap((k, _fresh(v)) for k, v in value.items())
    if isinstance(value, list):
        return CommentedSeq(_fresh(v) for v in value)
    return value


def _same(old: Any, new: Any) -> bool:
    try:
        return bool(plain(old) == plain(new)) and _same_types(plain(old), plain(new))
    except TypeError:
        return False


def _same_types(a: Any, b: Any) -> bool:
    if isinstance(a, dict):
        return all(_same_types(a[k], b[k]) for k in a)
    if isinstance(a, list):
        return all(_same_types(x, y) for x, y in zip(a, b, strict=True))
    return type(a) is type(b) or ({type(a), type(b)} <= {int, float} and a == b)


def _dump(rt: YAML, data: Any) -> str:
    out = io.StringIO()
    rt.dump(data, out)
    return out.getvalue()


def _reads_as(text: str, new: Any) -> bool:
    try:
        return bool(plain(yaml.safe_load(text)) == plain(new))
    except yaml.YAMLError:
        return False


def _merge(ours: str, base: str, theirs: str) -> str | None:
    """Apply base -> theirs onto ours; where both changed a line, theirs wins."""
    with tempfile.TemporaryDirectory(prefix="sb-merge-") as folder:
        paths = []
        for name, text in (("ours", ours), ("base", base), ("theirs", theirs)):
            path = Path(folder) / name
            path.write_text(text, encoding="utf-8")
            paths.append(str(path))
        done = subprocess.run(
            ["git", "merge-file", "-p", "--theirs", *paths],
            capture_output=True,
            text=True,
            encoding="utf-8",
            timeout=20,
            check=False,
        )
    if done.returncode < 0 or done.returncode > 127:
        return None
    return done.stdout
