"""Queue contacts from `GET /v1/queues`, cached for a while and kept when a refresh fails.

A routed call is handed to a person by dialling the queue's phone number; when the API cannot
be asked, the last known numbers still work.
"""

from __future__ import annotations

import logging
import re
import threading
import time
from collections.abc import Callable

from switchboard.gateways.client import ApiError, QueueContact, QueueList

log = logging.getLogger("switchboard.gateways.queues")

RETRY_S = 5.0
_DIALABLE = re.compile(r"^\+?[0-9]{3,20}$")
_SEPARATORS = re.compile(r"[\s().\-/]")


def dialable(phone: str | None) -> str | None:
    """`+49 621 555 0140` -> `+496215550140`; None for anything that is not a phone number."""
    if not phone:
        return None
    compact = _SEPARATORS.sub("", phone)
    return compact if _DIALABLE.match(compact) else None


class QueueDirectory:
    def __init__(self, fetch: Callable[[], QueueList], ttl_s: float = 60.0) -> None:
        self._fetch = fetch
        self._ttl_s = ttl_s
        self._lock = threading.Lock()
        self._list: QueueList | None = None
        self._fetched = 0.0

    def queue(self, queue_id: str | None) -> QueueContact | None:
        """The queue `queue_id`, else the default queue; None when none is known."""
        listing = self._current()
        if listing is None:
            return None
        by_id = {q.id: q for q in listing.queues}
        return by_id.get(queue_id or "") or by_id.get(listing.default_queue)

    def _current(self) -> QueueList | None:
        with self._lock:
            if self._list is None or time.monotonic() - self._fetched >= self._ttl_s:
                self._fetched = time.monotonic()
                try:
                    self._list = self._fetch()
                except ApiError as exc:
                    log.warning("cannot refresh the queue contacts, keeping the last: %s", exc)
                    self._fetched -= max(0.0, self._ttl_s - RETRY_S)  # try again soon
            return self._list
