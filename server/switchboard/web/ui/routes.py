"""Every route of the admin UI in one router, with its CSRF guard and HTML error pages."""

from __future__ import annotations

from pathlib import PurePosixPath
from typing import Any

from litestar import Router, get
from litestar.exceptions import HTTPException
from litestar.params import FromPath
from litestar.static_files import create_static_files_router

from switchboard.errors import SwitchboardError
from switchboard.proposals.errors import NotFound
from switchboard.web.ui.answers import AnswerTexts, SnippetPages
from switchboard.web.ui.auth import LoginRequired, check_csrf
from switchboard.web.ui.connections import ConnectionPages
from switchboard.web.ui.dashboard import dashboard
from switchboard.web.ui.escalation import EscalationController
from switchboard.web.ui.files import FileController
from switchboard.web.ui.insight import ProposalInsight
from switchboard.web.ui.login import log_in, log_out, login_page, root
from switchboard.web.ui.pages import html_error
from switchboard.web.ui.queues import QueuePages
from switchboard.web.ui.reviewing import ProposalPages
from switchboard.web.ui.reviews import ReviewPages, history
from switchboard.web.ui.setup import UiApp
from switchboard.web.ui.taxonomy import TaxonomyController
from switchboard.web.ui.try_page import TryController


@get("/ui/{rest:path}", include_in_schema=False)
async def not_found(rest: FromPath[PurePosixPath]) -> None:
    raise NotFound(f"There is no page /ui{rest}.", {"path": f"/ui{rest}"})


def ui_router(ui: UiApp) -> Router:
    handlers: list[Any] = [
        login_page,
        log_in,
        log_out,
        root,
        dashboard,
        FileController,
        EscalationController,
        ProposalPages,
        ProposalInsight,
        AnswerTexts,
        SnippetPages,
        QueuePages,
        ConnectionPages,
        ReviewPages,
        history,
        TaxonomyController,
        TryController,
        not_found,
        create_static_files_router(
            path="/ui/static", directories=[ui.static_dir], include_in_schema=False
        ),
    ]
    return Router(
        path="/",
        route_handlers=handlers,
        guards=[check_csrf],
        # The same keys as the app's JSON handlers, so these win on every UI route.
        exception_handlers={
            SwitchboardError: html_error,
            HTTPException: html_error,
            LoginRequired: html_error,
            Exception: html_error,
        },
        include_in_schema=False,
    )
