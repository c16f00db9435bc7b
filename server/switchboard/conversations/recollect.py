"""The conversation facts the engine reads (`conversation.*`) and the turns an agent sees."""

from __future__ import annotations

import datetime as dt

from switchboard.engine.types import ConversationFacts
from switchboard.store.conversations import StoreReads
from switchboard.store.conversations.records import ConversationRecord, DecisionRecord

CONTACT_DAYS = 7
EARLIER_TURNS = 5


def facts_for(
    reads: StoreReads,
    customer_id: str | None,
    conversation: ConversationRecord | None,
    new_id: str,
    now: dt.datetime,
) -> ConversationFacts:
    """Facts for an inquiry joining `conversation` (None: it opens conversation `new_id`)."""
    contacts = 1  # this inquiry
    if customer_id is not None:
        since = now - dt.timedelta(days=CONTACT_DAYS)
        contacts += reads.messages.inbound_count(customer_id, since)
    if conversation is None:
        return ConversationFacts(id=new_id, contacts_last_7d=contacts)
    earlier = reads.decisions.of_conversation(conversation.id, last=EARLIER_TURNS)
    return ConversationFacts(
        id=conversation.id,
        contacts_last_7d=contacts,
        open=conversation.status == "open",
        queue=conversation.queue,
        previous_intent=earlier[-1].intent if earlier else None,
        entities=dict(conversation.entities),
        summary=[turn_line(turn) for turn in earlier],
    )


def turn_line(turn: DecisionRecord) -> str:
    """`2026-12-01 09:30 UTC email: order_status -> route (order_desk)`."""
    at = turn.created_at.astimezone(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
    line = f"{at} {turn.channel}: {turn.intent} -> {turn.outcome}"
    return f"{line} ({turn.queue})" if turn.outcome == "route" and turn.queue else line
