"""Everything one decided inquiry changes, as records for one write transaction: the customer,
new identity links, the conversation, the inbound message, the decision and the reply."""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import uuid

from switchboard.conversations.identify import record_of
from switchboard.conversations.replay import plain
from switchboard.conversations.topics import references, thread_refs, topic_refs
from switchboard.engine.types import Context, Decision, Inquiry
from switchboard.store.conversations import StoreWrites
from switchboard.store.conversations.records import (
    ConversationRecord,
    DecisionRecord,
    IdentityLink,
    MessageRecord,
)
from switchboard.store.errors import LinkExists

ERP_EVIDENCE = "ERP contact record"
SYSTEM_ACTOR = "switchboard"
ANSWERED = ("auto_reply", "clarify")
WRITE_TIMEOUT_S = 2.0  # longer than this for the writer means overload: refuse, do not queue


def new_id(prefix: str) -> str:
    return f"{prefix}_{uuid.uuid4().hex}"


def write_turn(
    writes: StoreWrites,
    inquiry: Inquiry,
    context: Context,
    matched: tuple[tuple[str, str], ...],
    decision: Decision,
    gateway: str | None,
) -> None:
    now, customer = context.now, context.customer
    if customer is not None:
        writes.customers.put(dataclasses.replace(record_of(customer), updated_at=now))
        _link_matched(writes, customer.id, matched, now)
    conversation = _conversation(writes, inquiry, context, decision)
    writes.conversations.put(conversation)
    writes.messages.add(_inbound(inquiry, context, conversation.id, decision, gateway))
    writes.decisions.add(_decision(inquiry, context, conversation.id, decision))
    if decision.reply is not None and decision.outcome in ANSWERED:
        reply = decision.reply
        outbound = MessageRecord(
            id=new_id("msg"),
            conversation_id=conversation.id,
            customer_id=customer.id if customer else None,
            direction="outbound",
            channel=reply.channel,
            text=reply.body,
            created_at=now,
            subject=reply.subject,
            decision_id=decision.decision_id,
            gateway=gateway,
        )
        writes.messages.add(outbound)


def _link_matched(
    writes: StoreWrites, customer_id: str, matched: tuple[tuple[str, str], ...], now: dt.datetime
) -> None:
    """Link what the ERP matched, unless someone linked it since (their link stands)."""
    for kind, value in matched:
        if writes.identities.active(kind, value) is None:
            link = IdentityLink(
                id=new_id("lnk"),
                kind=kind,  # type: ignore[arg-type]  # normalised() yields LINK_KINDS only
                value=value,
                customer_id=customer_id,
                source="erp_lookup",
                evidence=ERP_EVIDENCE,
                created_by=SYSTEM_ACTOR,
                created_at=now,
            )
            with contextlib.suppress(LinkExists):  # another replica linked it meanwhile
                writes.identities.add(link)


def _conversation(
    writes: StoreWrites, inquiry: Inquiry, context: Context, decision: Decision
) -> ConversationRecord:
    facts, now = context.conversation, context.now
    conversation_id = facts.id or new_id("cnv")
    existing = writes.conversations.get(conversation_id)
    if existing is None:
        customer_id = context.customer.id if context.customer else None
        existing = ConversationRecord(conversation_id, customer_id, "open", now, now)
    refs = (*existing.refs, *topic_refs(decision.entities), *thread_refs(inquiry.thread))
    return dataclasses.replace(
        existing,
        status="open",  # a message on a conversation resolved meanwhile opens it again
        resolved_at=None,
        updated_at=now,
        refs=tuple(dict.fromkeys(refs)),
        channels=tuple(dict.fromkeys((*existing.channels, inquiry.channel))),
        queue=decision.queue if decision.outcome == "route" else existing.queue,
        entities={**existing.entities, **references(decision.entities)},
    )


def _inbound(
    inquiry: Inquiry,
    context: Context,
    conversation_id: str,
    decision: Decision,
    gateway: str | None,
) -> MessageRecord:
    return MessageRecord(
        id=new_id("msg"),
        conversation_id=conversation_id,
        customer_id=context.customer.id if context.customer else None,
        direction="inbound",
        channel=inquiry.channel,
        text=inquiry.text,
        created_at=context.now,
        subject=inquiry.subject,
        thread_refs=tuple(ref.value for ref in thread_refs(inquiry.thread)),
        decision_id=decision.decision_id,
        sender=plain(inquiry.identifiers),
        gateway=gateway,
        metadata=dict(inquiry.metadata),
    )


def _decision(
    inquiry: Inquiry, context: Context, conversation_id: str, decision: Decision
) -> DecisionRecord:
    return DecisionRecord(
        id=decision.decision_id,
        conversation_id=conversation_id,
        customer_id=decision.customer_id,
        channel=inquiry.channel,
        revision=decision.revision,
        outcome=decision.outcome,
        intent=decision.intent,
        queue=decision.queue,
        reasons=tuple(decision.reasons),
        created_at=context.now,
        decision=plain(decision),
        inquiry=plain(inquiry),
        context=plain(context),
    )
