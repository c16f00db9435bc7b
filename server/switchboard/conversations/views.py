"""What the API shows of conversations and identity links (JSON shapes), and paging."""

from __future__ import annotations

import datetime as dt
from typing import Any

import msgspec

from switchboard.conversations.cursors import decode_cursor, encode_cursor
from switchboard.conversations.errors import NotFound
from switchboard.store.conversations import ConversationStore
from switchboard.store.conversations.records import (
    THREAD,
    ConversationRecord,
    Cursor,
    DecisionRecord,
    EventRecord,
    IdentityLink,
    MessageRecord,
)


class LinkView(msgspec.Struct):
    id: str
    kind: str
    value: str
    customer_id: str
    source: str
    evidence: str
    created_by: str
    created_at: dt.datetime
    active: bool
    unlinked_at: dt.datetime | None = None
    unlinked_by: str | None = None
    unlink_reason: str | None = None


class IdentityTrail(msgspec.Struct):
    customer_id: str
    links: list[LinkView]


class MessageView(msgspec.Struct):
    id: str
    direction: str
    channel: str
    text: str
    created_at: dt.datetime
    subject: str | None
    thread_refs: list[str]
    decision_id: str | None
    gateway: str | None
    metadata: dict[str, str]


class DecisionSummary(msgspec.Struct):
    decision_id: str
    channel: str
    revision: str
    outcome: str
    intent: str
    queue: str | None
    reasons: list[str]
    created_at: dt.datetime


class EventView(msgspec.Struct):
    id: str
    kind: str
    actor: str
    at: dt.datetime
    note: str | None
    data: dict[str, Any]


class ConversationSummary(msgspec.Struct, kw_only=True):
    id: str
    customer_id: str | None
    status: str
    queue: str | None
    assignee: str | None
    channels: list[str]
    topics: dict[str, list[str]]  # order_number, invoice_number, ... -> values
    threads: list[str]  # Message-IDs, call and chat ids
    entities: dict[str, Any]
    opened_at: dt.datetime
    updated_at: dt.datetime
    resolved_at: dt.datetime | None


class ConversationView(ConversationSummary, kw_only=True):
    messages: list[MessageView]
    decisions: list[DecisionSummary]
    events: list[EventView]


class ConversationPage(msgspec.Struct):
    items: list[ConversationSummary]
    next_cursor: str | None


def link_view(link: IdentityLink) -> LinkView:
    return LinkView(
        id=link.id,
        kind=link.kind,
        value=link.value,
        customer_id=link.customer_id,
        source=link.source,
        evidence=link.evidence,
        created_by=link.created_by,
        created_at=link.created_at,
        active=link.active,
        unlinked_at=link.unlinked_at,
        unlinked_by=link.unlinked_by,
        unlink_reason=link.unlink_reason,
    )


def summary(c: ConversationRecord) -> ConversationSummary:
    topics: dict[str, list[str]] = {}
    for ref in c.refs:
        if ref.kind != THREAD:
            topics.setdefault(ref.kind, []).append(ref.value)
    return ConversationSummary(
        id=c.id,
        customer_id=c.customer_id,
        status=c.status,
        queue=c.queue,
        assignee=c.assignee,
        channels=list(c.channels),
        topics=topics,
        threads=[ref.value for ref in c.refs if ref.kind == THREAD],
        entities=dict(c.entities),
        opened_at=c.opened_at,
        updated_at=c.updated_at,
        resolved_at=c.resolved_at,
    )


def conversation_view(store: ConversationStore, conversation_id: str) -> ConversationView:
    with store.reads() as reads:
        conversation = reads.conversations.get(conversation_id)
        if conversation is None:
            raise NotFound(f"There is no conversation {conversation_id!r}.")
        messages = reads.messages.of_conversation(conversation_id)
        decisions = reads.decisions.of_conversation(conversation_id)
        events = reads.events.of_conversation(conversation_id)
    base = msgspec.structs.asdict(summary(conversation))
    return ConversationView(
        **base,
        messages=[_message(m) for m in messages],
        decisions=[_decision(d) for d in decisions],
        events=[_event(e) for e in events],
    )


def customer_conversations(
    store: ConversationStore, customer_id: str, limit: int, cursor: str | None
) -> ConversationPage:
    """Newest opened first; `next_cursor` continues after the last item (None: no more)."""
    after = decode_cursor(cursor) if cursor else None
    with store.reads() as reads:
        found = reads.conversations.page(customer_id, limit + 1, after)
        if not found and after is None and reads.customers.get(customer_id) is None:
            raise NotFound(f"No customer {customer_id!r} is known.")
    items = found[:limit]
    more = len(found) > limit
    next_cursor = encode_cursor(Cursor(items[-1].opened_at, items[-1].id)) if more else None
    return ConversationPage([summary(c) for c in items], next_cursor)


def _message(m: MessageRecord) -> MessageView:
    return MessageView(
        id=m.id,
        direction=m.direction,
        channel=m.channel,
        text=m.text,
        created_at=m.created_at,
        subject=m.subject,
        thread_refs=list(m.thread_refs),
        decision_id=m.decision_id,
        gateway=m.gateway,
        metadata=dict(m.metadata),
    )


def _decision(d: DecisionRecord) -> DecisionSummary:
    return DecisionSummary(
        decision_id=d.id,
        channel=d.channel,
        revision=d.revision,
        outcome=d.outcome,
        intent=d.intent,
        queue=d.queue,
        reasons=list(d.reasons),
        created_at=d.created_at,
    )


def _event(e: EventRecord) -> EventView:
    return EventView(e.id, e.kind, e.actor, e.at, e.note, dict(e.data))
