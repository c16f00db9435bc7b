"""Slows down password guessing: after five wrong passwords for one login name within ten
minutes, that name is refused for the rest of those ten minutes. The answer is the same as for
a wrong password, so the lock says nothing about whether the name exists. Kept per process.
"""

from __future__ import annotations

import threading
import time
from collections import defaultdict, deque

MAX_FAILURES = 5
WINDOW_S = 600.0
MAX_NAMES = 10_000  # names tracked at once; guessing many names cannot fill the memory


class Throttle:
    def __init__(self) -> None:
        self._failures: dict[str, deque[float]] = defaultdict(deque)
        self._lock = threading.Lock()

    def blocked(self, name: str) -> bool:
        with self._lock:
            recent = self._recent(name)
            return len(recent) >= MAX_FAILURES

    def failed(self, name: str) -> None:
        with self._lock:
            if len(self._failures) >= MAX_NAMES:
                for key in [k for k in self._failures if not self._recent(k)]:
                    del self._failures[key]
                if len(self._failures) >= MAX_NAMES:  # all recent: forget the oldest
                    oldest = min(self._failures, key=lambda k: self._failures[k][-1])
                    del self._failures[oldest]
            self._recent(name).append(time.monotonic())

    def _recent(self, name: str) -> deque[float]:
        stamps = self._failures[name.lower()]
        while stamps and stamps[0] < time.monotonic() - WINDOW_S:
            stamps.popleft()
        return stamps
