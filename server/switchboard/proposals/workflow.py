"""The review rules: which state allows which action, and who may take it.

    draft -> in_review -> approved -> merged
    draft | in_review | approved -> withdrawn   (by an author)
    in_review | approved -> rejected            (by a reviewer)
    an edit (or an update from the approved branch) to an approved proposal sends it back
    to in_review and clears its approvals

Four eyes: an approval counts only from a reviewer who is not an author (the creator or
anyone who committed an edit).
"""

from __future__ import annotations

from collections.abc import Collection

from switchboard.proposals.errors import FourEyes, InvalidState, NotAnAuthor, RoleRequired
from switchboard.proposals.model import Actor, Proposal, State

EDITABLE: frozenset[str] = frozenset({"draft", "in_review", "approved"})
REVIEWABLE: frozenset[str] = frozenset({"in_review", "approved"})
ROLE_FOR: dict[str, str] = {
    "create": "editor",
    "edit": "editor",
    "update": "editor",
    "submit": "editor",
    "comment": "viewer",
    "approve": "reviewer",
    "reject": "reviewer",
    "merge": "reviewer",
}


def require_role(actor: Actor, action: str) -> None:
    role = ROLE_FOR[action]
    if role == "viewer" and actor.roles:
        return  # any role may comment
    if not actor.has(role):
        raise RoleRequired(
            f"To {action} a proposal you need the {role} role.",
            {"action": action, "role": role, "roles": sorted(actor.roles)},
        )


def require_state(proposal: Proposal, allowed: Collection[str], action: str) -> None:
    if proposal.state not in allowed:
        wanted = " or ".join(sorted(allowed))
        raise InvalidState(
            f"Proposal {proposal.id} is {proposal.state}; it can only be {_past(action)} "
            f"when it is {wanted}.",
            {"state": proposal.state, "action": action, "allowed": sorted(allowed)},
        )


def state_after_edit(state: State) -> State:
    return "in_review" if state == "approved" else state


def require_not_author(actor: Actor, proposal: Proposal) -> None:
    if proposal.is_author(actor.person):
        raise FourEyes(
            f"{actor.person.name} worked on proposal {proposal.id}, so someone else has to "
            "approve it.",
            {"approver": actor.person.email},
        )


def require_author(actor: Actor, proposal: Proposal) -> None:
    if not proposal.is_author(actor.person):
        raise NotAnAuthor(
            f"Only an author of proposal {proposal.id} can withdraw it.",
            {"authors": [a.email for a in proposal.authors]},
        )


def _past(action: str) -> str:
    return {
        "edit": "edited",
        "update": "updated",
        "submit": "submitted",
        "approve": "approved",
        "reject": "rejected",
        "withdraw": "withdrawn",
        "merge": "merged",
    }.get(action, action + "ed")
