"""Reads the rules files of one commit straight from git objects with three git processes.

`ls-tree -l` lists paths with sizes (so oversized files are refused unread) and one
`cat-file --batch` streams every blob; this is far faster than one process or one GitPython
object lookup per file.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
from pathlib import Path

from switchboard.rules.problems import Problem
from switchboard.rules.source import Source, SourceFile, admit

_REGULAR_FILES = {"100644", "100755"}
_REDIRECTS = {"GIT_DIR", "GIT_WORK_TREE", "GIT_COMMON_DIR", "GIT_INDEX_FILE", "GIT_NAMESPACE"}
_REDIRECTS |= {"GIT_OBJECT_DIRECTORY", "GIT_ALTERNATE_OBJECT_DIRECTORIES"}


class GitError(Exception):
    pass


def is_git_root(path: Path) -> bool:
    """A working tree root (has .git) or a bare repository."""
    if (path / ".git").exists():
        return True
    return (path / "HEAD").is_file() and (path / "objects").is_dir() and (path / "refs").is_dir()


def read_commit(root: Path, rev: str | None) -> Source:
    source = Source(str(root), "")
    try:
        source.revision = resolve(root, rev or "HEAD")
    except GitError as exc:
        source.problems.append(Problem(".", 1, 1, "", "unknown_revision", str(exc)))
        return source
    try:
        blobs, sizes = _list_tree(root, source.revision)
        wanted = admit(sizes, source.problems)
        contents = _cat_blobs(root, [blobs[p] for p in wanted])
    except GitError as exc:
        source.problems.append(Problem(".", 1, 1, "", "git_error", str(exc)))
        return source
    source.files = [SourceFile(p, contents[blobs[p]], blobs[p]) for p in wanted]
    return source


def _list_tree(root: Path, commit: str) -> tuple[dict[str, str], list[tuple[str, int]]]:
    """Every regular file of the commit: path -> blob SHA, and (path, size) pairs."""
    listing = _git(root, ["ls-tree", "-r", "-l", "-z", "--full-tree", commit])
    blobs: dict[str, str] = {}
    sizes: list[tuple[str, int]] = []
    for entry in listing.split(b"\0"):
        if not entry:
            continue
        meta, _, raw_path = entry.partition(b"\t")
        mode, kind, sha, size = meta.split()
        if kind != b"blob" or mode.decode() not in _REGULAR_FILES:
            continue  # symbolic links and submodules are never followed
        path = raw_path.decode("utf-8", "replace")
        if not size.isdigit():  # git shows no size for an object it cannot read
            raise GitError(f"git cannot read {path} (object {sha.decode()}): {_DAMAGED}")
        blobs[path] = sha.decode()
        sizes.append((path, int(size)))
    return blobs, sizes


def resolve(root: Path, rev: str) -> str:
    """The commit SHA `rev` names (a branch, tag, SHA or expression such as HEAD~1)."""
    if rev.startswith("-"):
        raise GitError(f"`{rev}` is not a revision name.")
    try:
        out = _git(
            root, ["rev-parse", "--verify", "--quiet", "--end-of-options", f"{rev}^{{commit}}"]
        )
    except GitError:
        what = "The repository has no commits yet" if rev == "HEAD" else f"No commit `{rev}`"
        raise GitError(f"{what} in {root}. Name an existing branch, tag or commit.") from None
    return out.decode().strip()


def _cat_blobs(root: Path, shas: list[str]) -> dict[str, bytes]:
    if not shas:
        return {}
    unique = list(dict.fromkeys(shas))
    out = _git(root, ["cat-file", "--batch"], stdin="\n".join(unique).encode() + b"\n")
    contents: dict[str, bytes] = {}
    pos = 0
    for _ in unique:
        header_end = out.index(b"\n", pos)
        header = out[pos:header_end].split()
        if len(header) != 3:
            raise GitError(f"git could not read object {header[0].decode()}: {_DAMAGED}")
        sha, size = header[0], header[2]
        start = header_end + 1
        content = out[start : start + int(size)]
        if _object_id(content, len(sha)) != sha.decode():  # git does not check this on reading
            raise GitError(f"object {sha.decode()} does not match its content: {_DAMAGED}")
        contents[sha.decode()] = content
        pos = start + int(size) + 1  # content is followed by a newline
    return contents


_DAMAGED = "the object is missing or damaged in the repository (git fsck shows what else is)."


def _object_id(content: bytes, length: int = 40) -> str:
    """The git id of a blob with `content` (SHA-1; SHA-256 for repositories that use it)."""
    algorithm = "sha1" if length == 40 else "sha256"
    return hashlib.new(algorithm, b"blob %d\0" % len(content) + content).hexdigest()


def _git(root: Path, args: list[str], stdin: bytes | None = None) -> bytes:
    # variables such as GIT_DIR (set inside git hooks) would make git read another repository
    env = {k: v for k, v in os.environ.items() if k not in _REDIRECTS}
    try:
        done = subprocess.run(
            ["git", "-C", str(root), *args], input=stdin, capture_output=True, check=False, env=env
        )
    except FileNotFoundError as exc:
        raise GitError(
            "The `git` program is not installed, so a repository cannot be read."
        ) from exc
    if done.returncode != 0:
        detail = done.stderr.decode(errors="replace").strip()
        raise GitError(f"git {args[0]} failed in {root}: {detail}")
    return done.stdout
