"""The gateways' client of the public API: `POST /v1/inquiries` and `GET /v1/queues`.

The wire structs below name only the fields the gateways read; unknown fields are ignored, so
the server may add fields without breaking a gateway.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from typing import Any, Literal, TypeVar

import httpx
import msgspec

MAX_TEXT_CHARS = 16_000  # keeps the request well under the server's default 64 KiB limit
MAX_META_CHARS = 500
T = TypeVar("T")
RETRYABLE = frozenset({401, 403, 408, 429})  # a key or load problem someone can fix


class ApiError(Exception):
    """No decision. `retry`: the same request may succeed later (server down, busy, bad key)."""

    def __init__(self, message: str, *, status: int | None, retry: bool) -> None:
        super().__init__(message)
        self.status = status
        self.retry = retry


class Reply(msgspec.Struct):
    body: str
    locale: str = ""
    subject: str | None = None


class Decision(msgspec.Struct):
    decision_id: str
    outcome: Literal["auto_reply", "clarify", "route"]
    language: str = ""
    queue: str | None = None
    reasons: list[str] = msgspec.field(default_factory=list)
    reply: Reply | None = None
    conversation_id: str | None = None

    @property
    def answer(self) -> Reply | None:
        """The text to send the customer: only for auto_reply and clarify."""
        return self.reply if self.outcome in ("auto_reply", "clarify") else None


class QueueContact(msgspec.Struct):
    id: str
    name: str = ""
    email: str | None = None
    phone: str | None = None


class QueueList(msgspec.Struct):
    default_queue: str
    queues: list[QueueContact]
    revision: str = ""


def inquiry(
    channel: Literal["email", "sms", "chat", "voice"],
    text: str,
    *,
    identifiers: Mapping[str, str | None] | None = None,
    subject: str | None = None,
    thread: Iterable[str] = (),
    received_at: dt.datetime | None = None,
    locale: str | None = None,
    metadata: Mapping[str, str] | None = None,
) -> dict[str, Any]:
    """The JSON body of `POST /v1/inquiries`; over-long text is cut and said so in metadata."""
    meta = {k: v[:MAX_META_CHARS] for k, v in (metadata or {}).items()}
    if len(text) > MAX_TEXT_CHARS:
        text = text[:MAX_TEXT_CHARS]
        meta["text_truncated"] = "true"
    body: dict[str, Any] = {"channel": channel, "text": text}
    ids = {k: v for k, v in (identifiers or {}).items() if v}
    optional = {
        "identifiers": ids,
        "subject": subject,
        "thread": list(thread),
        "received_at": received_at.isoformat() if received_at else None,
        "locale": locale,
        "metadata": meta,
    }
    body.update({k: v for k, v in optional.items() if v})
    return body


class SwitchboardClient:
    """Blocking and thread-safe; the gateways call it from worker threads."""

    def __init__(
        self,
        base_url: str,
        api_key: str,
        *,
        timeout: float = 20.0,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        self._http = httpx.Client(
            base_url=base_url.rstrip("/"),
            headers={"Authorization": f"Bearer {api_key}", "User-Agent": "switchboard-gateway"},
            timeout=timeout,
            transport=transport,
        )

    def decide(self, body: Mapping[str, Any]) -> Decision:
        response = self._call("POST", "/v1/inquiries", msgspec.json.encode(body))
        return _decoded(response, Decision)

    def queues(self) -> QueueList:
        return _decoded(self._call("GET", "/v1/queues", None), QueueList)

    def close(self) -> None:
        self._http.close()

    def _call(self, method: str, path: str, content: bytes | None) -> httpx.Response:
        headers = {"Content-Type": "application/json"} if content is not None else {}
        try:
            response = self._http.request(method, path, content=content, headers=headers)
        except httpx.HTTPError as exc:
            raise ApiError(f"{method} {path}: {exc!r}", status=None, retry=True) from exc
        if response.status_code != 200:
            status = response.status_code
            raise ApiError(
                f"{method} {path}: HTTP {status}: {response.text[:300]}",
                status=status,
                retry=status in RETRYABLE or status >= 500,
            )
        return response


def _decoded(response: httpx.Response, kind: type[T]) -> T:
    try:
        return msgspec.json.decode(response.content, type=kind)
    except msgspec.DecodeError as exc:
        raise ApiError(f"unexpected answer from the API: {exc}", status=200, retry=True) from exc
