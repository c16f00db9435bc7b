"""`create_app(settings)`: the Litestar application, wired. No decisions are made here."""

from __future__ import annotations

import logging
import os
from collections.abc import Mapping

from litestar import Litestar
from litestar.datastructures import State
from litestar.logging import LoggingConfig
from litestar.openapi import OpenAPIConfig
from litestar.openapi.spec import Components, SecurityScheme

from switchboard import __version__
from switchboard.conversations import open_continuity
from switchboard.engine.embedding import set_memo_entries
from switchboard.errors import EXCEPTION_HANDLERS
from switchboard.observability.logging import formatters
from switchboard.observability.metrics import Metrics
from switchboard.runtime.active import ActiveRuleset
from switchboard.settings import Settings, SettingsError
from switchboard.web.admin import reload_webhook, reloader_lifespan, rollback
from switchboard.web.apikeys import KeyFileError, KeyStore
from switchboard.web.conversations import ConversationController, conversations_lifespan
from switchboard.web.health import health, ready, status
from switchboard.web.identities import IdentityController
from switchboard.web.inquiries import InquiryController
from switchboard.web.metrics import RequestMetrics, metrics_endpoint, metrics_lifespan
from switchboard.web.proposals import ProposalController, rules_file
from switchboard.web.queues import list_queues
from switchboard.web.recorder import Recorder
from switchboard.web.reviews import ReviewController, reminders_lifespan
from switchboard.web.ui.routes import ui_router
from switchboard.web.ui.setup import UiApp

log = logging.getLogger("switchboard.app")


def create_app(
    settings: Settings,
    *,
    environ: Mapping[str, str] | None = None,
    recorder: Recorder | None = None,
) -> Litestar:
    """The API for `settings`. `environ` holds the connectors' secrets (default: os.environ)."""
    if settings.rules_path is None and not settings.rules_remote:
        raise SettingsError(
            "no rules repository: set SWITCHBOARD_RULES_PATH (or SWITCHBOARD_RULES_REMOTE) "
            "or pass --rules"
        )
    try:
        keys = KeyStore(settings.keys_path)
    except KeyFileError as exc:
        raise SettingsError(str(exc)) from None
    if not len(keys):
        log.warning(
            "no API keys in %s: create one with `switchboard keys create NAME`", settings.keys_path
        )
    set_memo_entries(settings.embedding_memo)  # before the first ruleset is built
    continuity = open_continuity(settings)
    ui = UiApp.from_settings(settings)
    active = ActiveRuleset()
    state = State(
        {
            "settings": settings,
            "environ": os.environ if environ is None else environ,
            "active": active,
            "metrics": Metrics(active),
            "api_keys": keys,
            "conversations": continuity,
            "recorder": recorder or continuity,
            "ui": ui,
        }
    )
    return Litestar(
        route_handlers=[
            InquiryController,
            list_queues,
            ConversationController,
            IdentityController,
            ProposalController,
            rules_file,
            ReviewController,
            health,
            ready,
            status,
            metrics_endpoint,
            reload_webhook,
            rollback,
            ui_router(ui),
        ],
        state=state,
        lifespan=[reloader_lifespan, reminders_lifespan, conversations_lifespan, metrics_lifespan],
        middleware=[RequestMetrics],
        exception_handlers=EXCEPTION_HANDLERS,
        request_max_body_size=settings.max_body_bytes,
        openapi_config=_openapi(),
        logging_config=LoggingConfig(
            root={"level": settings.log_level.upper(), "handlers": ["queue_listener"]},
            formatters=formatters(settings.log_format),
            log_exceptions="never",  # errors.handle_unexpected logs them once
        ),
    )


def app_from_env() -> Litestar:
    """Factory for `uvicorn --factory` (used by `switchboard serve`, one per worker)."""
    return create_app(Settings.from_env())


def _openapi() -> OpenAPIConfig:
    return OpenAPIConfig(
        title="Switchboard",
        version=__version__,
        description="Decides B2B customer inquiries: answer automatically or route to a person.",
        path="/schema",
        components=Components(
            security_schemes={
                "bearer": SecurityScheme(type="http", scheme="bearer"),
                "apiKey": SecurityScheme(
                    type="apiKey", name="X-API-Key", security_scheme_in="header"
                ),
            }
        ),
    )
