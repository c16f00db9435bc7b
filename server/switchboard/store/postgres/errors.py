"""PostgreSQL failures as the store reports them (the counterpart of `store.errors.guarded`).

Waiting too long (for a connection or a row lock), a deadlock and a serialisation failure mean
"busy": nothing was stored and trying again is safe. Integrity errors are the caller's and pass
unchanged; any other driver error is a failure of the store.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager

import psycopg
from psycopg import errors
from psycopg_pool import PoolTimeout

from switchboard.store.errors import StoreUnavailable

log = logging.getLogger("switchboard.store")

BUSY = (
    PoolTimeout,
    errors.LockNotAvailable,
    errors.DeadlockDetected,
    errors.SerializationFailure,
)


@contextmanager
def guarded(action: str) -> Iterator[None]:
    try:
        yield
    except BUSY as exc:
        log.warning("store busy while %s: %s", action, type(exc).__name__)
        raise StoreUnavailable(
            "The conversation store is busy; nothing was stored. Try again shortly.",
            {"reason": "busy"},
        ) from None
    except psycopg.IntegrityError:
        raise
    except psycopg.Error as exc:
        log.error("store failure while %s: %s: %s", action, type(exc).__name__, exc)
        raise StoreUnavailable(
            "The conversation store cannot be used right now; nothing was stored.",
            {"reason": "failure"},
        ) from None
