"""The tree a proposal would give the approved branch: git's own three-way merge, in memory.

When the approved branch has not moved since the proposal started, that is simply the
proposal's tree. Otherwise `git merge-tree --write-tree` merges without a working tree; a
conflict is reported with its paths and never resolved by taking one side.
"""

from __future__ import annotations

from switchboard.proposals.errors import MergeConflict
from switchboard.proposals.gitcmd import Git
from switchboard.proposals.trees import tree_of


def merge_base(git: Git, one: str, other: str) -> str | None:
    code, out = git.call("merge-base", one, other, ok_codes=(0, 1))
    return out.decode().strip() if code == 0 else None


def merged_tree(git: Git, target: str, head: str) -> str:
    """The tree of `head` merged into `target`; MergeConflict names the conflicting paths."""
    base = merge_base(git, target, head)
    if base is None:
        raise MergeConflict(
            "The proposal and the approved branch share no history, so they cannot be merged.",
            {"paths": []},
        )
    if base == target:
        return tree_of(git, head)
    code, out = git.call(
        "merge-tree",
        "--write-tree",
        "--name-only",
        "--no-messages",
        "-z",
        target,
        head,
        ok_codes=(0, 1),
    )
    tree, *rest = out.split(b"\0")
    if code == 1:
        paths = sorted({p.decode("utf-8", "replace") for p in rest if p})
        raise MergeConflict(
            "The approved rules changed the same lines since this proposal started: "
            f"{', '.join(paths)}. Edit the proposal to include those changes, then merge.",
            {"paths": paths},
        )
    return tree.decode().strip()
