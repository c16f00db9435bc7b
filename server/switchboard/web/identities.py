"""`/v1/identities`: link an e-mail address, phone or account number to a customer, with the
evidence, and end such a link with a reason; `/v1/customers/{id}/identities` is the trail."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Annotated, Any, Literal

import msgspec
from litestar import Controller, Request, delete, get, post
from litestar.params import FromPath, JSONBody, QueryParameter

from switchboard.connectors import resolve_customer
from switchboard.conversations.identities import link, trail, unlink
from switchboard.conversations.views import IdentityTrail, LinkView, link_view
from switchboard.engine.types import Customer, Identifiers
from switchboard.errors import error_responses
from switchboard.store.conversations.records import LinkKind, LinkSource
from switchboard.web.auth import api_key_of, require_api_key
from switchboard.web.conversations import READ, READ_ERRORS, WRITE, actor_name, call_store

ERRORS = error_responses(400, 401, 403, 404, 409, 413, 422, 503)


class NewLink(msgspec.Struct, forbid_unknown_fields=True):
    """A name alone is no evidence: only these kinds of identifier can be linked."""

    kind: Literal["email", "phone", "account_no", "customer_id"]
    value: Annotated[str, msgspec.Meta(min_length=1, max_length=320)]
    customer_id: Annotated[str, msgspec.Meta(min_length=1, max_length=64)]
    evidence: Annotated[str, msgspec.Meta(min_length=1, max_length=1000)]
    source: Literal["agent", "api"] | None = None  # default: agent for a key with a user


class Unlink(msgspec.Struct, forbid_unknown_fields=True):
    reason: Annotated[str, msgspec.Meta(min_length=1, max_length=1000)]


class IdentityController(Controller):
    path = "/v1"
    tags = ["identities"]  # noqa: RUF012 - Litestar reads these class attributes
    guards = [require_api_key]  # noqa: RUF012
    security = [{"apiKey": []}, {"bearer": []}]  # noqa: RUF012

    @post("/identities", opt=WRITE, responses=ERRORS)
    async def create(self, request: Request[Any, Any, Any], data: JSONBody[NewLink]) -> LinkView:
        """Link an identifier to a customer; 409 `already_linked` if it is linked already."""
        kind: LinkKind = data.kind
        source: LinkSource = data.source or _default_source(request)
        actor, now, erp = actor_name(request), dt.datetime.now(dt.UTC), _erp_lookup(request)
        made = await call_store(
            request,
            lambda c: link(
                c.store,
                kind=kind,
                value=data.value,
                customer_id=data.customer_id,
                evidence=data.evidence,
                source=source,
                actor=actor,
                now=now,
                erp_customer=erp,
            ),
        )
        return link_view(made)

    @post("/identities/{link_id:str}/unlink", opt=WRITE, status_code=200, responses=ERRORS)
    async def end(
        self, request: Request[Any, Any, Any], link_id: FromPath[str], data: JSONBody[Unlink]
    ) -> LinkView:
        """End the link; it stays in the trail with who ended it, when and why."""
        return await self._end(request, link_id, data.reason)

    @delete("/identities/{link_id:str}", opt=WRITE, status_code=200, responses=ERRORS)
    async def remove(
        self,
        request: Request[Any, Any, Any],
        link_id: FromPath[str],
        reason: Annotated[str, QueryParameter(min_length=1, max_length=1000)],
    ) -> LinkView:
        """The same as `POST .../unlink`, with the reason as `?reason=`."""
        return await self._end(request, link_id, reason)

    @get("/customers/{customer_id:str}/identities", opt=READ, responses=READ_ERRORS)
    async def of_customer(
        self, request: Request[Any, Any, Any], customer_id: FromPath[str]
    ) -> IdentityTrail:
        """Every link of the customer, ended ones included, oldest first."""
        links = await call_store(request, lambda c: trail(c.store, customer_id))
        return IdentityTrail(customer_id, [link_view(item) for item in links])

    async def _end(self, request: Request[Any, Any, Any], link_id: str, reason: str) -> LinkView:
        actor, now = actor_name(request), dt.datetime.now(dt.UTC)
        ended = await call_store(
            request, lambda c: unlink(c.store, link_id, reason=reason, actor=actor, now=now)
        )
        return link_view(ended)


def _default_source(request: Request[Any, Any, Any]) -> LinkSource:
    key = api_key_of(request)
    return "agent" if key is not None and key.user else "api"


def _erp_lookup(request: Request[Any, Any, Any]) -> Callable[[str], Customer | None]:
    """Looks a customer id up in the ERP of the live revision (None when nothing is live)."""
    snapshot = request.app.state.active.peek()

    def lookup(customer_id: str) -> Customer | None:
        if snapshot is None:
            return None
        found, _ = resolve_customer(
            snapshot.ruleset, snapshot.data, Identifiers(customer_id=customer_id)
        )
        return found if found is not None and found.id == customer_id else None

    return lookup
