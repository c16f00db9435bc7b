"""Small helpers every page uses: the proposal service in a worker thread, the revision the
user sees, and the ids a form may offer as choices."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

import anyio.to_thread
from litestar import Request

from switchboard.proposals.model import Proposal
from switchboard.proposals.service import ProposalService
from switchboard.rules.model import Ruleset
from switchboard.users.model import User
from switchboard.web.proposals import service_of
from switchboard.web.ui.schemaform import Choices
from switchboard.web.ui.setup import ui_of
from switchboard.web.ui.working import revision_for

T = TypeVar("T")


async def call(request: Request[Any, Any, Any], work: Callable[[ProposalService], T]) -> T:
    """Run `work` with the proposal service in a worker thread (git runs as processes)."""
    return await anyio.to_thread.run_sync(lambda: work(service_of(request)))


async def blocking(work: Callable[[], T]) -> T:
    return await anyio.to_thread.run_sync(work)


async def current_rules(
    request: Request[Any, Any, Any], user: User | None
) -> tuple[Ruleset, Proposal | None]:
    """The rules as the user sees them: their open proposal's, else the approved ones."""
    ui = ui_of(request.app.state)

    def work(service: ProposalService) -> tuple[Ruleset, Proposal | None]:
        sha, proposal = revision_for(service, user)
        return ui.revisions.plain(service.ws.repo, sha), proposal

    return await call(request, work)


def choices_for(ruleset: Ruleset) -> Choices:
    queues = sorted(ruleset.queues)
    templates = sorted(ruleset.templates)
    return Choices(
        by_key={
            "queue": queues,
            "default_queue": queues,
            "template": templates,
            "clarify_template": templates,
            "connector": sorted(ruleset.connectors),
            "default_locale": list(ruleset.settings.locales),
            "one_of[]": sorted(ruleset.entities),
        },
        locales=tuple(ruleset.settings.locales),
    )


def path_of(ruleset: Ruleset, kind: str, item_id: str) -> str | None:
    """The file holding the `kind` with `item_id` in this revision."""
    for info in ruleset.files:
        if info.kind == kind and info.id == item_id:
            return info.path
    return None
