"""Messages and conversation events on SQLite."""

from __future__ import annotations

import datetime as dt
from typing import Any

import sqlite_utils

from switchboard.store.conversations.codec import from_json, rows, stamp, time_of, to_json
from switchboard.store.conversations.records import EventRecord, MessageRecord


class SqliteMessages:
    def __init__(self, db: sqlite_utils.Database) -> None:
        self.db = db

    def of_conversation(self, conversation_id: str) -> list[MessageRecord]:
        found = rows(
            self.db,
            "SELECT * FROM messages WHERE conversation_id = ? ORDER BY created_at, rowid",
            [conversation_id],
        )
        return [_message(row) for row in found]

    def inbound_count(self, customer_id: str, since: dt.datetime) -> int:
        row = self.db.execute(
            "SELECT count(*) FROM messages WHERE customer_id = ? AND direction = 'inbound' "
            "AND created_at >= ?",
            [customer_id, stamp(since)],
        ).fetchone()
        return int(row[0])

    def add(self, message: MessageRecord) -> None:
        m = message
        self.db.execute(
            "INSERT INTO messages (id, conversation_id, customer_id, direction, channel, text, "
            "subject, thread_refs, decision_id, sender, gateway, metadata, created_at) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [
                m.id,
                m.conversation_id,
                m.customer_id,
                m.direction,
                m.channel,
                m.text,
                m.subject,
                to_json(list(m.thread_refs)),
                m.decision_id,
                to_json(m.sender),
                m.gateway,
                to_json(m.metadata),
                stamp(m.created_at),
            ],
        )


class SqliteEvents:
    def __init__(self, db: sqlite_utils.Database) -> None:
        self.db = db

    def of_conversation(self, conversation_id: str) -> list[EventRecord]:
        found = rows(
            self.db,
            "SELECT * FROM conversation_events WHERE conversation_id = ? ORDER BY at, rowid",
            [conversation_id],
        )
        return [
            EventRecord(
                id=row["id"],
                conversation_id=row["conversation_id"],
                kind=row["kind"],
                actor=row["actor"],
                at=time_of(row["at"]),
                note=row["note"],
                data=from_json(row["data"], {}),
            )
            for row in found
        ]

    def add(self, event: EventRecord) -> None:
        self.db.execute(
            "INSERT INTO conversation_events (id, conversation_id, kind, actor, at, note, data) "
            "VALUES (?, ?, ?, ?, ?, ?, ?)",
            [
                event.id,
                event.conversation_id,
                event.kind,
                event.actor,
                stamp(event.at),
                event.note,
                to_json(event.data),
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
        created_at=time_of(row["created_at"]),
        subject=row["subject"],
        thread_refs=tuple(from_json(row["thread_refs"], [])),
        decision_id=row["decision_id"],
        sender=from_json(row["sender"], {}),
        gateway=row["gateway"],
        metadata=from_json(row["metadata"], {}),
    )
