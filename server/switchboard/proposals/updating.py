"""Bringing a proposal up to date with the approved branch, which moved since it started.

The approved branch is merged into the proposal branch (a merge commit by the person doing
it). Files both sides changed need their final text from that person: `resolutions` must
name exactly the conflicting files, each with the blob they saw on the proposal as `base`.
Nothing is ever resolved by silently taking one side.
"""

from __future__ import annotations

from collections.abc import Sequence

from msgspec.structs import replace

from switchboard.proposals.checks import quick_check, require_valid
from switchboard.proposals.edits import check_bases, check_path, encoded
from switchboard.proposals.errors import InvalidEdit, InvalidState
from switchboard.proposals.merging import conflict, merge_base, three_way
from switchboard.proposals.model import Actor, Event, FileEdit, Proposal, with_person
from switchboard.proposals.refs import move
from switchboard.proposals.trees import commit_tree, tree_with
from switchboard.proposals.workflow import EDITABLE, require_state, state_after_edit
from switchboard.proposals.workspace import Workspace


def update_from_approved(
    ws: Workspace, actor: Actor, proposal_id: str, resolutions: Sequence[FileEdit]
) -> Proposal:
    with ws.locked():
        proposal = ws.proposal(proposal_id)
        require_state(proposal, EDITABLE, "update")
        head, target = ws.branch_head(proposal), ws.approved_head()
        if merge_base(ws.git, head, target) == target:
            raise InvalidState(
                f"Proposal {proposal.id} already contains every approved change.",
                {"state": proposal.state},
            )
        tree, conflicts = three_way(ws.git, head, target)
        _check_resolutions(conflicts, resolutions)
        current = check_bases(ws.git, head, resolutions)
        if resolutions:
            changes = {edit.path: encoded(edit) for edit in resolutions}
            modes = {path: entry.mode for path, entry in current.items()}
            tree = tree_with(ws.git, tree, changes, modes)
        now = ws.now()
        message = f"Update from {ws.approved_ref}"
        if conflicts:
            message += "\n\nResolved: " + ", ".join(conflicts)
        commit = commit_tree(ws.git, tree, [head, target], message, actor.person, now)
        require_valid(quick_check(ws.repo, commit))
        if ws.forge:
            ws.forge.push(ws.git, commit, proposal.branch)
        move(ws.git, proposal.branch, commit, head, f"proposal {proposal.id}: update")
        updated = replace(
            proposal,
            head=commit,
            state=state_after_edit(proposal.state),
            approvals=[],
            authors=with_person(proposal.authors, actor.person),
            updated_at=now,
        )
        ws.store.save(updated, Event("updated", actor.person, now, commit, message.split("\n")[0]))
    return updated


def _check_resolutions(conflicts: list[str], resolutions: Sequence[FileEdit]) -> None:
    given = [edit.path for edit in resolutions]
    for path in given:
        check_path(path)
    if len(set(given)) != len(given):
        raise InvalidEdit("A file appears twice among the resolutions.")
    missing = sorted(set(conflicts) - set(given))
    if missing:
        raise conflict(conflicts, missing=missing)
    extra = sorted(set(given) - set(conflicts))
    if extra:
        raise InvalidEdit(
            f"Only conflicting files are resolved here, and {', '.join(extra)} is not one; "
            "change it with an edit.",
            {"paths": extra},
        )
    if any(edit.content is None and edit.base is None for edit in resolutions):
        raise InvalidEdit("Resolving by deleting a file needs the base it had.")
