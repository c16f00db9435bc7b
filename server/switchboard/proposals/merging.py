"""Three-way merges with git's own machinery, in memory: no working tree, no index.

`merged_tree` gives the tree a proposal would give the approved branch. When the approved
branch has not moved since the proposal started, that is simply the proposal's tree;
otherwise `git merge-tree --write-tree` merges. A conflict is reported with its paths and
never resolved by taking one side.
"""

from __future__ import annotations

from switchboard.proposals.errors import MergeConflict
from switchboard.proposals.gitcmd import Git
from switchboard.proposals.trees import tree_of


def merge_base(git: Git, one: str, other: str) -> str | None:
    code, out = git.call("merge-base", one, other, ok_codes=(0, 1))
    return out.decode().strip() if code == 0 else None


def three_way(git: Git, ours: str, theirs: str) -> tuple[str, list[str]]:
    """(tree, conflicting paths); conflicting files in the tree hold conflict markers."""
    if merge_base(git, ours, theirs) is None:
        raise MergeConflict(
            "The proposal and the approved branch share no history, so they cannot be merged.",
            {"paths": []},
        )
    code, out = git.call(
        "merge-tree",
        "--write-tree",
        "--name-only",
        "--no-messages",
        "-z",
        ours,
        theirs,
        ok_codes=(0, 1),
    )
    tree, *rest = out.split(b"\0")
    conflicts = sorted({p.decode("utf-8", "replace") for p in rest if p}) if code == 1 else []
    return tree.decode().strip(), conflicts


def merged_tree(git: Git, target: str, head: str) -> str:
    """The tree of `head` merged into `target`; MergeConflict names the conflicting paths."""
    if merge_base(git, target, head) == target:
        return tree_of(git, head)
    tree, conflicts = three_way(git, target, head)
    if conflicts:
        raise conflict(conflicts)
    return tree


def conflict(paths: list[str], **details: object) -> MergeConflict:
    return MergeConflict(
        f"The approved rules changed the same lines since this proposal started: "
        f"{', '.join(paths)}. Update the proposal from the approved rules, choosing the "
        "final text of those files, then merge.",
        {"paths": paths, **details},
    )
