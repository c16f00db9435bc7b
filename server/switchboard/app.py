"""`create_app(settings)`: the Litestar application, wired. No decisions are made here."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
from collections.abc import AsyncIterator, Mapping

import anyio.to_thread
from litestar import Litestar
from litestar.datastructures import State
from litestar.logging import LoggingConfig
from litestar.openapi import OpenAPIConfig
from litestar.openapi.spec import Components, SecurityScheme

from switchboard import __version__
from switchboard.conversations import open_continuity
from switchboard.errors import EXCEPTION_HANDLERS
from switchboard.runtime.active import ActiveRuleset, LoadFailure, load_snapshot
from switchboard.settings import Settings, SettingsError
from switchboard.web.apikeys import KeyFileError, KeyStore
from switchboard.web.conversations import ConversationController, conversations_lifespan
from switchboard.web.health import health, ready, status
from switchboard.web.identities import IdentityController
from switchboard.web.inquiries import InquiryController
from switchboard.web.proposals import ProposalController, rules_file
from switchboard.web.recorder import Recorder
from switchboard.web.reviews import ReviewController, reminders_lifespan

log = logging.getLogger("switchboard.app")


def create_app(
    settings: Settings,
    *,
    environ: Mapping[str, str] | None = None,
    recorder: Recorder | None = None,
) -> Litestar:
    """The API for `settings`. `environ` holds the connectors' secrets (default: os.environ)."""
    if settings.rules_path is None:
        raise SettingsError("no rules repository: set SWITCHBOARD_RULES_PATH or pass --rules")
    try:
        keys = KeyStore(settings.keys_path)
    except KeyFileError as exc:
        raise SettingsError(str(exc)) from None
    if not len(keys):
        log.warning(
            "no API keys in %s: create one with `switchboard keys create NAME`", settings.keys_path
        )
    continuity = open_continuity(settings)
    state = State(
        {
            "settings": settings,
            "environ": os.environ if environ is None else environ,
            "active": ActiveRuleset(),
            "api_keys": keys,
            "conversations": continuity,
            "recorder": recorder or continuity,
        }
    )
    return Litestar(
        route_handlers=[
            InquiryController,
            ConversationController,
            IdentityController,
            ProposalController,
            rules_file,
            ReviewController,
            health,
            ready,
            status,
        ],
        state=state,
        lifespan=[_serve_ruleset, reminders_lifespan, conversations_lifespan],
        exception_handlers=EXCEPTION_HANDLERS,
        request_max_body_size=settings.max_body_bytes,
        openapi_config=_openapi(),
        logging_config=LoggingConfig(
            root={"level": settings.log_level.upper(), "handlers": ["queue_listener"]},
            log_exceptions="never",  # errors.handle_unexpected logs them once
        ),
    )


def app_from_env() -> Litestar:
    """Factory for `uvicorn --factory` (used by `switchboard serve`, one per worker)."""
    return create_app(Settings.from_env())


@contextlib.asynccontextmanager
async def _serve_ruleset(app: Litestar) -> AsyncIterator[None]:
    """Load the ruleset in the background (the server answers /health meanwhile); close on exit."""
    task = asyncio.create_task(_load_initial(app.state))
    try:
        yield
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
        snapshot = app.state.active.peek()
        close = getattr(snapshot.data, "close", None) if snapshot else None
        if callable(close):
            await anyio.to_thread.run_sync(close)


async def _load_initial(state: State) -> None:
    settings: Settings = state.settings
    active: ActiveRuleset = state.active
    assert settings.rules_path is not None
    log.info("loading rules from %s (rev %s)", settings.rules_path, settings.rules_rev or "-")
    result = await anyio.to_thread.run_sync(
        load_snapshot,
        settings.rules_path,
        settings.rules_rev,
        settings.cache_path,
        state.environ,
        abandon_on_cancel=True,
    )
    if isinstance(result, LoadFailure):
        log.error("the rules did not load: %s", result.message)
        active.fail(result)
    else:
        active.swap(result)
        log.info("serving revision %s", result.revision)


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
