"""What people do with a conversation: reply, reassign, resolve, hear the customer is satisfied.

`resolved` and `customer_satisfied` close the conversation: the customer's next inquiry starts
a new one. `reassigned` moves it to another queue or person.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Collection
from typing import Any

from switchboard.conversations.errors import InvalidEvent, NotFound
from switchboard.conversations.recording import WRITE_TIMEOUT_S, new_id
from switchboard.store.conversations import ConversationStore
from switchboard.store.conversations.records import ConversationRecord, EventKind, EventRecord

CLOSING: frozenset[str] = frozenset({"resolved", "customer_satisfied"})
MAX_NOTE = 4000


@dataclasses.dataclass(frozen=True, slots=True)
class NewEvent:
    kind: EventKind
    actor: str
    note: str | None = None
    queue: str | None = None
    assignee: str | None = None


def add_event(
    store: ConversationStore,
    conversation_id: str,
    event: NewEvent,
    now: dt.datetime,
    queues: Collection[str] | None = None,
) -> tuple[EventRecord, ConversationRecord]:
    """Record `event` and apply it; `queues` (when known) are the queues one may move to."""
    _check(event, queues)
    data: dict[str, Any] = {
        name: value
        for name, value in (("queue", event.queue), ("assignee", event.assignee))
        if value is not None
    }
    record = EventRecord(
        new_id("evt"), conversation_id, event.kind, event.actor, now, event.note, data
    )
    with store.transaction(WRITE_TIMEOUT_S) as writes:
        conversation = writes.conversations.get(conversation_id)
        if conversation is None:
            raise NotFound(f"There is no conversation {conversation_id!r}.")
        changed = _applied(conversation, event, now)
        writes.conversations.put(changed)
        writes.events.add(record)
    return record, changed


def _check(event: NewEvent, queues: Collection[str] | None) -> None:
    if event.note is not None and len(event.note) > MAX_NOTE:
        raise InvalidEvent(f"A note has at most {MAX_NOTE} characters.")
    if event.kind == "reassigned" and event.queue is None and event.assignee is None:
        raise InvalidEvent("A reassignment names a queue, an assignee or both.")
    if event.kind != "reassigned" and (event.queue or event.assignee):
        raise InvalidEvent("Only a `reassigned` event takes a queue or an assignee.")
    if event.queue is not None and queues is not None and event.queue not in queues:
        raise InvalidEvent(
            f"There is no queue {event.queue!r}.", {"queue": event.queue, "known": sorted(queues)}
        )


def _applied(
    conversation: ConversationRecord, event: NewEvent, now: dt.datetime
) -> ConversationRecord:
    changed = dataclasses.replace(conversation, updated_at=now)
    if event.kind == "reassigned":
        changed = dataclasses.replace(
            changed,
            queue=event.queue or conversation.queue,
            assignee=event.assignee or conversation.assignee,
        )
    if event.kind in CLOSING and conversation.status == "open":
        changed = dataclasses.replace(changed, status="resolved", resolved_at=now)
    return changed
