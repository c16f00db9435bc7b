"""An edit: one commit on the proposal branch, by the person editing, of several files.

Refused, with nothing committed, when a file's base is stale (`stale_edit`), when it changes
nothing or more than it names, or when the rules would no longer load (`invalid_revision`).
"""

from __future__ import annotations

from collections.abc import Sequence

from msgspec.structs import replace

from switchboard.proposals.checks import quick_check, require_valid
from switchboard.proposals.diffs import changed_files
from switchboard.proposals.edits import check_bases, check_edit, encoded
from switchboard.proposals.errors import InvalidEdit
from switchboard.proposals.model import Actor, Event, FileEdit, Proposal, with_person
from switchboard.proposals.refs import move
from switchboard.proposals.trees import commit_tree, tree_of, tree_with
from switchboard.proposals.workflow import EDITABLE, require_state, state_after_edit
from switchboard.proposals.workspace import Workspace


def commit_edit(
    ws: Workspace, actor: Actor, proposal_id: str, message: str, files: Sequence[FileEdit]
) -> Proposal:
    check_edit(message, files)
    with ws.locked():
        proposal = ws.proposal(proposal_id)
        require_state(proposal, EDITABLE, "edit")
        head = ws.branch_head(proposal)
        current = check_bases(ws.git, head, files)
        changes = {edit.path: encoded(edit) for edit in files}
        modes = {path: entry.mode for path, entry in current.items()}
        tree = tree_with(ws.git, head, changes, modes)
        if tree == tree_of(ws.git, head):
            raise InvalidEdit("The edit changes nothing; the files already read like that.")
        require_only(ws, head, tree, changes)
        now = ws.now()
        commit = commit_tree(ws.git, tree, [head], message.strip(), actor.person, now)
        require_valid(quick_check(ws.repo, commit))
        if ws.forge:
            ws.forge.push(ws.git, commit, proposal.branch)
        move(ws.git, proposal.branch, commit, head, f"proposal {proposal.id}: edit")
        updated = replace(
            proposal,
            head=commit,
            state=state_after_edit(proposal.state),
            approvals=[],
            authors=with_person(proposal.authors, actor.person),
            updated_at=now,
        )
        note = message.strip().splitlines()[0]
        ws.store.save(updated, Event("edited", actor.person, now, commit, note))
    return updated


def require_only(ws: Workspace, head: str, tree: str, changes: dict[str, bytes | None]) -> None:
    """An edit changes exactly the files it names (a path such as `a.yaml/b.yaml` would
    otherwise replace the file `a.yaml` without anyone having seen it)."""
    others = sorted({path for _, path in changed_files(ws.git, head, tree)} - set(changes))
    if others:
        raise InvalidEdit(
            f"The edit would also remove {', '.join(others)}; name each file you change.",
            {"paths": others},
        )
