"""Messages and conversation events on PostgreSQL."""

from __future__ import annotations

import datetime as dt
from typing import Any

from psycopg import Connection

from switchboard.store.conversations.records import EventRecord, MessageRecord
from switchboard.store.postgres.values import (
    document,
    loaded,
    maybe_text,
    rows,
    text,
    utc,
)


class PgMessages:
    def __init__(self, conn: Connection[Any]) -> None:
        self.conn = conn

    def of_conversation(self, conversation_id: str) -> list[MessageRecord]:
        found = rows(
            self.conn,
            "SELECT * FROM messages WHERE conversation_id = %s ORDER BY created_at, seq",
            [conversation_id],
        )
        return [_message(row) for row in found]

    def inbound_count(self, customer_id: str, since: dt.datetime) -> int:
        row = self.conn.execute(
            "SELECT count(*) FROM messages WHERE customer_id = %s AND direction = 'inbound' "
            "AND created_at >= %s",
            [customer_id, utc(since)],
        ).fetchone()
        return int(row[0]) if row else 0

    def add(self, message: MessageRecord) -> None:
        m = message
        self.conn.execute(
            "INSERT INTO messages (id, conversation_id, customer_id, direction, channel, text, "
            "subject, thread_refs, decision_id, sender, gateway, metadata, created_at) "
            "VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s)",
            [
                m.id,
                m.conversation_id,
                m.customer_id,
                m.direction,
                m.channel,
                text(m.text),
                maybe_text(m.subject),
                document(list(m.thread_refs)),
                m.decision_id,
                document(m.sender),
                maybe_text(m.gateway),
                document(m.metadata),
                utc(m.created_at),
            ],
        )


class PgEvents:
    def __init__(self, conn: Connection[Any]) -> None:
        self.conn = conn

    def of_conversation(self, conversation_id: str) -> list[EventRecord]:
        found = rows(
            self.conn,
            "SELECT * FROM conversation_events WHERE conversation_id = %s ORDER BY at, seq",
            [conversation_id],
        )
        return [
            EventRecord(
                id=row["id"],
                conversation_id=row["conversation_id"],
                kind=row["kind"],
                actor=row["actor"],
                at=loaded(row["at"]),
                note=row["note"],
                data=row["data"],
            )
            for row in found
        ]

    def add(self, event: EventRecord) -> None:
        self.conn.execute(
            "INSERT INTO conversation_events (id, conversation_id, kind, actor, at, note, data) "
            "VALUES (%s, %s, %s, %s, %s, %s, %s)",
            [
                event.id,
                event.conversation_id,
                event.kind,
                text(event.actor),
                utc(event.at),
                maybe_text(event.note),
                document(event.data),
            ],
        )


def _message(row: dict[str, Any]) -> MessageRecord:
    return MessageRecord(
        id=row["id"],
        conversation_id=row["conversation_id"],
        customer_id=row["customer_id"],
        direction=row["direction"],
        channel=row["channel"],
        text=row["text"],
        created_at=loaded(row["created_at"]),
        subject=row["subject"],
        thread_refs=tuple(row["thread_refs"]),
        decision_id=row["decision_id"],
        sender=row["sender"],
        gateway=row["gateway"],
        metadata=row["metadata"],
    )
