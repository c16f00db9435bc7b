"""`/v1/reviews`: which rules files are due for review, and marking one reviewed.

`GET /v1/reviews?due_within=14d` lists the files of the live revision due by then (without
`due_within`: every file). `POST /v1/reviews/<path>/mark-reviewed` opens a proposal that sets
the file's `last_reviewed` to today and records the change note; it is approved like any
change. `reminders_lifespan` runs the reminder jobs and follows the live revision.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import logging
from collections.abc import AsyncIterator
from pathlib import PurePosixPath
from typing import Annotated, Any

import anyio.to_thread
import msgspec
from litestar import Controller, Litestar, Request, get, post
from litestar.params import FromPath, JSONBody, QueryParameter

from switchboard.errors import error_responses
from switchboard.proposals.errors import InvalidArgument, NotFound
from switchboard.proposals.model import Proposal
from switchboard.reminders.due import ReviewItem, as_dict, due_by, local_today
from switchboard.reminders.marking import mark_reviewed
from switchboard.reminders.periods import add_period, parse_within
from switchboard.reminders.plan import Plan, plan_for
from switchboard.reminders.service import ReminderService
from switchboard.reminders.wiring import open_reminders
from switchboard.runtime.active import ActiveRuleset
from switchboard.web.auth import require_api_key, require_ready, snapshot_of
from switchboard.web.proposals import actor_of, service_of

log = logging.getLogger("switchboard.reminders")
READ, WRITE = {"scope": "proposals:read"}, {"scope": "proposals:write"}
SUFFIX = "/mark-reviewed"
FOLLOW_EVERY_S = 1.0


class ReviewTrigger(msgspec.Struct):
    snippet: str
    changed_on: dt.date
    commit: str


class ReviewEntry(msgspec.Struct):
    path: str
    kind: str
    id: str
    owner: str
    reviewers: list[str]
    due: dt.date
    state: str  # ok | due_soon | overdue
    days_left: int
    cause: str  # interval | review_by | trigger
    reason: str
    last_reviewed: dt.date
    review_every: str
    triggers: list[ReviewTrigger]


class ReviewList(msgspec.Struct):
    revision: str
    today: dt.date
    due_by: dt.date | None
    items: list[ReviewEntry]


class MarkReviewed(msgspec.Struct, forbid_unknown_fields=True):
    note: str


class ReviewController(Controller):
    path = "/v1/reviews"
    tags = ["reviews"]  # noqa: RUF012 - Litestar reads these class attributes
    guards = [require_api_key, require_ready]  # noqa: RUF012
    security = [{"apiKey": []}, {"bearer": []}]  # noqa: RUF012

    @get(
        "/",
        opt=READ,
        summary="Rules files due for review",
        responses=error_responses(401, 403, 422, 503),
    )
    async def list_reviews(
        self,
        request: Request[Any, Any, Any],
        due_within: Annotated[str | None, QueryParameter(max_length=8)] = None,
    ) -> ReviewList:
        """Due dates, states and reasons; `due_within` (14d, 2w, 1m) keeps those due by then,
        overdue ones included, and counts them as `due_soon`."""
        try:
            within = parse_within(due_within) if due_within is not None else None
        except ValueError as exc:
            raise InvalidArgument(str(exc), {"field": "due_within"}) from None
        plan = await _plan(request)
        today = local_today(_service(request).now(), plan.tz)
        until = add_period(today, within) if within else None
        window = (until - today).days if until else _service(request).config.due_soon_days
        items = plan.items(today, window)
        shown = due_by(items, until) if until else items
        return ReviewList(plan.revision, today, until, [_entry(item) for item in shown])

    @post(
        "/{path:path}",
        opt=WRITE,
        status_code=201,
        summary="Mark a rules file reviewed (`/v1/reviews/<path>/mark-reviewed`)",
        responses=error_responses(400, 401, 403, 404, 409, 422, 503),
    )
    async def mark(
        self,
        request: Request[Any, Any, Any],
        path: FromPath[PurePosixPath],
        data: JSONBody[MarkReviewed],
    ) -> Proposal:
        """Opens and submits a proposal setting `last_reviewed` to today (in the repository's
        time zone) and `change_note` to the note; the rest of the file is left as it is."""
        target = str(path).lstrip("/")
        if not target.endswith(SUFFIX):
            raise NotFound(f"There is no review action at {target}.", {"path": target})
        file_path = target.removesuffix(SUFFIX)
        plan = await _plan(request)
        if file_path not in {info.path for info in plan.files}:
            message = f"There is no rules file {file_path} in revision {plan.revision[:12]}."
            raise NotFound(message, {"path": file_path})
        actor = actor_of(request)
        today = local_today(_service(request).now(), plan.tz)
        return await anyio.to_thread.run_sync(
            lambda: mark_reviewed(service_of(request), actor, file_path, data.note, today)
        )


@contextlib.asynccontextmanager
async def reminders_lifespan(app: Litestar) -> AsyncIterator[None]:
    """Run the reminder jobs while the app runs; follow every revision that goes live."""
    service = await anyio.to_thread.run_sync(open_reminders, app.state.settings)
    app.state.reminders = service
    if service.runner.notifiers:
        await anyio.to_thread.run_sync(service.start)
    follower = asyncio.create_task(_follow(app.state.active, service))
    try:
        yield
    finally:
        follower.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await follower
        await anyio.to_thread.run_sync(service.stop)
        service.store.close()


async def _follow(active: ActiveRuleset, service: ReminderService) -> None:
    seen = ""
    while True:
        snapshot = active.peek()
        if snapshot is not None and snapshot.revision != seen:
            seen = snapshot.revision
            try:
                await anyio.to_thread.run_sync(service.reschedule, snapshot.ruleset)
            except Exception:  # the reminders must never take the server down
                log.exception("review reminders could not follow revision %s", seen)
        await asyncio.sleep(FOLLOW_EVERY_S)


def _service(request: Request[Any, Any, Any]) -> ReminderService:
    service: ReminderService = request.app.state.reminders
    return service


async def _plan(request: Request[Any, Any, Any]) -> Plan:
    """The plan of this request's revision (the service's, unless it has not caught up)."""
    snapshot = snapshot_of(request)
    plan = _service(request).plan
    if plan is not None and plan.revision == snapshot.revision:
        return plan
    repo = request.app.state.settings.rules_path
    return await anyio.to_thread.run_sync(plan_for, snapshot.ruleset, repo)


def _entry(item: ReviewItem) -> ReviewEntry:
    return msgspec.convert(as_dict(item), ReviewEntry)
