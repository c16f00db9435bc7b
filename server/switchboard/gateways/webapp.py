"""What the webhook gateways (voice, SMS, chat) share: a Litestar app with `/health`, small
bodies only, no OpenAPI document, and the API client closed on shutdown."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import msgspec
from litestar import Litestar, get
from litestar.datastructures import State
from litestar.types import ControllerRouterHandler

from switchboard.gateways.client import SwitchboardClient

MAX_BODY_BYTES = 64 * 1024


class Health(msgspec.Struct):
    status: str


@get("/health", sync_to_thread=False)
def health() -> Health:
    return Health("ok")


def gateway_app(
    handlers: Sequence[ControllerRouterHandler], api_client: SwitchboardClient, **state: Any
) -> Litestar:
    return Litestar(
        route_handlers=[health, *handlers],
        state=State(state),
        on_shutdown=[api_client.close],
        request_max_body_size=MAX_BODY_BYTES,
        openapi_config=None,
    )


def serve(app: Litestar, host: str, port: int, log_level: str = "info") -> None:
    """Serve until interrupted (uvicorn, one worker)."""
    import uvicorn

    uvicorn.run(app, host=host, port=port, log_level=log_level, timeout_graceful_shutdown=10)
