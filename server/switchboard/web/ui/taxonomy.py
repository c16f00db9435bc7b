"""Inquiry types: the list, and one type's form with the "try a message" box beside it."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, Response, get, post
from litestar.params import FromPath, FromQuery

from switchboard.errors import SwitchboardError
from switchboard.proposals.errors import NotFound
from switchboard.web.ui import editing
from switchboard.web.ui.auth import require_user, user_of
from switchboard.web.ui.common import current_rules, path_of
from switchboard.web.ui.pages import render
from switchboard.web.ui.trying import TRY_CHANNELS, sample_customers


class TaxonomyController(Controller):
    path = "/ui/taxonomy"
    guards = [require_user]  # noqa: RUF012 - Litestar reads these class attributes
    include_in_schema = False

    @get("/")
    async def index(self, request: Request[Any, Any, Any]) -> Response[Any]:
        ruleset, proposal = await current_rules(request, user_of(request))
        intents = sorted(ruleset.intents.values(), key=lambda i: (not i.routine, i.title.lower()))
        return render(
            request, "taxonomy.html", section="taxonomy", intents=intents, working=proposal
        )

    @get("/{intent_id:str}")
    async def edit(
        self,
        request: Request[Any, Any, Any],
        intent_id: FromPath[str],
        mode: FromQuery[str] = "form",
    ) -> Response[Any]:
        return await editing.show(request, await _page(request, intent_id), mode)

    @post("/{intent_id:str}")
    async def save(
        self, request: Request[Any, Any, Any], intent_id: FromPath[str]
    ) -> Response[Any]:
        return await editing.save(request, await _page(request, intent_id))


async def _page(request: Request[Any, Any, Any], intent_id: str) -> editing.EditPage:
    ruleset, _ = await current_rules(request, user_of(request))
    path = path_of(ruleset, "intent", intent_id)
    intent = ruleset.intents.get(intent_id)
    if path is None or intent is None:
        raise NotFound(f"There is no inquiry type {intent_id}.", {"intent": intent_id})
    return editing.EditPage(
        path=path,
        kind="intent",
        title=intent.title,
        section="taxonomy",
        back=("/ui/taxonomy", "Inquiry types"),
        here=f"/ui/taxonomy/{intent_id}",
        template="intent_edit.html",
        extra={
            "aside": True,
            "aside_label": "Try a message",
            "intent_id": intent_id,
            "channels": TRY_CHANNELS,
            "customers": sample_customers(ruleset),
        },
    )


__all__ = ["SwitchboardError", "TaxonomyController"]
