"""Reviews due: every rules file with its due date, and "mark reviewed", which opens a
proposal setting `last_reviewed` to today (reviewed and merged like any change); and the
history of any file: who changed what, when, and who approved it."""

from __future__ import annotations

from pathlib import PurePosixPath
from typing import Any

from litestar import Controller, Request, Response, get, post
from litestar.params import FromPath, FromQuery

from switchboard.proposals.errors import NotFound
from switchboard.reminders.marking import mark_reviewed
from switchboard.web.ui.auth import need_role, require_user, user_of
from switchboard.web.ui.common import call
from switchboard.web.ui.formdata import text_of
from switchboard.web.ui.pages import redirect, render


class ReviewPages(Controller):
    path = "/ui/reviews"
    guards = [require_user]  # noqa: RUF012 - Litestar reads these class attributes
    include_in_schema = False

    @get("/")
    async def index(
        self, request: Request[Any, Any, Any], show: FromQuery[str] = "due"
    ) -> Response[Any]:
        reminders = request.app.state.get("reminders")
        items = reminders.items() if reminders else []
        shown = items if show == "all" else [i for i in items if i.state != "ok"]
        return render(
            request,
            "reviews.html",
            section="reviews",
            items=shown,
            show=show,
            total=len(items),
            today=reminders.today() if reminders else None,
        )

    @post("/mark")
    async def mark(self, request: Request[Any, Any, Any]) -> Response[Any]:
        user = user_of(request)
        need_role(user, "editor", "mark a file reviewed")
        form = await request.form()
        path, note = text_of(form, "path").strip(), text_of(form, "note")
        reminders = request.app.state.get("reminders")
        if reminders is None or path not in {i.path for i in reminders.items()}:
            raise NotFound(f"There is no rules file {path} in the live revision.", {"path": path})
        today = reminders.today()
        proposal = await call(request, lambda s: mark_reviewed(s, user.actor, path, note, today))
        return redirect(
            request,
            f"/ui/proposals/{proposal.id}",
            f"{path} marked reviewed on {today.isoformat()}; the proposal waits for review.",
        )


@get("/ui/history/{path:path}", guards=[require_user], include_in_schema=False)
async def history(request: Request[Any, Any, Any], path: FromPath[PurePosixPath]) -> Response[Any]:
    file_path = str(path).lstrip("/")
    entries = await call(request, lambda s: s.history(file_path, 100, 0))
    if not entries:
        raise NotFound(f"{file_path} has no history on the approved branch.", {"path": file_path})
    return render(request, "history.html", section="", path=file_path, entries=entries)
