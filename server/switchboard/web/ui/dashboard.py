"""/ui/: what is live, how it went live, how inquiries are decided, what needs attention."""

from __future__ import annotations

import datetime as dt
from typing import Any

from litestar import Request, Response, get

from switchboard.proposals.service import ProposalService
from switchboard.web.ui.auth import require_user, user_of
from switchboard.web.ui.charts import outcome_bars, rate_line
from switchboard.web.ui.common import blocking, call
from switchboard.web.ui.pages import render
from switchboard.web.ui.stats import DAYS, LIMIT, Stats, compute
from switchboard.web.ui.working import open_proposal

DUE_SHOWN = 6


@get("/ui/", guards=[require_user], include_in_schema=False)
async def dashboard(request: Request[Any, Any, Any]) -> Response[Any]:
    state = request.app.state
    user = user_of(request)
    stats = await blocking(lambda: _stats(state))
    reloader = state.get("reloader")
    reminders = state.get("reminders")
    due = [item for item in (reminders.items() if reminders else []) if item.state != "ok"]

    def work(service: ProposalService) -> dict[str, Any]:
        return {
            "in_review": service.page("in_review", 1, 0).total,
            "approved": service.page("approved", 1, 0).total,
            "working": open_proposal(service, user),
        }

    try:
        proposals = await call(request, work)
    except Exception:  # a plain folder or a broken repository: the dashboard still shows
        proposals = {"in_review": None, "approved": None, "working": None}
    return render(
        request,
        "dashboard.html",
        section="dashboard",
        snapshot=state.active.peek(),
        failure=state.active.last_failure,
        reload=reloader.status() if reloader else None,
        stats=stats,
        bars=outcome_bars(stats.days),
        rate=rate_line(stats.days),
        due=due[:DUE_SHOWN],
        due_count=len(due),
        proposals=proposals,
        working=proposals["working"],
        days=DAYS,
        limit=LIMIT,
    )


def _stats(state: Any) -> Stats:
    today = dt.datetime.now(dt.UTC).date()
    store = getattr(state.get("conversations"), "store", None)
    if store is None:
        return compute([], today)
    with store.reads() as reads:
        return compute(reads.decisions.recent(LIMIT), today)
