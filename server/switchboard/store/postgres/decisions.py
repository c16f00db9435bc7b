"""Decision records on PostgreSQL: indexed columns plus the whole decision, inquiry and context."""

from __future__ import annotations

import datetime as dt
from typing import Any

from psycopg import Connection

from switchboard.store.conversations.records import DecisionRecord
from switchboard.store.postgres.values import document, first, loaded, rows, text, utc


class PgDecisions:
    def __init__(self, conn: Connection[Any]) -> None:
        self.conn = conn

    def get(self, decision_id: str) -> DecisionRecord | None:
        row = first(self.conn, "SELECT * FROM decisions WHERE id = %s", [decision_id])
        return None if row is None else _decision(row)

    def of_conversation(
        self, conversation_id: str, last: int | None = None
    ) -> list[DecisionRecord]:
        found = rows(
            self.conn,
            "SELECT * FROM decisions WHERE conversation_id = %s "
            "ORDER BY created_at DESC, seq DESC LIMIT %s",
            [conversation_id, last],  # LIMIT NULL: all of them
        )
        return [_decision(row) for row in reversed(found)]

    def recent(self, limit: int, before: dt.datetime | None = None) -> list[DecisionRecord]:
        where, args = ("WHERE created_at < %s", [utc(before)]) if before else ("", [])
        found = rows(
            self.conn,
            f"SELECT * FROM decisions {where} ORDER BY created_at DESC, seq DESC LIMIT %s",
            [*args, limit],
        )
        return [_decision(row) for row in found]

    def add(self, decision: DecisionRecord) -> None:
        d = decision
        reasons = list(dict.fromkeys(text(reason) for reason in d.reasons))
        self.conn.execute(
            "INSERT INTO decisions (id, conversation_id, customer_id, channel, revision, outcome, "
            "intent, queue, reasons, created_at, decision, inquiry, context) "
            "VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s)",
            [
                d.id,
                d.conversation_id,
                d.customer_id,
                d.channel,
                d.revision,
                d.outcome,
                d.intent,
                d.queue,
                document(list(d.reasons)),
                utc(d.created_at),
                document(d.decision),
                document(d.inquiry),
                document(d.context),
            ],
        )
        if reasons:
            self.conn.execute(
                "INSERT INTO decision_reasons (decision_id, reason) SELECT %s, unnest(%s::text[])",
                [d.id, reasons],
            )


def _decision(row: dict[str, Any]) -> DecisionRecord:
    return DecisionRecord(
        id=row["id"],
        conversation_id=row["conversation_id"],
        customer_id=row["customer_id"],
        channel=row["channel"],
        revision=row["revision"],
        outcome=row["outcome"],
        intent=row["intent"],
        queue=row["queue"],
        reasons=tuple(row["reasons"]),
        created_at=loaded(row["created_at"]),
        decision=row["decision"],
        inquiry=row["inquiry"],
        context=row["context"],
    )
