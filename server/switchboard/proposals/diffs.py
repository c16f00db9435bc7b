"""What a proposal changes: one unified diff per file, from where it started to its head."""

from __future__ import annotations

from typing import Literal

from switchboard.proposals.gitcmd import Git
from switchboard.proposals.model import FileDiff
from switchboard.proposals.trees import entries

_STATUS: dict[str, Literal["added", "modified", "deleted"]] = {
    "A": "added",
    "M": "modified",
    "D": "deleted",
    "T": "modified",
}


def changed_files(git: Git, old: str, new: str) -> list[tuple[str, str]]:
    """(status letter, path) of every file that differs between two commits."""
    out = git.run("diff-tree", "-r", "-z", "--no-renames", "--name-status", old, new)
    fields = [f.decode("utf-8", "replace") for f in out.split(b"\0") if f]
    return list(zip(fields[0::2], fields[1::2], strict=True))


def file_diffs(git: Git, old: str, new: str) -> list[FileDiff]:
    changed = changed_files(git, old, new)
    paths = [path for _, path in changed]
    before, after = entries(git, old, paths), entries(git, new, paths)
    diffs = []
    for letter, path in changed:
        text = git.run(
            "diff-tree",
            "-p",
            "--no-renames",
            "--no-color",
            "--no-ext-diff",
            "--no-textconv",
            old,
            new,
            "--",
            path,
        ).decode("utf-8", "replace")
        old_entry, new_entry = before.get(path), after.get(path)
        diffs.append(
            FileDiff(
                path=path,
                status=_STATUS.get(letter[:1], "modified"),
                diff=text,
                old_blob=old_entry.blob if old_entry else None,
                new_blob=new_entry.blob if new_entry else None,
            )
        )
    return diffs
