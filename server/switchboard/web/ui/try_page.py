"""/ui/try: a page (and, for the script, a fragment) that decides one made-up message."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, Response, get, post

from switchboard.errors import NotReady
from switchboard.proposals.service import ProposalService
from switchboard.rules.model import Ruleset
from switchboard.runtime.active import ActiveRuleset
from switchboard.web.ui.auth import require_user, user_of
from switchboard.web.ui.common import blocking, call, current_rules
from switchboard.web.ui.formdata import text_of
from switchboard.web.ui.pages import render
from switchboard.web.ui.setup import ui_of
from switchboard.web.ui.trying import MAX_TEXT, TRY_CHANNELS, sample_customers, try_message
from switchboard.web.ui.working import revision_for

FRAGMENT_HEADER = "x-fragment"


class TryController(Controller):
    path = "/ui/try"
    guards = [require_user]  # noqa: RUF012 - Litestar reads these class attributes
    include_in_schema = False

    @get("/")
    async def form(self, request: Request[Any, Any, Any]) -> Response[Any]:
        ruleset, proposal = await current_rules(request, user_of(request))
        customers = sample_customers(ruleset)
        first = customers[0].id if customers else ""
        return render(
            request,
            "try.html",
            section="taxonomy",
            channels=TRY_CHANNELS,
            customers=customers,
            tried=None,
            text="",
            working=proposal,
            chosen={"channel": "email", "customer": first, "rules": "proposal"},
        )

    @post("/")
    async def run(self, request: Request[Any, Any, Any]) -> Response[Any]:
        form = await request.form()
        text = text_of(form, "text").strip()[:MAX_TEXT]
        channel = str(form.get("channel", "email"))
        customer = str(form.get("customer", ""))
        which = "live" if form.get("rules") == "live" else "proposal"
        ruleset, label = await _rules(request, which)
        tried = await blocking(lambda: try_message(ruleset, text, channel, customer, label))
        context: dict[str, Any] = {
            "tried": tried,
            "text": text,
            "channels": TRY_CHANNELS,
            "customers": sample_customers(ruleset),
            "chosen": {"channel": channel, "customer": customer, "rules": which},
        }
        if request.headers.get(FRAGMENT_HEADER):
            return render(request, "_decision.html", **context)
        return render(request, "try.html", section="taxonomy", **context)


async def _rules(request: Request[Any, Any, Any], which: str) -> tuple[Ruleset, str]:
    ui = ui_of(request.app.state)
    if which == "live":
        active: ActiveRuleset = request.app.state.active
        snapshot = active.peek()
        if snapshot is None:
            raise NotReady("No revision is live yet; try again in a moment.")
        return snapshot.ruleset, f"live revision {snapshot.revision[:10]}"
    user = user_of(request)

    def work(service: ProposalService) -> tuple[Ruleset, str]:
        sha, proposal = revision_for(service, user)
        cache = ui.settings.cache_path
        ruleset = ui.revisions.with_engine(service.ws.repo, sha, cache)
        where = f"your proposal “{proposal.title}”" if proposal else "the approved rules"
        return ruleset, f"{where} ({sha[:10]})"

    return await call(request, work)
