"""Rollback as a new commit: the approved branch gets a commit whose tree is an earlier
revision's tree, so going back goes live the same way as any change and keeps the history.

Nothing is checked out: `commit-tree` makes the commit from the earlier tree with the current
head as parent, and `update-ref` moves the branch only if it still points where it did.
"""

from __future__ import annotations

from dataclasses import dataclass

from switchboard.proposals.gitcmd import Git, GitFailed
from switchboard.runtime._gitref import HEADS, RefError, resolve


class RollbackError(Exception):
    """A rollback that was refused; `code` says why (stable, snake_case)."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


@dataclass(frozen=True, slots=True)
class Rollback:
    branch: str  # refs/heads/<name>
    previous: str  # the head before
    commit: str  # the new commit
    restored: str  # the commit whose content the new one restores


def prepare(
    git: Git,
    branch: str,
    to: str,
    author: tuple[str, str] | None = None,
    message: str | None = None,
) -> Rollback:
    """Make (but do not publish) the rollback commit on top of `branch`."""
    if not branch.startswith(HEADS):
        raise RollbackError(
            "not_a_branch", f"The server serves {branch}, not a branch; nothing can be rolled back."
        )
    head = _resolve(git, branch, "unknown_branch")
    target = _resolve(git, to, "unknown_revision")
    code, _ = git.call("merge-base", "--is-ancestor", target, head, ok_codes=(0, 1))
    if code != 0:
        raise RollbackError(
            "not_an_ancestor",
            f"{to} ({target[:12]}) was never on {branch.removeprefix(HEADS)}: only an earlier "
            "approved revision can be restored.",
        )
    tree = git.text("rev-parse", f"{target}^{{tree}}")
    if tree == git.text("rev-parse", f"{head}^{{tree}}"):
        raise RollbackError(
            "nothing_to_roll_back", f"{branch.removeprefix(HEADS)} already has the content of {to}."
        )
    subject = git.text("log", "-1", "--format=%s", target)
    text = message or f"Roll back to {target[:12]}: {subject}"
    text += f"\n\nRestores the rules as of commit {target}.\nRolled back from {head}.\n"
    env = {}
    if author is not None:
        name, email = author
        for role in ("AUTHOR", "COMMITTER"):
            env[f"GIT_{role}_NAME"], env[f"GIT_{role}_EMAIL"] = name, email
    try:
        commit = git.text("commit-tree", tree, "-p", head, "-F", "-", stdin=text.encode(), env=env)
    except GitFailed as exc:
        raise RollbackError(
            "commit_failed", f"The rollback commit could not be made: {exc.stderr}"
        ) from None
    return Rollback(branch, head, commit, target)


def publish(git: Git, rollback: Rollback) -> None:
    """Move the branch to the rollback commit, unless someone moved it meanwhile."""
    try:
        git.run("update-ref", "-m", "rollback", rollback.branch, rollback.commit, rollback.previous)
    except GitFailed as exc:
        raise RollbackError(
            "branch_moved",
            f"{rollback.branch.removeprefix(HEADS)} moved while rolling back; try again "
            f"({exc.stderr}).",
        ) from None


def roll_back(
    git: Git,
    branch: str,
    to: str,
    author: tuple[str, str] | None = None,
    message: str | None = None,
) -> Rollback:
    rollback = prepare(git, branch, to, author, message)
    publish(git, rollback)
    return rollback


def _resolve(git: Git, rev: str, code: str) -> str:
    try:
        return resolve(git, rev)
    except (RefError, GitFailed) as exc:
        raise RollbackError(code, str(exc)) from None
