"""What a reviewer sees beyond the diff: the static analysis of the proposal (guarantees and
findings, new ones marked) and the impact preview (recent real inquiries replayed through the
live and the proposed revision). Both load after the page, as they take a moment."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, Response, get
from litestar.params import FromPath

from switchboard.analysis.impact import Impact, impact
from switchboard.analysis.model import Analysis
from switchboard.analysis.replay_items import ReplayItem, items_from_records, lookup_names
from switchboard.analysis.repo import analyze_repo
from switchboard.errors import NotReady
from switchboard.proposals import reading
from switchboard.proposals.service import ProposalService
from switchboard.web.ui.auth import require_user
from switchboard.web.ui.common import blocking, call
from switchboard.web.ui.pages import render
from switchboard.web.ui.setup import ui_of

REPLAYED = 300  # the newest decisions replayed for the preview


class ProposalInsight(Controller):
    path = "/ui/proposals"
    guards = [require_user]  # noqa: RUF012 - Litestar reads these class attributes
    include_in_schema = False

    @get("/{proposal_id:str}/analysis")
    async def analysis(
        self, request: Request[Any, Any, Any], proposal_id: FromPath[str]
    ) -> Response[Any]:
        def work(service: ProposalService) -> Analysis:
            proposal = service.get(proposal_id)
            head = service.ws.current_head(proposal)
            base = reading.diff_base(service.ws, proposal, head)
            return analyze_repo(service.ws.repo, head, against=base)

        report = await call(request, work)
        return _page(request, "_analysis.html", proposal_id, report=report)

    @get("/{proposal_id:str}/impact")
    async def preview(
        self, request: Request[Any, Any, Any], proposal_id: FromPath[str]
    ) -> Response[Any]:
        snapshot = request.app.state.active.peek()
        if snapshot is None:
            raise NotReady("No revision is live yet, so there is nothing to compare with.")
        ui = ui_of(request.app.state)

        def proposed(service: ProposalService) -> Any:
            head = service.ws.current_head(service.get(proposal_id))
            return ui.revisions.with_engine(service.ws.repo, head, ui.settings.cache_path)

        ruleset = await call(request, proposed)
        store = request.app.state.conversations.store

        def work() -> Impact:
            with store.reads() as reads:
                records = reads.decisions.recent(REPLAYED)
            names = lookup_names([snapshot.ruleset, ruleset])
            loaded = list(items_from_records(records, names))
            items = [x for x in loaded if isinstance(x, ReplayItem)]
            refused = len(loaded) - len(items)
            return impact(snapshot.ruleset, ruleset, items, source="store", refused=refused)

        report = await blocking(work)
        return _page(request, "_impact.html", proposal_id, report=report, limit=REPLAYED)


def _page(request: Request[Any, Any, Any], fragment: str, proposal_id: str, **context: Any) -> Any:
    if request.headers.get("x-fragment"):
        return render(request, fragment, **context)
    return render(
        request,
        "insight.html",
        section="proposals",
        fragment=fragment,
        proposal_id=proposal_id,
        **context,
    )
