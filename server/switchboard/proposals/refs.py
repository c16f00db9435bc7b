"""Branches read and moved with compare-and-swap, so a concurrent change is seen, not lost.

A branch checked out in a working tree is never moved: its files and index would no longer
match it, and the next commit made there would quietly undo what was merged.
"""

from __future__ import annotations

from switchboard.proposals.errors import BranchCheckedOut, ConcurrentUpdate
from switchboard.proposals.gitcmd import Git, GitFailed

ZERO = "0" * 40


def full_name(branch: str) -> str:
    return branch if branch.startswith("refs/") else f"refs/heads/{branch}"


def head_of(git: Git, branch: str) -> str | None:
    """The commit `branch` points at, or None when there is no such branch."""
    code, out = git.call(
        "rev-parse", "--verify", "--quiet", f"{full_name(branch)}^{{commit}}", ok_codes=(0, 1)
    )
    return out.decode().strip() if code == 0 else None


def checked_out(git: Git) -> set[str]:
    """Full names of the branches checked out in any working tree of the repository."""
    out = git.text("worktree", "list", "--porcelain")
    return {line.split(" ", 1)[1] for line in out.splitlines() if line.startswith("branch ")}


def move(git: Git, branch: str, new: str, expected: str | None, reason: str) -> None:
    """Point `branch` at `new` only if it still points at `expected` (None: must not exist)."""
    name = full_name(branch)
    _refuse_checked_out(git, name)
    try:
        git.run("update-ref", "-m", reason, name, new, expected or ZERO)
    except GitFailed as exc:
        raise ConcurrentUpdate(
            f"The branch {branch} changed while this change was being made; nothing was "
            "overwritten. Reload and try again.",
            {"branch": branch, "expected": expected},
        ) from exc


def delete(git: Git, branch: str, expected: str) -> None:
    name = full_name(branch)
    _refuse_checked_out(git, name)
    try:
        git.run("update-ref", "-d", name, expected)
    except GitFailed as exc:
        raise ConcurrentUpdate(
            f"The branch {branch} changed before it could be deleted; it was kept.",
            {"branch": branch, "expected": expected},
        ) from exc


def _refuse_checked_out(git: Git, name: str) -> None:
    if name in checked_out(git):
        branch = name.removeprefix("refs/heads/")
        raise BranchCheckedOut(
            f"The branch {branch} is checked out in a working tree of the rules repository, "
            "so it is not moved. Serve a bare repository, or check out another branch there.",
            {"branch": branch},
        )
