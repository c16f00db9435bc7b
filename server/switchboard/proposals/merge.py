"""Merging an approved proposal into the approved branch.

The merge commit is built and checked outside the repository lock (a full load and the
repository's test cases take a while); under the lock the proposal and both branches are
checked again, and the approved branch moves only if it still is where the merge started.
The merge commit records the review: `Proposal: <id>` and one `Approved-by:` per approver.
"""

from __future__ import annotations

from msgspec.structs import replace

from switchboard.proposals.checks import full_check, require_passing
from switchboard.proposals.errors import InvalidState
from switchboard.proposals.merging import merged_tree
from switchboard.proposals.model import Actor, Event, Proposal
from switchboard.proposals.refs import delete, move
from switchboard.proposals.trees import commit_tree
from switchboard.proposals.workflow import require_state
from switchboard.proposals.workspace import Workspace


def merge_proposal(ws: Workspace, actor: Actor, proposal_id: str) -> Proposal:
    if ws.forge is not None:
        raise InvalidState(
            f"Proposals are merged on the forge ({ws.forge.shown}), not here.",
            {"reason": "forge_mode"},
        )
    proposal = ws.proposal(proposal_id)
    head = _mergeable_head(ws, proposal)
    target = ws.approved_head()
    tree = merged_tree(ws.git, target, head)
    commit = commit_tree(ws.git, tree, [target, head], message(proposal), actor.person, ws.now())
    require_passing(full_check(ws.repo, commit, ws.cache_dir))
    with ws.locked():
        again = ws.proposal(proposal_id)
        if _mergeable_head(ws, again) != head or again.approvals != proposal.approvals:
            raise InvalidState(
                f"Proposal {proposal.id} changed while it was being merged; try again.",
                {"state": again.state},
            )
        move(ws.git, ws.approved_ref, commit, target, f"proposal {proposal.id}: merged")
        delete(ws.git, proposal.branch, head)
        now = ws.now()
        merged = replace(again, state="merged", head=head, merged_commit=commit, updated_at=now)
        ws.store.save(merged, Event("merged", actor.person, now, commit))
    return merged


def message(proposal: Proposal) -> str:
    """The merge commit's message; git reads the last paragraph as its trailers."""
    lines = [f"Merge proposal {proposal.id}: {proposal.title}", ""]
    if proposal.description:
        lines += [proposal.description, ""]
    lines.append(f"Proposal: {proposal.id}")
    lines += [f"Approved-by: {a.approver.name} <{a.approver.email}>" for a in proposal.approvals]
    return "\n".join(lines) + "\n"


def _mergeable_head(ws: Workspace, proposal: Proposal) -> str:
    """The head that was approved; InvalidState unless approved and unchanged since."""
    require_state(proposal, {"approved"}, "merge")
    head = ws.branch_head(proposal)
    if not proposal.approvals or any(a.revision != head for a in proposal.approvals):
        raise InvalidState(
            f"Proposal {proposal.id} changed after it was approved; it needs a new review.",
            {"state": proposal.state, "head": head},
        )
    return head
