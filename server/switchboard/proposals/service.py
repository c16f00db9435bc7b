"""The proposal workflow as one service: the HTTP API and the web UI both call this.

Every write takes the repository lock, reads the branch it will move, builds commits from
git objects alone, checks the result, and moves the branch with compare-and-swap. The
records in the store follow the branch, never the other way round.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from msgspec.structs import replace

from switchboard.proposals import reading
from switchboard.proposals.checks import quick_check, require_valid
from switchboard.proposals.editing import commit_edit
from switchboard.proposals.errors import InvalidArgument, InvalidState
from switchboard.proposals.forge import Forge
from switchboard.proposals.merge import merge_proposal
from switchboard.proposals.model import (
    Actor,
    Approval,
    Checks,
    Comment,
    Event,
    FileAt,
    FileDiff,
    FileEdit,
    HistoryEntry,
    Page,
    Person,
    Proposal,
    ProposalView,
    State,
    with_person,
)
from switchboard.proposals.naming import branch_name, new_id
from switchboard.proposals.refs import head_of, move
from switchboard.proposals.updating import update_from_approved
from switchboard.proposals.workflow import (
    EDITABLE,
    REVIEWABLE,
    require_author,
    require_not_author,
    require_role,
    require_state,
)
from switchboard.proposals.workspace import Workspace
from switchboard.store.proposals import DuplicateId, ProposalStore

MAX_TITLE = 200
MAX_TEXT = 20_000


class ProposalService:
    def __init__(
        self,
        repo: Path,
        store: ProposalStore,
        *,
        approved_ref: str = "main",
        forge: Forge | None = None,
        cache_dir: Path | None = None,
    ) -> None:
        self.ws = Workspace(repo, store, approved_ref, forge, cache_dir)

    # ----- reading -------------------------------------------------------------------------

    def page(self, state: str | None = None, limit: int = 50, offset: int = 0) -> Page:
        return reading.page(self.ws, state, limit, offset)

    def get(self, proposal_id: str) -> Proposal:
        return self.ws.proposal(proposal_id)

    def view(self, proposal_id: str) -> ProposalView:
        return reading.view(self.ws, self.ws.proposal(proposal_id))

    def diff(self, proposal_id: str) -> list[FileDiff]:
        return reading.diff(self.ws, self.ws.proposal(proposal_id))

    def checks(self, proposal_id: str) -> Checks:
        proposal = self.ws.proposal(proposal_id)
        return reading.checks(self.ws, self.ws.current_head(proposal))

    def file(self, path: str, proposal_id: str | None = None) -> FileAt:
        proposal = self.ws.proposal(proposal_id) if proposal_id else None
        return reading.file_at(self.ws, path, proposal)

    def history(self, path: str, limit: int = 50, offset: int = 0) -> list[HistoryEntry]:
        return reading.history(self.ws, path, limit, offset)

    # ----- writing -------------------------------------------------------------------------

    def create(self, actor: Actor, title: str, description: str = "") -> Proposal:
        """A new draft on its own branch, starting at the approved branch's commit."""
        require_role(actor, "create")
        title, description = _text(title, "title", MAX_TITLE), description.strip()
        if "\n" in title or "\r" in title:
            raise InvalidArgument("The title must be one line.", {"field": "title"})
        if len(description) > MAX_TEXT:
            raise InvalidArgument(f"The description is longer than {MAX_TEXT} characters.")
        ws = self.ws
        with ws.locked():
            base, now = ws.approved_head(), ws.now()
            while True:
                proposal_id = new_id()
                branch = branch_name(proposal_id, title)
                if ws.store.get(proposal_id) is None and head_of(ws.git, branch) is None:
                    break
            proposal = Proposal(
                id=proposal_id,
                title=title,
                description=description,
                state="draft",
                branch=branch,
                base=base,
                head=base,
                created_by=actor.person,
                created_at=now,
                updated_at=now,
                authors=[actor.person],
            )
            if ws.forge:
                ws.forge.push(ws.git, base, branch)
            move(ws.git, branch, base, None, f"proposal {proposal_id}: created")
            try:
                ws.store.create(proposal, Event("created", actor.person, now, base))
            except DuplicateId:  # another process took the id between the check and now
                raise InvalidState("Please try again: the proposal id was taken.") from None
        return proposal

    def edit(
        self, actor: Actor, proposal_id: str, message: str, files: Sequence[FileEdit]
    ) -> Proposal:
        """One commit by `actor` changing `files` (see `editing`)."""
        require_role(actor, "edit")
        return commit_edit(self.ws, actor, proposal_id, message, files)

    def update(
        self, actor: Actor, proposal_id: str, resolutions: Sequence[FileEdit] = ()
    ) -> Proposal:
        """Merge the approved branch into the proposal (see `updating`)."""
        require_role(actor, "update")
        return update_from_approved(self.ws, actor, proposal_id, resolutions)

    def submit(self, actor: Actor, proposal_id: str) -> Proposal:
        """Ask for review; the proposal must change something and load without errors."""
        require_role(actor, "submit")
        ws = self.ws
        with ws.locked():
            proposal = ws.proposal(proposal_id)
            require_state(proposal, {"draft"}, "submit")
            head = ws.branch_head(proposal)
            if not reading.diff(ws, proposal):
                raise InvalidState(
                    f"Proposal {proposal.id} changes nothing yet; edit it before submitting.",
                    {"state": proposal.state},
                )
            require_valid(quick_check(ws.repo, head))
            return self._transition(proposal, actor, "in_review", "submitted", head)

    def approve(self, actor: Actor, proposal_id: str) -> Proposal:
        """Record `actor`'s approval of the current head (four eyes: not by an author)."""
        require_role(actor, "approve")
        ws = self.ws
        with ws.locked():
            proposal = ws.proposal(proposal_id)
            require_state(proposal, REVIEWABLE, "approve")
            head = ws.branch_head(proposal)
            require_not_author(actor, _with_committers(ws, proposal, head))
            now = ws.now()
            kept = [
                a
                for a in proposal.approvals
                if a.revision == head and a.approver.key != actor.person.key
            ]
            updated = replace(
                proposal,
                state="approved",
                head=head,
                approvals=[*kept, Approval(actor.person, head, now)],
                updated_at=now,
            )
            ws.store.save(updated, Event("approved", actor.person, now, head))
        return updated

    def reject(self, actor: Actor, proposal_id: str, reason: str | None = None) -> Proposal:
        require_role(actor, "reject")
        with self.ws.locked():
            proposal = self.ws.proposal(proposal_id)
            require_state(proposal, REVIEWABLE, "reject")
            return self._transition(proposal, actor, "rejected", "rejected", None, reason)

    def withdraw(self, actor: Actor, proposal_id: str, reason: str | None = None) -> Proposal:
        with self.ws.locked():
            proposal = self.ws.proposal(proposal_id)
            require_state(proposal, EDITABLE, "withdraw")
            require_author(actor, proposal)
            return self._transition(proposal, actor, "withdrawn", "withdrawn", None, reason)

    def comment(self, actor: Actor, proposal_id: str, text: str) -> Comment:
        require_role(actor, "comment")
        proposal = self.ws.proposal(proposal_id)
        return self.ws.store.add_comment(
            proposal.id, actor.person, _text(text, "comment", MAX_TEXT), self.ws.now()
        )

    def merge(self, actor: Actor, proposal_id: str) -> Proposal:
        """Merge an approved proposal into the approved branch (see `merge.merge_proposal`)."""
        require_role(actor, "merge")
        return merge_proposal(self.ws, actor, proposal_id)

    def _transition(
        self,
        proposal: Proposal,
        actor: Actor,
        state: State,
        kind: str,
        revision: str | None,
        note: str | None = None,
    ) -> Proposal:
        now = self.ws.now()
        updated = replace(proposal, state=state, updated_at=now)
        note = (note or "").strip()[:MAX_TEXT] or None
        self.ws.store.save(updated, Event(kind, actor.person, now, revision, note))
        return updated


def _text(value: str, what: str, limit: int) -> str:
    value = value.strip()
    if not value:
        raise InvalidArgument(f"The {what} must not be empty.", {"field": what})
    if len(value) > limit:
        raise InvalidArgument(f"The {what} is longer than {limit} characters.", {"field": what})
    return value


def _with_committers(ws: Workspace, proposal: Proposal, head: str) -> Proposal:
    """The proposal with every author of its commits counted, even commits made elsewhere."""
    approved = head_of(ws.git, ws.approved_ref)
    exclude = ["--not", approved] if approved else []
    out = ws.git.text("log", "--format=%an%x1f%ae", head, f"^{proposal.base}", *exclude)
    people = proposal.authors
    for line in out.splitlines():
        name, _, email = line.partition("\x1f")
        people = with_person(people, Person(name, email))
    return replace(proposal, authors=people)
