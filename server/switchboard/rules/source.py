"""The files of one revision of a rules repository: from git objects, or from a plain folder.

A git repository is read at a commit (HEAD unless a revision is given), never from its
working tree, so what is validated is exactly what was committed. Any other folder (such as
the demo rules shipped with the code) is read as plain files with the revision "worktree".
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from switchboard.rules.layout import is_stray_yaml, kind_of
from switchboard.rules.problems import Problem

MAX_FILE_BYTES = 256 * 1024
MAX_FILES = 5_000
MAX_TOTAL_BYTES = 64 * 1024 * 1024
WORKTREE = "worktree"


@dataclass(frozen=True, slots=True)
class SourceFile:
    path: str  # relative to the repository root, with forward slashes
    data: bytes
    blob_sha: str


@dataclass(slots=True)
class Source:
    root: str
    revision: str  # commit SHA, or "worktree" for a plain folder
    files: list[SourceFile] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)


def blob_sha(data: bytes) -> str:
    """The SHA git gives the same content, so plain folders and commits compare alike."""
    return hashlib.sha1(b"blob %d\0" % len(data) + data, usedforsecurity=False).hexdigest()


def open_source(
    path: str | os.PathLike[str], rev: str | None = None, *, worktree: bool = False
) -> Source:
    """The rules files at `path`: a git repository root (at `rev`, default HEAD) or a folder.

    `worktree=True` reads a git repository's working files instead (for pre-commit hooks,
    which check what is about to be committed)."""
    from switchboard.rules import gitread

    root = Path(path)
    if not root.is_dir():
        message = f"There is no folder at {root}. Give the path of a rules repository."
        return Source(str(root), "", problems=[Problem(str(root), 1, 1, "", "not_found", message)])
    if gitread.is_git_root(root) and not worktree:
        return gitread.read_commit(root, rev)
    if rev is not None:
        if worktree:
            message = "--rev and --worktree exclude each other: give one of them."
            problem = Problem(".", 1, 1, "", "bad_arguments", message)
            return Source(str(root), "", problems=[problem])
        message = f"{root} is not the root of a git repository, so --rev {rev} cannot be read."
        return Source(str(root), "", problems=[Problem(".", 1, 1, "", "not_a_repository", message)])
    return _read_folder(root)


def source_from_files(files: Mapping[str, bytes], revision: str = WORKTREE) -> Source:
    """A source made from contents in memory (e.g. edits not yet committed)."""
    source = Source("", revision)
    admitted = admit(((path, len(data)) for path, data in files.items()), source.problems)
    source.files = [SourceFile(p, files[p], blob_sha(files[p])) for p in admitted]
    return source


def admit(entries: Iterable[tuple[str, int]], problems: list[Problem]) -> list[str]:
    """The rules files to read, in path order; notes oversized, stray and too many files."""
    wanted: list[str] = []
    total = 0
    for path, size in sorted(entries):
        if kind_of(path) is None:
            if is_stray_yaml(path):
                message = "This YAML file is outside the known folders, so it is ignored."
                problems.append(Problem(path, 1, 1, "", "unknown_file", message, "warning"))
            continue
        if size > MAX_FILE_BYTES:
            message = (
                f"The file is {size // 1024} KiB; rules files may be at most "
                f"{MAX_FILE_BYTES // 1024} KiB. Split it into smaller files."
            )
            problems.append(Problem(path, 1, 1, "", "file_too_large", message))
            continue
        total += size
        wanted.append(path)
    if len(wanted) > MAX_FILES or total > MAX_TOTAL_BYTES:
        message = (
            f"The repository has {len(wanted)} rules files ({total // 1024} KiB); at most "
            f"{MAX_FILES} files and {MAX_TOTAL_BYTES // 2**20} MiB are read."
        )
        problems.append(Problem(".", 1, 1, "", "too_many_files", message))
        return []
    return wanted


def _read_folder(root: Path) -> Source:
    source = Source(str(root), WORKTREE)
    sizes: dict[str, int] = {}
    for folder, dirs, names in os.walk(root):
        dirs[:] = [d for d in dirs if not d.startswith(".")]
        for name in names:
            full = os.path.join(folder, name)
            rel = os.path.relpath(full, root).replace(os.sep, "/")
            if os.path.islink(full):
                if kind_of(rel) is not None:
                    message = "Symbolic links are not followed; put the file itself here."
                    source.problems.append(
                        Problem(rel, 1, 1, "", "symlink_ignored", message, "warning")
                    )
                continue
            sizes[rel] = os.path.getsize(full)
    for rel in admit(sizes.items(), source.problems):
        data = (root / rel).read_bytes()
        source.files.append(SourceFile(rel, data, blob_sha(data)))
    return source
