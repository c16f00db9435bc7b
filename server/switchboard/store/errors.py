"""Store failures as the API reports them: 503 `store_unavailable`, nothing acknowledged."""

from __future__ import annotations

import logging
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager

from switchboard.errors import SwitchboardError
from switchboard.store.db import WriteBusy

log = logging.getLogger("switchboard.store")


class StoreUnavailable(SwitchboardError):
    """The store could not read or write (full disk, read-only file, closed, overloaded)."""

    status_code = 503
    code = "store_unavailable"


class LinkExists(Exception):
    """The identifier already has a link in force; end it before linking it elsewhere."""

    def __init__(self, link_id: str) -> None:
        super().__init__(link_id)
        self.link_id = link_id


@contextmanager
def guarded(action: str) -> Iterator[None]:
    """Turn the database's failures inside the block into `StoreUnavailable`.

    Integrity errors are not failures of the store but of the caller, and pass unchanged.
    """
    try:
        yield
    except WriteBusy as exc:
        log.warning("store busy while %s: %s", action, exc)
        raise StoreUnavailable(
            "The conversation store is busy; nothing was stored. Try again shortly.",
            {"reason": "busy"},
        ) from None
    except sqlite3.IntegrityError:
        raise
    except sqlite3.Error as exc:
        log.error("store failure while %s: %s", action, exc)
        raise StoreUnavailable(
            "The conversation store cannot be used right now; nothing was stored.",
            {"reason": "failure"},
        ) from None
