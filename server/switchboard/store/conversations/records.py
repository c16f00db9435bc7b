"""What the conversation store keeps, as plain immutable records (no engine or web types).

Times are aware UTC datetimes. JSON-shaped fields (`entities`, `metadata`, `decision`, ...) hold
plain data the caller encoded; the store keeps them as they are.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any, Literal

LinkKind = Literal["email", "phone", "account_no", "customer_id"]
LinkSource = Literal["erp_lookup", "agent", "api"]
LINK_KINDS: tuple[LinkKind, ...] = ("email", "phone", "account_no", "customer_id")
Status = Literal["open", "resolved"]
Direction = Literal["inbound", "outbound"]
EventKind = Literal["agent_replied", "reassigned", "resolved", "customer_satisfied"]
THREAD = "thread"  # the ref kind of Message-IDs, call ids and chat ids


@dataclass(frozen=True, slots=True)
class CustomerRecord:
    """A customer as the ERP lookup last described it."""

    id: str
    name: str = ""
    tier: str = "standard"
    account_no: str | None = None
    segment: str | None = None
    country: str | None = None
    locale: str | None = None
    updated_at: dt.datetime | None = None


@dataclass(frozen=True, slots=True)
class IdentityLink:
    """`value` (of `kind`) identifies `customer_id`. Never deleted: ending it sets `unlinked_*`."""

    id: str
    kind: LinkKind
    value: str
    customer_id: str
    source: LinkSource
    evidence: str
    created_by: str
    created_at: dt.datetime
    unlinked_at: dt.datetime | None = None
    unlinked_by: str | None = None
    unlink_reason: str | None = None

    @property
    def active(self) -> bool:
        return self.unlinked_at is None


@dataclass(frozen=True, slots=True)
class Ref:
    """A topic reference (`order_number` SO4500123) or a thread reference (`thread` <id@host>)."""

    kind: str
    value: str


@dataclass(frozen=True, slots=True)
class ConversationRecord:
    id: str
    customer_id: str | None
    status: Status
    opened_at: dt.datetime
    updated_at: dt.datetime
    refs: tuple[Ref, ...] = ()
    channels: tuple[str, ...] = ()
    queue: str | None = None
    assignee: str | None = None
    entities: dict[str, Any] = field(default_factory=dict)  # the latest value of each reference
    resolved_at: dt.datetime | None = None


@dataclass(frozen=True, slots=True)
class MessageRecord:
    id: str
    conversation_id: str
    customer_id: str | None
    direction: Direction
    channel: str
    text: str
    created_at: dt.datetime
    subject: str | None = None
    thread_refs: tuple[str, ...] = ()
    decision_id: str | None = None
    sender: dict[str, str] = field(default_factory=dict)  # identifiers as received
    gateway: str | None = None
    metadata: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class DecisionRecord:
    """One decision with what it takes to replay it: the inquiry and the context facts."""

    id: str
    conversation_id: str | None
    customer_id: str | None
    channel: str
    revision: str
    outcome: str
    intent: str
    queue: str | None
    reasons: tuple[str, ...]
    created_at: dt.datetime
    decision: dict[str, Any]
    inquiry: dict[str, Any]
    context: dict[str, Any]


@dataclass(frozen=True, slots=True)
class EventRecord:
    id: str
    conversation_id: str
    kind: EventKind
    actor: str
    at: dt.datetime
    note: str | None = None
    data: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Cursor:
    """Where a page of conversations ends (newest first by opening time)."""

    opened_at: dt.datetime
    id: str
