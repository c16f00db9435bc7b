"""Conversations and their topic and thread references on SQLite."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

import sqlite_utils

from switchboard.store.conversations.codec import (
    first,
    from_json,
    maybe_time,
    rows,
    stamp,
    time_of,
    to_json,
)
from switchboard.store.conversations.records import ConversationRecord, Cursor, Ref


class SqliteConversations:
    def __init__(self, db: sqlite_utils.Database) -> None:
        self.db = db

    def get(self, conversation_id: str) -> ConversationRecord | None:
        row = first(self.db, "SELECT * FROM conversations WHERE id = ?", [conversation_id])
        return None if row is None else self._record(row)

    def open_with_refs(
        self, customer_id: str, refs: Sequence[Ref], since: dt.datetime
    ) -> ConversationRecord | None:
        if not refs:
            return None
        wanted = " OR ".join("(r.kind = ? AND r.value = ?)" for _ in refs)
        row = first(
            self.db,
            "SELECT c.* FROM conversations c JOIN conversation_refs r ON r.conversation_id = c.id "
            f"WHERE c.customer_id = ? AND c.status = 'open' AND c.updated_at >= ? AND ({wanted}) "
            "ORDER BY c.updated_at DESC, c.id DESC LIMIT 1",
            [customer_id, stamp(since), *[v for ref in refs for v in (ref.kind, ref.value)]],
        )
        return None if row is None else self._record(row)

    def latest_open(self, customer_id: str, since: dt.datetime) -> ConversationRecord | None:
        row = first(
            self.db,
            "SELECT * FROM conversations WHERE customer_id = ? AND status = 'open' "
            "AND updated_at >= ? ORDER BY updated_at DESC, id DESC LIMIT 1",
            [customer_id, stamp(since)],
        )
        return None if row is None else self._record(row)

    def page(
        self, customer_id: str, limit: int, after: Cursor | None = None
    ) -> list[ConversationRecord]:
        where, args = "customer_id = ?", [customer_id]
        if after is not None:
            where += " AND (opened_at < ? OR (opened_at = ? AND id < ?))"
            args += [stamp(after.opened_at), stamp(after.opened_at), after.id]
        found = rows(
            self.db,
            f"SELECT * FROM conversations WHERE {where} ORDER BY opened_at DESC, id DESC LIMIT ?",
            [*args, limit],
        )
        return [self._record(row) for row in found]

    def put(self, conversation: ConversationRecord) -> None:
        c = conversation
        self.db.execute(
            "INSERT INTO conversations (id, customer_id, status, queue, assignee, channels, "
            "entities, opened_at, updated_at, resolved_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
            "ON CONFLICT (id) DO UPDATE SET customer_id = excluded.customer_id, "
            "status = excluded.status, queue = excluded.queue, assignee = excluded.assignee, "
            "channels = excluded.channels, entities = excluded.entities, "
            "updated_at = excluded.updated_at, resolved_at = excluded.resolved_at",
            [
                c.id,
                c.customer_id,
                c.status,
                c.queue,
                c.assignee,
                to_json(list(c.channels)),
                to_json(c.entities),
                stamp(c.opened_at),
                stamp(c.updated_at),
                None if c.resolved_at is None else stamp(c.resolved_at),
            ],
        )
        self.db.conn.executemany(
            "INSERT OR IGNORE INTO conversation_refs (conversation_id, kind, value) "
            "VALUES (?, ?, ?)",
            [[c.id, ref.kind, ref.value] for ref in dict.fromkeys(c.refs)],
        )

    def _record(self, row: dict[str, Any]) -> ConversationRecord:
        refs = self.db.execute(
            "SELECT kind, value FROM conversation_refs WHERE conversation_id = ? "
            "ORDER BY kind, value",
            [row["id"]],
        ).fetchall()
        return ConversationRecord(
            id=row["id"],
            customer_id=row["customer_id"],
            status=row["status"],
            opened_at=time_of(row["opened_at"]),
            updated_at=time_of(row["updated_at"]),
            refs=tuple(Ref(kind, value) for kind, value in refs),
            channels=tuple(from_json(row["channels"], [])),
            queue=row["queue"],
            assignee=row["assignee"],
            entities=from_json(row["entities"], {}),
            resolved_at=maybe_time(row["resolved_at"]),
        )
