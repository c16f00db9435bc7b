"""The demo ERP's HTTP facade: a read-only JSON API over the demo database.

    GET /api/v1/shipments?order_no=SO4500123   {"shipment": {...}}   (404 if none)
    GET /api/v1/orders/SO4500123               {"order": {...}}      (404 if none)
    GET /api/v1/customers?email=...            {"customer": {...}}   (404 if none)
    POST /api/v1/orders/lookup {"order_number": ..., "po_number": ...}   {"order": {...}}
    GET /healthz                               {"status": "ok"}      (no token needed)

Every /api request needs `Authorization: Bearer <token>`. With `faults=True` the test hooks of
`faults.py` are mounted under /_test (token needed too).
"""

from __future__ import annotations

import hmac
from pathlib import Path
from typing import Any

import msgspec
import uvicorn
from litestar import Litestar, Request, Response, Router, delete, get, post
from litestar.connection import ASGIConnection
from litestar.exceptions import NotAuthorizedException
from litestar.handlers.base import BaseRouteHandler
from litestar.types import ASGIApp

from switchboard.demo_erp import repository
from switchboard.demo_erp.database import DemoErpError
from switchboard.demo_erp.faults import MODES, FaultState, recorder


class OrderLookup(msgspec.Struct):
    order_number: str | None = None
    po_number: str | None = None


class FaultRequest(msgspec.Struct, forbid_unknown_fields=True):
    mode: str
    count: int = 1
    delay_ms: int = 0


def create_app(db_path: Path, token: str, faults: FaultState | None = None) -> Litestar:
    """The facade app over `db_path`; pass a FaultState to mount the test hooks."""
    db_path = Path(db_path)
    if not db_path.is_file():
        raise DemoErpError(f"{db_path} does not exist; run `switchboard demo-erp init` first")
    if not token:
        raise DemoErpError("the facade needs a token")
    expected = f"Bearer {token}".encode()

    def require_token(connection: ASGIConnection[Any, Any, Any, Any], _: BaseRouteHandler) -> None:
        given = connection.headers.get("authorization", "").encode()
        if not hmac.compare_digest(given, expected):
            raise NotAuthorizedException(
                "missing or wrong bearer token", headers={"WWW-Authenticate": "Bearer"}
            )

    async def answer(key: str, found: dict[str, Any] | None) -> Response[Any]:
        payload, status = ({key: found}, 200) if found else ({"error": "not_found"}, 404)
        if faults is None:
            return Response(payload, status_code=status)
        return await faults.respond(payload, status)

    @get("/shipments")
    async def shipments(order_no: str) -> Response[Any]:
        with repository.connect_read_only(db_path) as connection:
            found = repository.shipment(connection, order_no)
        return await answer("shipment", found)

    @get("/orders/{order_no:str}")
    async def orders(order_no: str) -> Response[Any]:
        with repository.connect_read_only(db_path) as connection:
            found = repository.order(connection, order_no)
        return await answer("order", found)

    @post("/orders/lookup", status_code=200)
    async def order_lookup(data: OrderLookup) -> Response[Any]:
        with repository.connect_read_only(db_path) as connection:
            order_no = data.order_number or repository.order_no_for_po(connection, data.po_number)
            found = repository.order(connection, order_no) if order_no else None
        return await answer("order", found)

    @get("/customers")
    async def customers(email: str) -> Response[Any]:
        with repository.connect_read_only(db_path) as connection:
            found = repository.customer_by_email(connection, email)
        return await answer("customer", found)

    @get("/healthz")
    async def healthz() -> dict[str, str]:
        return {"status": "ok"}

    api = Router(
        "/api/v1",
        route_handlers=[shipments, orders, order_lookup, customers],
        guards=[require_token],
    )
    handlers: list[Any] = [api, healthz]
    if faults is not None:
        handlers.append(_test_router(faults, require_token))
    return Litestar(route_handlers=handlers, openapi_config=None)


def _test_router(faults: FaultState, guard: Any) -> Router:
    @post("/faults", status_code=200)
    async def arm(data: FaultRequest) -> Response[Any]:
        if data.mode not in MODES:
            return Response({"error": f"mode must be one of {', '.join(MODES)}"}, status_code=400)
        faults.arm(data.mode, data.count, data.delay_ms)
        return Response({"armed": data.mode, "count": data.count})

    @delete("/faults", status_code=200)
    async def reset() -> dict[str, Any]:
        faults.reset()
        return {"reset": True}

    @get("/hits")
    async def hits(request: Request[Any, Any, Any]) -> dict[str, Any]:
        return {"hits": faults.hits, "paths": list(faults.paths)}

    return Router("/_test", route_handlers=[arm, reset, hits], guards=[guard])


def serve(db_path: Path, *, host: str, port: int, token: str, faults: bool = False) -> None:
    """Run the facade with uvicorn until interrupted."""
    state = FaultState() if faults else None
    app: ASGIApp = create_app(db_path, token, state)
    if state is not None:
        app = recorder(app, state)
    uvicorn.run(app, host=host, port=port, log_level="warning", access_log=False)
