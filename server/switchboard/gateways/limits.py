"""Two small guards of the e-mail gateway, both in memory and thread-safe.

`ReplyBudget` caps automatic replies per recipient and hour: a last line of defence against a
loop with a mail system that sends automatic mail without saying so in its headers.
`SeenIds` remembers recently handled Message-IDs, so a mail delivered twice (a sending server
that retried after a timeout) is decided and answered once.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict, deque
from collections.abc import Callable


class ReplyBudget:
    def __init__(
        self, per_hour: int, clock: Callable[[], float] = time.monotonic, window_s: float = 3600
    ) -> None:
        self.per_hour = per_hour
        self._clock = clock
        self._window_s = window_s
        self._lock = threading.Lock()
        self._sent: dict[str, deque[float]] = {}

    def take(self, recipient: str) -> bool:
        """True (and counted) when another reply to `recipient` is within the budget."""
        now = self._clock()
        with self._lock:
            for key in [k for k, q in self._sent.items() if not q or q[-1] <= now - self._window_s]:
                del self._sent[key]  # forget whoever has been quiet for a whole window
            sent = self._sent.setdefault(recipient, deque())
            while sent and sent[0] <= now - self._window_s:
                sent.popleft()
            if len(sent) >= self.per_hour:
                return False
            sent.append(now)
            return True


class SeenIds:
    def __init__(self, capacity: int = 10_000) -> None:
        self._capacity = capacity
        self._lock = threading.Lock()
        self._ids: OrderedDict[str, None] = OrderedDict()

    def __contains__(self, message_id: object) -> bool:
        with self._lock:
            return message_id in self._ids

    def add(self, message_id: str) -> None:
        with self._lock:
            self._ids[message_id] = None
            self._ids.move_to_end(message_id)
            while len(self._ids) > self._capacity:
                self._ids.popitem(last=False)
