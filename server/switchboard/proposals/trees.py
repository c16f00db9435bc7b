"""Commits built from git objects alone: blobs, a tree from a temporary index, commit-tree.

The repository's own index and working tree are never read or written, so this is safe on
a bare repository and on one whose working tree someone is using.
"""

from __future__ import annotations

import datetime as dt
import os
import tempfile
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from switchboard.proposals.gitcmd import Git
from switchboard.proposals.model import Person

REGULAR = "100644"


@dataclass(frozen=True, slots=True)
class Entry:
    """A file in a tree: its mode and blob SHA."""

    mode: str
    blob: str


def entries(git: Git, commit: str, paths: Iterable[str]) -> dict[str, Entry]:
    """The files among `paths` that exist at `commit` (directories and links are left out)."""
    wanted = list(paths)
    if not wanted:
        return {}
    out = git.run("ls-tree", "-z", "--full-tree", commit, "--", *wanted)
    found: dict[str, Entry] = {}
    for item in out.split(b"\0"):
        if not item:
            continue
        meta, _, raw_path = item.partition(b"\t")
        mode, kind, sha = meta.decode().split()
        path = raw_path.decode("utf-8", "replace")
        if kind == "blob" and path in wanted and mode in {"100644", "100755"}:
            found[path] = Entry(mode, sha)
    return found


def read_blob(git: Git, blob: str) -> bytes:
    return git.run("cat-file", "blob", blob)


def write_blob(git: Git, data: bytes) -> str:
    return git.text("hash-object", "-w", "--stdin", stdin=data)


def tree_with(
    git: Git, base: str, changes: Mapping[str, bytes | None], modes: Mapping[str, str]
) -> str:
    """The tree of `base` (a commit or tree) with `changes` applied (None deletes)."""
    lines = []
    for path, data in sorted(changes.items()):
        if data is None:
            lines.append(f"0 {'0' * 40}\t{path}")
        else:
            lines.append(f"{modes.get(path, REGULAR)} {write_blob(git, data)}\t{path}")
    with tempfile.TemporaryDirectory(prefix="switchboard-index-") as folder:
        env = {"GIT_INDEX_FILE": os.path.join(folder, "index")}
        git.run("read-tree", base, env=env)
        git.run("update-index", "--index-info", stdin=("\n".join(lines) + "\n").encode(), env=env)
        return git.text("write-tree", env=env)


def tree_of(git: Git, commit: str) -> str:
    return git.text("rev-parse", f"{commit}^{{tree}}")


def commit_tree(
    git: Git,
    tree: str,
    parents: Sequence[str],
    message: str,
    author: Person,
    when: dt.datetime,
    committer: Person | None = None,
) -> str:
    """A commit object (no branch moves); `author` also commits unless `committer` is given."""
    committer = committer or author
    stamp = f"{int(when.timestamp())} +0000"
    env = {
        "GIT_AUTHOR_NAME": author.name,
        "GIT_AUTHOR_EMAIL": author.email,
        "GIT_AUTHOR_DATE": stamp,
        "GIT_COMMITTER_NAME": committer.name,
        "GIT_COMMITTER_EMAIL": committer.email,
        "GIT_COMMITTER_DATE": stamp,
    }
    args = ["commit-tree", tree]
    for parent in parents:
        args += ["-p", parent]
    body = message.rstrip("\n") + "\n"
    return git.text(*args, "-F", "-", stdin=body.encode("utf-8"), env=env)
