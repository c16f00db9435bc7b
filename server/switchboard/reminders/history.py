"""Snippet changes on the approved branch, and the templates they make due for review.

`git log --first-parent -m --raw` walks the approved branch as it moved: a proposal merged into
it shows up as one change on the day of the merge. Only edits of a snippet's text count: a
commit that only touches `metadata` (e.g. marking the snippet reviewed) triggers nothing, and
neither does adding or deleting a snippet.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from switchboard.engine.render import check_template
from switchboard.proposals.gitcmd import Git
from switchboard.reminders.due import Trigger
from switchboard.rules.model import Ruleset
from switchboard.rules.yamlread import parse_yaml

SNIPPETS = "snippets/"


@dataclass(frozen=True, slots=True)
class SnippetChange:
    path: str  # snippets/<file>.yaml
    changed_on: dt.date  # in the repository's time zone
    commit: str


def snippet_changes(repo: Path, revision: str, tz: ZoneInfo) -> list[SnippetChange]:
    """Every commit on the first-parent line to `revision` that edited a snippet's text."""
    git = Git(repo)
    log = git.run(
        "-c", "core.quotePath=false", "log", "--first-parent", "-m", "--raw", "--no-abbrev",
        "--no-renames", "--format=%x00%H %ct", "--end-of-options", revision, "--", SNIPPETS,
    ).decode("utf-8", "replace")  # fmt: skip
    edits: list[tuple[str, str, str, str, int]] = []  # path, old, new, commit, time
    for record in log.split("\0")[1:]:
        head, *lines = record.strip("\n").split("\n")
        commit, seconds = head.split()
        for line in lines:
            meta, _, path = line.partition("\t")
            fields = meta.split()
            if len(fields) == 5 and fields[4] == "M" and path.endswith((".yaml", ".yml")):
                edits.append((path, fields[2], fields[3], commit, int(seconds)))
    texts = _blobs(git, {sha for edit in edits for sha in edit[1:3]})
    return [
        SnippetChange(path, dt.datetime.fromtimestamp(at, tz).date(), commit)
        for path, old, new, commit, at in edits
        if _content(texts.get(old)) != _content(texts.get(new))
    ]


def triggers_for(ruleset: Ruleset, changes: Iterable[SnippetChange]) -> list[Trigger]:
    """Which template files each change makes due (templates using the snippet at any depth)."""
    snippet_ids = {f.path: f.id for f in ruleset.files if f.kind == "snippet"}
    template_paths = {f.id: f.path for f in ruleset.files if f.kind == "template"}
    users = snippet_users(ruleset)
    out: list[Trigger] = []
    for change in changes:
        sid = snippet_ids.get(change.path)
        for template in sorted(users.get(sid, ()) if sid else ()):
            if template in template_paths and sid:
                path = template_paths[template]
                out.append(Trigger(path, sid, change.changed_on, change.commit))
    return out


def snippet_users(ruleset: Ruleset) -> dict[str, set[str]]:
    """Snippet id -> ids of the templates that use it, directly or through other snippets."""
    nested = {
        sid: set().union(*(check_template(text).snippets for text in snippet.text.values()))
        for sid, snippet in ruleset.snippets.items()
    }
    users: dict[str, set[str]] = {}
    for tid, template in ruleset.templates.items():
        direct: set[str] = set()
        for variant in template.variants.values():
            for source in (variant.subject, variant.body):
                if source:
                    direct |= check_template(source).snippets
        for sid in _reachable(direct, nested):
            users.setdefault(sid, set()).add(tid)
    return users


def _reachable(start: set[str], nested: Mapping[str, set[str]]) -> set[str]:
    seen: set[str] = set()
    todo = list(start)
    while todo:
        sid = todo.pop()
        if sid not in seen:
            seen.add(sid)
            todo += nested.get(sid, set())
    return seen


def _blobs(git: Git, shas: set[str]) -> dict[str, bytes]:
    wanted = sorted(shas)
    if not wanted:
        return {}
    out = git.run("cat-file", "--batch", stdin="\n".join(wanted).encode() + b"\n")
    blobs: dict[str, bytes] = {}
    pos = 0
    for _ in wanted:
        end = out.index(b"\n", pos)
        header = out[pos:end].split()
        if len(header) != 3:  # "<sha> missing"
            pos = end + 1
            continue
        size = int(header[2])
        blobs[header[0].decode()] = out[end + 1 : end + 1 + size]
        pos = end + 1 + size + 1
    return blobs


def _content(data: bytes | None) -> Any:
    """The file without its metadata; unreadable text compares by its raw bytes."""
    if data is None:
        return None
    parsed, _ = parse_yaml(SNIPPETS, data)
    if parsed is None:
        return data
    content = parsed.data
    if isinstance(content, dict):
        content.pop("metadata", None)
    return content
