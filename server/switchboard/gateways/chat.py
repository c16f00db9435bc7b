"""The chat webhook: `POST /chat` with `{conversation_id, user: {email?, phone?, customer_id?},
text}` from a chat backend, answered with `{reply?, routed_to?, decision_id}`.

The caller authenticates with `Authorization: Bearer <chat token>` (compared in constant time).
The chat backend vouches for `user`: it is passed on as the customer's identifiers. The chat's
`conversation_id` names the thread (`chat:<id>`), so every turn of one chat joins one
conversation.
"""

from __future__ import annotations

import datetime as dt
import hmac
from typing import Annotated, Any

import anyio.to_thread
import msgspec
from litestar import Litestar, Request, Response, post
from litestar.connection import ASGIConnection
from litestar.exceptions import NotAuthorizedException
from litestar.handlers.base import BaseRouteHandler
from litestar.params import Body

from switchboard.gateways.client import ApiError, SwitchboardClient, inquiry
from switchboard.gateways.webapp import gateway_app

Short = Annotated[str, msgspec.Meta(min_length=1, max_length=320)]


class ChatUser(msgspec.Struct, forbid_unknown_fields=True):
    email: Short | None = None
    phone: Short | None = None
    customer_id: Short | None = None


class ChatMessage(msgspec.Struct, forbid_unknown_fields=True):
    conversation_id: Annotated[str, msgspec.Meta(min_length=1, max_length=200)]
    text: Annotated[str, msgspec.Meta(min_length=1, max_length=16_000)]
    user: ChatUser = msgspec.field(default_factory=ChatUser)


class ChatAnswer(msgspec.Struct, omit_defaults=True):
    decision_id: str
    reply: str | None = None  # shown to the user: an answer or a question back
    routed_to: str | None = None  # the queue a person will answer from


def answer(client: SwitchboardClient, message: ChatMessage) -> ChatAnswer:
    """Blocking; raises `ApiError` when the API did not decide."""
    user = message.user
    decision = client.decide(
        inquiry(
            "chat",
            message.text,
            identifiers={"email": user.email, "phone": user.phone, "customer_id": user.customer_id},
            thread=[f"chat:{message.conversation_id}"],
            received_at=dt.datetime.now(dt.UTC),
            metadata={"chat_conversation_id": message.conversation_id},
        )
    )
    reply = decision.answer
    if reply is not None:
        return ChatAnswer(decision.decision_id, reply=reply.body)
    return ChatAnswer(decision.decision_id, routed_to=decision.queue)


def require_token(connection: ASGIConnection[Any, Any, Any, Any], _: BaseRouteHandler) -> None:
    """A guard: it runs before the body is read."""
    token: str = connection.app.state.chat_token
    scheme, _sep, presented = connection.headers.get("authorization", "").partition(" ")
    if not (
        scheme.lower() == "bearer"
        and hmac.compare_digest(presented.strip().encode("utf-8"), token.encode("utf-8"))
    ):
        raise NotAuthorizedException("a valid bearer token is required")


@post("/chat", status_code=200, guards=[require_token])
async def chat_webhook(
    request: Request[Any, Any, Any], data: Annotated[ChatMessage, Body()]
) -> Response[Any]:
    client: SwitchboardClient = request.app.state.client
    try:
        result = await anyio.to_thread.run_sync(answer, client, data)
    except ApiError:
        return Response({"error": "the message could not be decided; try again"}, status_code=503)
    return Response(result)


def chat_app(client: SwitchboardClient, token: str) -> Litestar:
    if not token:
        raise ValueError("the chat gateway needs a token")
    return gateway_app([chat_webhook], client, client=client, chat_token=token)
