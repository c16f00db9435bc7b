"""Decision records on SQLite: indexed columns plus the whole decision, inquiry and context."""

from __future__ import annotations

import datetime as dt
from typing import Any

import sqlite_utils

from switchboard.store.conversations.codec import first, from_json, rows, stamp, time_of, to_json
from switchboard.store.conversations.records import DecisionRecord


class SqliteDecisions:
    def __init__(self, db: sqlite_utils.Database) -> None:
        self.db = db

    def get(self, decision_id: str) -> DecisionRecord | None:
        row = first(self.db, "SELECT * FROM decisions WHERE id = ?", [decision_id])
        return None if row is None else _decision(row)

    def of_conversation(
        self, conversation_id: str, last: int | None = None
    ) -> list[DecisionRecord]:
        found = rows(
            self.db,
            "SELECT * FROM decisions WHERE conversation_id = ? "
            "ORDER BY created_at DESC, rowid DESC LIMIT ?",
            [conversation_id, -1 if last is None else last],
        )
        return [_decision(row) for row in reversed(found)]

    def recent(self, limit: int, before: dt.datetime | None = None) -> list[DecisionRecord]:
        where, args = ("WHERE created_at < ?", [stamp(before)]) if before else ("", [])
        found = rows(
            self.db,
            f"SELECT * FROM decisions {where} ORDER BY created_at DESC, rowid DESC LIMIT ?",
            [*args, limit],
        )
        return [_decision(row) for row in found]

    def add(self, decision: DecisionRecord) -> None:
        d = decision
        self.db.execute(
            "INSERT INTO decisions (id, conversation_id, customer_id, channel, revision, outcome, "
            "intent, queue, reasons, created_at, decision, inquiry, context) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [
                d.id,
                d.conversation_id,
                d.customer_id,
                d.channel,
                d.revision,
                d.outcome,
                d.intent,
                d.queue,
                to_json(list(d.reasons)),
                stamp(d.created_at),
                to_json(d.decision),
                to_json(d.inquiry),
                to_json(d.context),
            ],
        )
        for reason in dict.fromkeys(d.reasons):
            self.db.execute(
                "INSERT INTO decision_reasons (decision_id, reason) VALUES (?, ?)", [d.id, reason]
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
        reasons=tuple(from_json(row["reasons"], [])),
        created_at=time_of(row["created_at"]),
        decision=from_json(row["decision"], {}),
        inquiry=from_json(row["inquiry"], {}),
        context=from_json(row["context"], {}),
    )
