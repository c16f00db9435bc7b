"""Teams (queues/): the list, and each team's form."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, Response, get, post
from litestar.params import FromPath, FromQuery

from switchboard.proposals.errors import NotFound
from switchboard.web.ui import editing
from switchboard.web.ui.auth import require_user, user_of
from switchboard.web.ui.common import current_rules, path_of
from switchboard.web.ui.pages import render


class QueuePages(Controller):
    path = "/ui/queues"
    guards = [require_user]  # noqa: RUF012 - Litestar reads these class attributes
    include_in_schema = False

    @get("/")
    async def index(self, request: Request[Any, Any, Any]) -> Response[Any]:
        ruleset, proposal = await current_rules(request, user_of(request))
        queues = sorted(ruleset.queues.values(), key=lambda q: q.name.lower())
        intents: dict[str, list[str]] = {}
        for intent in ruleset.intents.values():
            intents.setdefault(intent.queue, []).append(intent.id)
        rules: dict[str, list[str]] = {}
        for rule in ruleset.rules:
            if rule.queue:
                rules.setdefault(rule.queue, []).append(rule.id)
        return render(
            request,
            "queues.html",
            section="queues",
            queues=queues,
            intents=intents,
            rules=rules,
            default_queue=ruleset.settings.default_queue,
            working=proposal,
        )

    @get("/{queue_id:str}")
    async def edit(
        self,
        request: Request[Any, Any, Any],
        queue_id: FromPath[str],
        mode: FromQuery[str] = "form",
    ) -> Response[Any]:
        return await editing.show(request, await _page(request, queue_id), mode)

    @post("/{queue_id:str}")
    async def save(self, request: Request[Any, Any, Any], queue_id: FromPath[str]) -> Response[Any]:
        return await editing.save(request, await _page(request, queue_id))


async def _page(request: Request[Any, Any, Any], queue_id: str) -> editing.EditPage:
    ruleset, _ = await current_rules(request, user_of(request))
    path = path_of(ruleset, "queue", queue_id)
    queue = ruleset.queues.get(queue_id)
    if path is None or queue is None:
        raise NotFound(f"There is no team {queue_id}.", {"queue": queue_id})
    return editing.EditPage(
        path=path,
        kind="queue",
        title=queue.name,
        section="queues",
        back=("/ui/queues", "Teams"),
        here=f"/ui/queues/{queue_id}",
    )
