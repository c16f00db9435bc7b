"""The proposal a user's saves go into, and saving one file as a commit on it.

A user's open proposal is the newest draft they started. The first save without one starts
it ("Erika's changes"). Every save names the blob the form was made from: if the file changed
since (another tab, another editor, a merge), the service refuses the edit as stale and
nothing is overwritten.
"""

from __future__ import annotations

from dataclasses import dataclass

from switchboard.proposals.errors import InvalidEdit, InvalidRevision, StaleEdit
from switchboard.proposals.model import FileAt, FileEdit, Proposal
from switchboard.proposals.service import ProposalService
from switchboard.users.model import User

PAGE = 200


def open_proposal(service: ProposalService, user: User) -> Proposal | None:
    """The newest draft `user` started, if any."""
    drafts = service.page("draft", PAGE, 0).items
    mine = [p for p in drafts if p.created_by.key == user.person.key]
    return max(mine, key=lambda p: p.created_at) if mine else None


@dataclass(frozen=True, slots=True)
class Opened:
    """A file as the user should edit it: in their open proposal, else as approved."""

    file: FileAt
    proposal: Proposal | None

    @property
    def revision(self) -> str:
        return self.file.revision


def read_for(service: ProposalService, user: User | None, path: str) -> Opened:
    proposal = open_proposal(service, user) if user else None
    return Opened(service.file(path, proposal.id if proposal else None), proposal)


def revision_for(service: ProposalService, user: User | None) -> tuple[str, Proposal | None]:
    """The commit pages show the user: their open proposal's head, else the approved one."""
    proposal = open_proposal(service, user) if user else None
    if proposal is not None:
        return service.ws.current_head(proposal), proposal
    return service.ws.approved_head(), None


@dataclass(frozen=True, slots=True)
class SaveProblem:
    """Why a save did not happen, for the page to show next to the user's input."""

    kind: str  # conflict | invalid | unchanged
    message: str
    details: tuple[str, ...] = ()


def save_file(
    service: ProposalService,
    user: User,
    path: str,
    content: str,
    base: str | None,
    message: str,
) -> Proposal | SaveProblem:
    """Commit `content` as `path` on the user's open proposal (started if need be)."""
    if not content.endswith("\n"):
        content += "\n"
    proposal = open_proposal(service, user)
    started = proposal is None
    if proposal is None:
        proposal = service.create(user.actor, f"{user.first_name}'s changes")
    edit = FileEdit(path=path, content=content, base=base)
    try:
        return service.edit(user.actor, proposal.id, message, [edit])
    except (StaleEdit, InvalidRevision, InvalidEdit) as exc:
        if started:  # leave no empty draft behind
            service.withdraw(user.actor, proposal.id, "The first change could not be saved.")
        return problem_of(exc)


def problem_of(exc: StaleEdit | InvalidRevision | InvalidEdit) -> SaveProblem:
    if isinstance(exc, StaleEdit):
        return SaveProblem(
            "conflict",
            "This file was changed by someone else (or in another tab) after you opened it, so "
            "your change was not saved and nothing was overwritten. Your input is still below: "
            "open the file again to see the current version, then make your change there.",
        )
    if isinstance(exc, InvalidRevision):
        problems = exc.details.get("problems", [])
        lines = tuple(
            f"{p.get('file')}:{p.get('line')}: {p.get('message')}"
            if isinstance(p, dict)
            else str(p)
            for p in problems
        )
        return SaveProblem("invalid", "The change was not saved: " + exc.message, lines)
    return SaveProblem("unchanged", exc.message)
