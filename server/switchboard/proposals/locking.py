"""One writer per repository at a time: a thread lock plus a file lock for other processes.

The file lock lives in the git directory (never in a working tree). Compare-and-swap ref
updates still guard against anything that writes the repository without this lock.
"""

from __future__ import annotations

import fcntl
import os
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from switchboard.proposals.errors import RepositoryUnavailable

LOCK_FILE = "switchboard-proposals.lock"
_threads: dict[str, threading.Lock] = {}
_threads_guard = threading.Lock()


def _thread_lock(key: str) -> threading.Lock:
    with _threads_guard:
        return _threads.setdefault(key, threading.Lock())


@contextmanager
def repository_lock(git_dir: Path, timeout_s: float = 30.0) -> Iterator[None]:
    """Hold the repository's write lock; RepositoryUnavailable after `timeout_s`."""
    path = git_dir / LOCK_FILE
    lock = _thread_lock(str(path))
    if not lock.acquire(timeout=timeout_s):
        raise _busy()
    try:
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            _flock(fd, time.monotonic() + timeout_s)
            yield
        finally:
            os.close(fd)  # closing the descriptor releases the file lock
    finally:
        lock.release()


def _flock(fd: int, deadline: float) -> None:
    while True:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return
        except BlockingIOError:
            if time.monotonic() > deadline:
                raise _busy() from None
            time.sleep(0.02)


def _busy() -> RepositoryUnavailable:
    return RepositoryUnavailable(
        "Another change to the rules repository is in progress; try again in a moment.",
        {"reason": "busy"},
    )
