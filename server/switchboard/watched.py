"""The parsed content of one small file, parsed again when the file changes.

API keys and admin users live in JSON files that `switchboard keys` and `switchboard users`
rewrite while the server runs. A `WatchedFile` looks at the file's inode, mtime and size at
most every `recheck_s` seconds and parses it again only when they changed. A file that has
become unreadable keeps the previous content serving (logged) until it changes again; on the
first read, the error is raised, so a broken file stops start-up.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Generic, TypeVar

T = TypeVar("T")
Stamp = tuple[int, int, int]


class WatchedFile(Generic[T]):
    def __init__(
        self,
        path: Path,
        parse: Callable[[Path], T],
        errors: type[Exception] | tuple[type[Exception], ...],
        *,
        what: str,
        log: logging.Logger,
        recheck_s: float = 1.0,
    ) -> None:
        self.path = path
        self.recheck_s = recheck_s
        self._parse = parse
        self._errors = errors
        self._what = what
        self._log = log
        self._lock = threading.Lock()
        self._stamp: Stamp | None = None
        self._checked = 0.0
        self._value = self._read(force=True)

    @property
    def value(self) -> T:
        """The content, re-read first if the file changed since the last look."""
        self.refresh()
        return self._value

    @property
    def lock(self) -> threading.Lock:
        """Held while the file is read; writers of the file may hold it too."""
        return self._lock

    def refresh(self, force: bool = False) -> None:
        now = time.monotonic()
        if not force and now - self._checked < self.recheck_s:
            return
        self._value = self._read(force, now)

    def _read(self, force: bool, now: float | None = None) -> T:
        with self._lock:
            self._checked = time.monotonic() if now is None else now
            stamp = _stamp(self.path)
            if stamp == self._stamp and not force:
                return self._value
            try:
                value = self._parse(self.path)
            except self._errors as exc:
                if force:
                    raise
                self._log.warning("keeping the previous %s: %s", self._what, exc)
                self._stamp = stamp  # retry only when the file changes again
                return self._value
            self._stamp = stamp
            return value


def _stamp(path: Path) -> Stamp | None:
    try:
        st = path.stat()
    except FileNotFoundError:
        return None
    return (st.st_ino, st.st_mtime_ns, st.st_size)
