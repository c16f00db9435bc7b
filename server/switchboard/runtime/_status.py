"""What the reloader reports in /v1/status: what it saw, built and fetched, and counters.

Written by the reloader's thread, read by requests: every change and every read holds the lock.
"""

from __future__ import annotations

import datetime as dt
import threading
from collections import deque
from typing import Any

REMEMBERED_FAILURES = 100
SHOWN_FAILURES = 10


class ReloadStatus:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._counts: dict[str, int] = {}
        self._head: str | None = None
        self._checked_at: dt.datetime | None = None
        self._building: str | None = None
        self._last_build: dict[str, Any] | None = None
        self._last_fetch: dict[str, Any] | None = None
        self._failed: deque[str] = deque(maxlen=REMEMBERED_FAILURES)

    def count(self, name: str) -> None:
        with self._lock:
            self._counts[name] = self._counts.get(name, 0) + 1

    def saw(self, head: str) -> None:
        with self._lock:
            self._head, self._checked_at = head, _now()
            self._counts["checks"] = self._counts.get("checks", 0) + 1

    def building(self, revision: str | None) -> None:
        with self._lock:
            self._building = revision

    def built(self, build: dict[str, Any]) -> None:
        with self._lock:
            self._last_build = build

    def fetched(self, at: dt.datetime, error: str | None) -> None:
        with self._lock:
            self._last_fetch = {"at": at, "ok": error is None, "error": error}

    @property
    def fetch_ok(self) -> bool:
        with self._lock:
            return self._last_fetch is None or bool(self._last_fetch["ok"])

    def failed(self, revision: str) -> None:
        with self._lock:
            self._failed.append(revision)

    def has_failed(self, revision: str) -> bool:
        with self._lock:
            return revision in self._failed

    def as_dict(self) -> dict[str, Any]:
        with self._lock:
            return {
                "head": self._head,
                "checked_at": self._checked_at,
                "building": self._building,
                "last_build": dict(self._last_build) if self._last_build else None,
                "last_fetch": dict(self._last_fetch) if self._last_fetch else None,
                "failed_revisions": list(self._failed)[-SHOWN_FAILURES:],
                "counts": dict(self._counts),
            }


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)
