"""Conversations and their topic and thread references on PostgreSQL.

Inside a write transaction `get` locks the conversation's row (SELECT ... FOR UPDATE) before
reading it, so two replicas adding to one conversation take turns: the second reads what the
first committed, and no merge of references, channels or entities is lost.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from psycopg import Connection

from switchboard.store.conversations.records import ConversationRecord, Cursor, Ref
from switchboard.store.postgres.values import (
    document,
    first,
    loaded,
    maybe_loaded,
    maybe_text,
    maybe_utc,
    rows,
    text,
    utc,
)

_REFS = (
    "COALESCE((SELECT jsonb_agg(jsonb_build_array(r.kind, r.value) "
    'ORDER BY r.kind COLLATE "C", r.value COLLATE "C") '  # the order SQLite gives
    "FROM conversation_refs r WHERE r.conversation_id = c.id), '[]'::jsonb) AS refs"
)
_SELECT = f"SELECT c.*, {_REFS} FROM conversations c"


class PgConversations:
    def __init__(self, conn: Connection[Any], *, lock: bool = False) -> None:
        self.conn = conn
        self.lock = lock  # inside a write transaction: `get` locks the row

    def get(self, conversation_id: str) -> ConversationRecord | None:
        if self.lock:
            sql = "SELECT id FROM conversations WHERE id = %s FOR UPDATE"
            locked = first(self.conn, sql, [conversation_id])
            if locked is None:
                return None
        # a statement after the lock sees what the transaction we waited for committed
        row = first(self.conn, f"{_SELECT} WHERE c.id = %s", [conversation_id])
        return None if row is None else _record(row)

    def open_with_refs(
        self, customer_id: str, refs: Sequence[Ref], since: dt.datetime
    ) -> ConversationRecord | None:
        if not refs:
            return None
        row = first(
            self.conn,
            f"{_SELECT} WHERE c.customer_id = %s AND c.status = 'open' AND c.updated_at >= %s "
            "AND EXISTS (SELECT 1 FROM conversation_refs r "
            "JOIN unnest(%s::text[], %s::text[]) AS w (kind, value) "
            "ON r.kind = w.kind AND r.value = w.value WHERE r.conversation_id = c.id) "
            "ORDER BY c.updated_at DESC, c.id DESC LIMIT 1",
            [
                customer_id,
                utc(since),
                [text(ref.kind) for ref in refs],
                [text(ref.value) for ref in refs],
            ],
        )
        return None if row is None else _record(row)

    def latest_open(self, customer_id: str, since: dt.datetime) -> ConversationRecord | None:
        row = first(
            self.conn,
            f"{_SELECT} WHERE c.customer_id = %s AND c.status = 'open' AND c.updated_at >= %s "
            "ORDER BY c.updated_at DESC, c.id DESC LIMIT 1",
            [customer_id, utc(since)],
        )
        return None if row is None else _record(row)

    def page(
        self, customer_id: str, limit: int, after: Cursor | None = None
    ) -> list[ConversationRecord]:
        where, args = "c.customer_id = %s", list[Any]([customer_id])
        if after is not None:
            where += " AND (c.opened_at, c.id) < (%s, %s)"
            args += [utc(after.opened_at), after.id]
        found = rows(
            self.conn,
            f"{_SELECT} WHERE {where} ORDER BY c.opened_at DESC, c.id DESC LIMIT %s",
            [*args, limit],
        )
        return [_record(row) for row in found]

    def put(self, conversation: ConversationRecord) -> None:
        c = conversation
        self.conn.execute(
            "INSERT INTO conversations (id, customer_id, status, queue, assignee, channels, "
            "entities, opened_at, updated_at, resolved_at) "
            "VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s) "
            "ON CONFLICT (id) DO UPDATE SET customer_id = excluded.customer_id, "
            "status = excluded.status, queue = excluded.queue, assignee = excluded.assignee, "
            "channels = excluded.channels, entities = excluded.entities, "
            "updated_at = excluded.updated_at, resolved_at = excluded.resolved_at",
            [
                c.id,
                c.customer_id,
                c.status,
                maybe_text(c.queue),
                maybe_text(c.assignee),
                document(list(c.channels)),
                document(c.entities),
                utc(c.opened_at),
                utc(c.updated_at),
                maybe_utc(c.resolved_at),
            ],
        )
        refs = list(dict.fromkeys(c.refs))
        if refs:
            self.conn.execute(
                "INSERT INTO conversation_refs (conversation_id, kind, value) "
                "SELECT %s, kind, value FROM unnest(%s::text[], %s::text[]) AS t (kind, value) "
                "ON CONFLICT DO NOTHING",
                [c.id, [text(r.kind) for r in refs], [text(r.value) for r in refs]],
            )


def _record(row: dict[str, Any]) -> ConversationRecord:
    return ConversationRecord(
        id=row["id"],
        customer_id=row["customer_id"],
        status=row["status"],
        opened_at=loaded(row["opened_at"]),
        updated_at=loaded(row["updated_at"]),
        refs=tuple(Ref(kind, value) for kind, value in row["refs"]),
        channels=tuple(row["channels"]),
        queue=row["queue"],
        assignee=row["assignee"],
        entities=row["entities"],
        resolved_at=maybe_loaded(row["resolved_at"]),
    )
