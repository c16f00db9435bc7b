"""Fault injection for tests of the demo ERP facade; only active with `serve --faults`.

A test arms a fault (`POST /_test/faults {"mode": ..., "count": n, "delay_ms": ms}`) and the
next `count` API responses misbehave: `slow` answers late, `error` answers HTTP 500,
`malformed` sends broken JSON, `shape` wraps the payload in another object, `types` turns every
value into a list. Every API request's raw path is recorded so tests can count server hits.
"""

from __future__ import annotations

import asyncio
import threading
from collections import deque
from dataclasses import dataclass
from typing import Any

from litestar import Response
from litestar.types import ASGIApp, Receive, Scope, Send

MODES = ("slow", "error", "malformed", "shape", "types")
MALFORMED = b'{"shipment": {"carrier": "Rheinland Cargo", "tracking": '


@dataclass(slots=True)
class _Fault:
    mode: str
    remaining: int
    delay_s: float


class FaultState:
    """The armed fault and the request log, shared by the app and the recorder."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._fault: _Fault | None = None
        self.hits = 0
        self.paths: deque[str] = deque(maxlen=500)

    def arm(self, mode: str, count: int, delay_ms: int) -> None:
        if mode not in MODES:
            raise ValueError(f"mode must be one of {', '.join(MODES)}")
        with self._lock:
            self._fault = _Fault(mode, max(count, 0), max(delay_ms, 0) / 1000)

    def reset(self) -> None:
        with self._lock:
            self._fault = None
            self.hits = 0
            self.paths.clear()

    def record(self, path: str) -> None:
        with self._lock:
            self.hits += 1
            self.paths.append(path)

    def take(self) -> _Fault | None:
        with self._lock:
            fault = self._fault
            if fault is None or fault.remaining <= 0:
                return None
            fault.remaining -= 1
            return _Fault(fault.mode, 1, fault.delay_s)

    async def respond(self, payload: dict[str, Any], status: int) -> Response[Any]:
        fault = self.take()
        if fault is None:
            return Response(payload, status_code=status)
        if fault.mode == "slow":
            await asyncio.sleep(fault.delay_s)
            return Response(payload, status_code=status)
        if fault.mode == "error":
            return Response({"error": "internal_error"}, status_code=500)
        if fault.mode == "malformed":
            return Response(MALFORMED, status_code=200, media_type="application/json")
        if fault.mode == "shape":
            return Response({"data": payload}, status_code=status)
        return Response(_as_lists(payload), status_code=status)


def _as_lists(value: Any) -> Any:
    if isinstance(value, dict):
        return {key: _as_lists(item) for key, item in value.items()}
    return [value]


def recorder(app: ASGIApp, state: FaultState) -> ASGIApp:
    """Wraps the whole app so even requests that match no route are counted."""

    async def record(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["path"].startswith("/api/"):
            raw = scope.get("raw_path") or scope["path"].encode()
            query = scope.get("query_string") or b""
            state.record((raw + (b"?" + query if query else b"")).decode("latin-1"))
        await app(scope, receive, send)

    return record
