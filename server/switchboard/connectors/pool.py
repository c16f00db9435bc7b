"""A bounded pool of connections shared by the threads that fetch live data."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Generic, TypeVar

from switchboard.connectors.errors import LookupFailure, LookupTimeout

T = TypeVar("T")


class Pool(Generic[T]):
    """At most `size` connections; `acquire` waits for a free one until the caller's deadline."""

    def __init__(self, size: int, open_: Callable[[], T], close: Callable[[T], None]) -> None:
        self.size = max(1, size)
        self._open = open_
        self._close = close
        self._idle: list[T] = []
        self._count = 0
        self._closed = False
        self._ready = threading.Condition()

    def acquire(self, deadline: float) -> T:
        with self._ready:
            if self._closed:
                raise LookupFailure("the connection pool is closed")
            while not self._idle and self._count >= self.size:
                remaining = deadline - time.monotonic()
                if remaining <= 0 or self._closed:
                    raise LookupTimeout("no free connection in the pool within the timeout")
                self._ready.wait(remaining)
            if self._idle:
                return self._idle.pop()
            self._count += 1
        try:
            return self._open()
        except BaseException:
            with self._ready:
                self._count -= 1
                self._ready.notify()
            raise

    def release(self, item: T, *, discard: bool = False) -> None:
        with self._ready:
            keep = not discard and not self._closed
            if keep:
                self._idle.append(item)
            else:
                self._count -= 1
            self._ready.notify()
        if not keep:
            self._close(item)

    def close(self) -> None:
        with self._ready:
            self._closed = True
            idle, self._idle = self._idle, []
            self._count -= len(idle)
            self._ready.notify_all()
        for item in idle:
            self._close(item)

    @property
    def in_use(self) -> int:
        with self._ready:
            return self._count - len(self._idle)
