"""`/v1/proposals`: change the rules through reviewed proposals; `/v1/rules/files/...`.

Thin: every route checks the key's scope (guard), turns the key's user and roles into the
acting person, and calls the proposal service in a worker thread (git runs as processes).
The web UI calls the same service with its session user.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import PurePosixPath
from typing import Annotated, Any, TypeVar

import anyio.to_thread
import msgspec
from litestar import Controller, Request, get, post
from litestar.connection import ASGIConnection
from litestar.params import FromPath, JSONBody, QueryParameter

from switchboard.analysis.impact import Impact
from switchboard.errors import error_responses
from switchboard.proposals.errors import NoIdentity
from switchboard.proposals.impact import DEFAULT_LAST, MAX_LAST, impact_of, recent_decisions
from switchboard.proposals.model import (
    Actor,
    Comment,
    FileAt,
    FileEdit,
    HistoryEntry,
    Page,
    Person,
    Proposal,
    ProposalView,
    State,
)
from switchboard.proposals.service import ProposalService
from switchboard.proposals.wiring import open_service
from switchboard.web.auth import api_key_of, require_api_key

T = TypeVar("T")
READ, WRITE = {"scope": "proposals:read"}, {"scope": "proposals:write"}
READ_ERRORS = error_responses(401, 403, 404, 422, 503)
WRITE_ERRORS = error_responses(400, 401, 403, 404, 409, 413, 422, 502, 503)
MAX_EDIT_BYTES = 4 * 1024 * 1024  # an edit may carry several rules files of up to 256 KiB
_opening = threading.Lock()


class NewProposal(msgspec.Struct, forbid_unknown_fields=True):
    title: str
    description: str = ""


class NewEdit(msgspec.Struct, forbid_unknown_fields=True):
    """`files[].base` is the blob id the editor saw (null for a new file); `content` null
    deletes the file."""

    message: str
    files: list[FileEdit]


class Update(msgspec.Struct, forbid_unknown_fields=True):
    """The final text of each file both the proposal and the approved branch changed."""

    resolutions: list[FileEdit] = msgspec.field(default_factory=list)


class NewComment(msgspec.Struct, forbid_unknown_fields=True):
    text: str


class Reason(msgspec.Struct, forbid_unknown_fields=True):
    reason: str | None = None


class ProposalController(Controller):
    path = "/v1/proposals"
    tags = ["proposals"]  # noqa: RUF012 - Litestar reads these class attributes
    guards = [require_api_key]  # noqa: RUF012
    security = [{"apiKey": []}, {"bearer": []}]  # noqa: RUF012

    @get("/", opt=READ, summary="List proposals", responses=READ_ERRORS)
    async def list_proposals(
        self,
        request: Request[Any, Any, Any],
        wanted: Annotated[State | None, QueryParameter(name="state")] = None,
        limit: Annotated[int, QueryParameter(ge=1, le=200)] = 50,
        offset: Annotated[int, QueryParameter(ge=0, le=2**31)] = 0,  # SQLite stops at 64 bits
    ) -> Page:
        """Newest first, optionally only those in one state."""
        return await _call(request, lambda s: s.page(wanted, limit, offset))

    @post("/", opt=WRITE, summary="Start a proposal", responses=WRITE_ERRORS)
    async def create(
        self, request: Request[Any, Any, Any], data: JSONBody[NewProposal]
    ) -> Proposal:
        """A draft on its own branch, starting from the approved rules."""
        actor = actor_of(request)
        return await _call(request, lambda s: s.create(actor, data.title, data.description))

    @get("/{proposal_id:str}", opt=READ, summary="A proposal", responses=READ_ERRORS)
    async def show(
        self, request: Request[Any, Any, Any], proposal_id: FromPath[str]
    ) -> ProposalView:
        """The proposal with its diff, the problems and test results of its head, comments
        and events."""
        return await _call(request, lambda s: s.view(proposal_id))

    @get(
        "/{proposal_id:str}/impact",
        opt=READ,
        summary="What the proposal would change in recent decisions",
        responses=READ_ERRORS,
    )
    async def impact(
        self,
        request: Request[Any, Any, Any],
        proposal_id: FromPath[str],
        last: Annotated[int, QueryParameter(ge=1, le=MAX_LAST)] = DEFAULT_LAST,
    ) -> Impact:
        """Replays the `last` newest stored decisions through the approved revision and the
        proposal's head (same engine, the recorded data, no live lookups): changes grouped
        from -> to with examples; `danger` marks a person's inquiry that would be answered
        automatically."""
        store = request.app.state.conversations.store
        return await _call(
            request,
            lambda s: impact_of(s.ws, s.get(proposal_id), recent_decisions(store, last)),
        )

    @get(
        "/{proposal_id:str}/files/{path:path}",
        opt=READ,
        summary="A file as the proposal has it",
        responses=READ_ERRORS,
    )
    async def file(
        self,
        request: Request[Any, Any, Any],
        proposal_id: FromPath[str],
        path: FromPath[PurePosixPath],
    ) -> FileAt:
        """The content and blob id to send back as `base` when editing the file."""
        return await _call(request, lambda s: s.file(str(path).lstrip("/"), proposal_id))

    @post(
        "/{proposal_id:str}/edits",
        opt=WRITE,
        summary="Commit an edit",
        responses=WRITE_ERRORS,
        request_max_body_size=MAX_EDIT_BYTES,
    )
    async def edit(
        self, request: Request[Any, Any, Any], proposal_id: FromPath[str], data: JSONBody[NewEdit]
    ) -> Proposal:
        """One commit changing, adding or deleting files; 409 `stale_edit` if a file changed
        since its base, 422 `invalid_revision` (with the problems) if the rules would break."""
        actor = actor_of(request)
        return await _call(request, lambda s: s.edit(actor, proposal_id, data.message, data.files))

    @post(
        "/{proposal_id:str}/update",
        opt=WRITE,
        status_code=200,
        summary="Take in the approved branch's changes",
        responses=WRITE_ERRORS,
        request_max_body_size=MAX_EDIT_BYTES,
    )
    async def update(
        self,
        request: Request[Any, Any, Any],
        proposal_id: FromPath[str],
        data: JSONBody[Update | None] = None,
    ) -> Proposal:
        """Merge the approved branch into the proposal; 409 `merge_conflict` lists the files
        that need a resolution (their final text, with the proposal's blob as `base`)."""
        actor, resolutions = actor_of(request), data.resolutions if data else []
        return await _call(request, lambda s: s.update(actor, proposal_id, resolutions))

    @post("/{proposal_id:str}/submit", opt=WRITE, status_code=200, responses=WRITE_ERRORS)
    async def submit(self, request: Request[Any, Any, Any], proposal_id: FromPath[str]) -> Proposal:
        """Ask for review (draft -> in_review)."""
        actor = actor_of(request)
        return await _call(request, lambda s: s.submit(actor, proposal_id))

    @post("/{proposal_id:str}/approve", opt=WRITE, status_code=200, responses=WRITE_ERRORS)
    async def approve(
        self, request: Request[Any, Any, Any], proposal_id: FromPath[str]
    ) -> Proposal:
        """Approve the current head; 403 `four_eyes` for an author of the proposal."""
        actor = actor_of(request)
        return await _call(request, lambda s: s.approve(actor, proposal_id))

    @post("/{proposal_id:str}/reject", opt=WRITE, status_code=200, responses=WRITE_ERRORS)
    async def reject(
        self,
        request: Request[Any, Any, Any],
        proposal_id: FromPath[str],
        data: JSONBody[Reason | None] = None,
    ) -> Proposal:
        actor, reason = actor_of(request), data.reason if data else None
        return await _call(request, lambda s: s.reject(actor, proposal_id, reason))

    @post("/{proposal_id:str}/withdraw", opt=WRITE, status_code=200, responses=WRITE_ERRORS)
    async def withdraw(
        self,
        request: Request[Any, Any, Any],
        proposal_id: FromPath[str],
        data: JSONBody[Reason | None] = None,
    ) -> Proposal:
        """Only an author can withdraw a proposal."""
        actor, reason = actor_of(request), data.reason if data else None
        return await _call(request, lambda s: s.withdraw(actor, proposal_id, reason))

    @post("/{proposal_id:str}/comments", opt=WRITE, responses=WRITE_ERRORS)
    async def comment(
        self,
        request: Request[Any, Any, Any],
        proposal_id: FromPath[str],
        data: JSONBody[NewComment],
    ) -> Comment:
        actor = actor_of(request)
        return await _call(request, lambda s: s.comment(actor, proposal_id, data.text))

    @post("/{proposal_id:str}/merge", opt=WRITE, status_code=200, responses=WRITE_ERRORS)
    async def merge(self, request: Request[Any, Any, Any], proposal_id: FromPath[str]) -> Proposal:
        """Merge into the approved branch once approved, valid and every repository test
        passes; 409 `merge_conflict` names the conflicting files."""
        actor = actor_of(request)
        return await _call(request, lambda s: s.merge(actor, proposal_id))


@get(
    "/v1/rules/files/{path:path}",
    opt=READ,
    tags=["proposals"],
    summary="A rules file on the approved branch, or its history (`.../history`)",
    guards=[require_api_key],
    responses=READ_ERRORS,
    security=[{"apiKey": []}, {"bearer": []}],
)
async def rules_file(
    request: Request[Any, Any, Any],
    path: FromPath[PurePosixPath],
    limit: Annotated[int, QueryParameter(ge=1, le=200)] = 50,
    offset: Annotated[int, QueryParameter(ge=0, le=2**31)] = 0,
) -> FileAt | list[HistoryEntry]:
    """`GET /v1/rules/files/<path>` answers the file as approved; `.../<path>/history` the
    commits that changed it, with who approved each."""
    text = str(path).lstrip("/")
    if text.endswith("/history"):
        file_path = text.removesuffix("/history")
        return await _call(request, lambda s: s.history(file_path, limit, offset))
    return await _call(request, lambda s: s.file(text))


def actor_of(connection: ASGIConnection[Any, Any, Any, Any]) -> Actor:
    """The person behind the API key; changing anything needs one."""
    key = api_key_of(connection)
    if key is None or key.user is None:
        raise NoIdentity(
            "This API key has no user (name and e-mail), which changing a proposal needs.",
            {"key": key.name if key else None},
        )
    return Actor(Person(*key.user), key.roles)


def service_of(connection: ASGIConnection[Any, Any, Any, Any]) -> ProposalService:
    """The app's proposal service, opened on first use (blocking: call it in a thread)."""
    state = connection.app.state
    with _opening:
        service = state.get("proposals")
        if not isinstance(service, ProposalService):
            service = open_service(state.settings)
            state.proposals = service
    return service


async def _call(request: Request[Any, Any, Any], work: Callable[[ProposalService], T]) -> T:
    return await anyio.to_thread.run_sync(lambda: work(service_of(request)))
