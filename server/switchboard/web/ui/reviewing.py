"""Proposals: the list, one proposal with its diff, checks, comments and history, and the
workflow buttons. A button shows only to those who may use it; the service refuses anyone
else all the same (a hand-made POST gets the service's 403)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any

from litestar import Controller, Request, Response, get, post
from litestar.params import FromPath, QueryParameter

from switchboard.proposals.model import STATES, FileDiff, Proposal
from switchboard.proposals.service import ProposalService
from switchboard.proposals.workflow import EDITABLE, REVIEWABLE
from switchboard.users.model import User
from switchboard.web.ui.auth import require_user, user_of
from switchboard.web.ui.common import call
from switchboard.web.ui.formdata import text_of
from switchboard.web.ui.pages import redirect, render

ACTIONS = ("submit", "approve", "reject", "withdraw", "merge")


@dataclass(frozen=True, slots=True)
class DiffLine:
    kind: str  # add | del | hunk | ctx
    text: str


def diff_lines(diff: FileDiff) -> list[DiffLine]:
    lines = []
    for line in diff.diff.splitlines():
        if line.startswith(("diff --git", "index ", "--- ", "+++ ", "new file", "deleted file")):
            continue
        kind = {"+": "add", "-": "del", "@": "hunk"}.get(line[:1], "ctx")
        lines.append(DiffLine(kind, line))
    return lines


def allowed(user: User, proposal: Proposal) -> set[str]:
    """The buttons to show: what the workflow would let `user` do now."""
    author = proposal.is_author(user.person)
    can: set[str] = set()
    if proposal.state == "draft" and user.has("editor"):
        can.add("submit")
    if proposal.state in EDITABLE and author:
        can.add("withdraw")
    if proposal.state in REVIEWABLE and user.has("reviewer"):
        can.add("reject")
        approvers = {a.approver.key for a in proposal.approvals}
        if not author and user.person.key not in approvers:
            can.add("approve")
    if proposal.state == "approved" and user.has("reviewer"):
        can.add("merge")
    return can


class ProposalPages(Controller):
    path = "/ui/proposals"
    guards = [require_user]  # noqa: RUF012 - Litestar reads these class attributes
    include_in_schema = False

    @get("/")
    async def index(
        self,
        request: Request[Any, Any, Any],
        wanted_state: Annotated[str, QueryParameter(name="state")] = "",
    ) -> Response[Any]:
        wanted = wanted_state if wanted_state in STATES else None
        page = await call(request, lambda s: s.page(wanted, 100, 0))
        return render(
            request,
            "proposals.html",
            section="proposals",
            page=page,
            state=wanted or "",
            states=STATES,
        )

    @get("/{proposal_id:str}")
    async def show(
        self, request: Request[Any, Any, Any], proposal_id: FromPath[str]
    ) -> Response[Any]:
        user = user_of(request)

        def work(service: ProposalService) -> dict[str, Any]:
            proposal = service.get(proposal_id)
            return {
                "proposal": proposal,
                "diff": [(d, diff_lines(d)) for d in service.diff(proposal_id)],
                "comments": service.ws.store.comments(proposal.id),
                "events": service.ws.store.events(proposal.id),
            }

        found = await call(request, work)
        proposal = found["proposal"]
        return render(
            request,
            "proposal.html",
            section="proposals",
            proposal=proposal,
            diff=found["diff"],
            comments=found["comments"],
            events=found["events"],
            can=allowed(user, proposal),
            is_author=proposal.is_author(user.person),
        )

    @get("/{proposal_id:str}/checks")
    async def checks(
        self, request: Request[Any, Any, Any], proposal_id: FromPath[str]
    ) -> Response[Any]:
        checks = await call(request, lambda s: s.checks(proposal_id))
        fragment = bool(request.headers.get("x-fragment"))
        return render(
            request,
            "_checks.html" if fragment else "checks.html",
            section="proposals",
            checks=checks,
            proposal_id=proposal_id,
        )

    @post("/{proposal_id:str}/comment")
    async def comment(
        self, request: Request[Any, Any, Any], proposal_id: FromPath[str]
    ) -> Response[Any]:
        user = user_of(request)
        form = await request.form()
        text = text_of(form, "text")
        await call(request, lambda s: s.comment(user.actor, proposal_id, text))
        return redirect(request, f"/ui/proposals/{proposal_id}#comments", "Comment added.")

    @post("/{proposal_id:str}/{action:str}")
    async def act(
        self, request: Request[Any, Any, Any], proposal_id: FromPath[str], action: FromPath[str]
    ) -> Response[Any]:
        user = user_of(request)
        form = await request.form()
        reason = text_of(form, "reason").strip() or None
        actor = user.actor

        def work(service: ProposalService) -> Proposal:
            if action == "submit":
                return service.submit(actor, proposal_id)
            if action == "approve":
                return service.approve(actor, proposal_id)
            if action == "reject":
                return service.reject(actor, proposal_id, reason)
            if action == "withdraw":
                return service.withdraw(actor, proposal_id, reason)
            if action == "merge":
                return service.merge(actor, proposal_id)
            from switchboard.proposals.errors import NotFound

            raise NotFound(f"There is no proposal action {action}.", {"action": action})

        done = await call(request, work)
        messages = {
            "submit": "Submitted for review.",
            "approve": "Approved. A reviewer can merge it now.",
            "reject": "Rejected.",
            "withdraw": "Withdrawn.",
            "merge": "Merged: the server builds the new revision and switches to it when its "
            "checks pass (see the dashboard).",
        }
        return redirect(request, f"/ui/proposals/{done.id}", messages.get(action, "Done."))
