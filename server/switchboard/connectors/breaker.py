"""A circuit breaker per connector: stop calling a source that keeps failing.

closed: calls go through; `failures` consecutive failures open it. open: calls are refused
without touching the source until `reset_s` has passed; then one trial call is let through
(half_open). The trial's success closes the breaker, its failure opens it again.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Literal

State = Literal["closed", "open", "half_open"]


class CircuitBreaker:
    def __init__(
        self, failures: int, reset_s: float, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.threshold = failures  # 0 or less: never opens
        self.reset_s = reset_s
        self._clock = clock
        self._lock = threading.Lock()
        self._state: State = "closed"
        self._consecutive = 0
        self._opened_at = 0.0
        self._trial = False

    def allow(self) -> bool:
        """May a call go to the source now? In half_open only one trial at a time."""
        with self._lock:
            if self._state == "open" and self._clock() - self._opened_at >= self.reset_s:
                self._state = "half_open"
                self._trial = False
            if self._state == "closed":
                return True
            if self._state == "half_open" and not self._trial:
                self._trial = True
                return True
            return False

    def success(self) -> None:
        with self._lock:
            self._state = "closed"
            self._consecutive = 0
            self._trial = False

    def failure(self) -> None:
        with self._lock:
            self._consecutive += 1
            self._trial = False
            tripped = self.threshold > 0 and self._consecutive >= self.threshold
            if self._state == "half_open" or tripped:
                self._state = "open"
                self._opened_at = self._clock()

    def release(self) -> None:
        """An allowed call made no request after all: free the trial slot, change nothing."""
        with self._lock:
            self._trial = False

    @property
    def state(self) -> State:
        with self._lock:
            if self._state == "open" and self._clock() - self._opened_at >= self.reset_s:
                return "half_open"
            return self._state

    @property
    def consecutive_failures(self) -> int:
        return self._consecutive

    def retry_in(self) -> float | None:
        """Seconds until an open breaker lets a trial through; None unless open."""
        with self._lock:
            if self._state != "open":
                return None
            return max(0.0, self.reset_s - (self._clock() - self._opened_at))
