"""The conversation store's tables (migration area `conversations`).

Identity links are never deleted: ending one sets `unlinked_*`, and a partial unique index lets
each identifier have at most one link in force. Decisions keep the whole Decision, Inquiry and
Context as JSON beside the columns reports and replays filter on.
"""

from __future__ import annotations

import sqlite_utils

from switchboard.store.db import migration

AREA = "conversations"

_TABLES = (
    """CREATE TABLE customers (
        id TEXT PRIMARY KEY, name TEXT NOT NULL, tier TEXT NOT NULL, account_no TEXT,
        segment TEXT, country TEXT, locale TEXT, updated_at TEXT NOT NULL)""",
    """CREATE TABLE identity_links (
        id TEXT PRIMARY KEY, kind TEXT NOT NULL, value TEXT NOT NULL,
        customer_id TEXT NOT NULL, source TEXT NOT NULL, evidence TEXT NOT NULL,
        created_by TEXT NOT NULL, created_at TEXT NOT NULL,
        unlinked_at TEXT, unlinked_by TEXT, unlink_reason TEXT)""",
    """CREATE UNIQUE INDEX identity_links_in_force ON identity_links (kind, value)
        WHERE unlinked_at IS NULL""",
    "CREATE INDEX identity_links_customer ON identity_links (customer_id, created_at)",
    """CREATE TABLE conversations (
        id TEXT PRIMARY KEY, customer_id TEXT, status TEXT NOT NULL, queue TEXT, assignee TEXT,
        channels TEXT NOT NULL, entities TEXT NOT NULL,
        opened_at TEXT NOT NULL, updated_at TEXT NOT NULL, resolved_at TEXT)""",
    "CREATE INDEX conversations_open ON conversations (customer_id, status, updated_at)",
    "CREATE INDEX conversations_opened ON conversations (customer_id, opened_at, id)",
    """CREATE TABLE conversation_refs (
        conversation_id TEXT NOT NULL REFERENCES conversations (id),
        kind TEXT NOT NULL, value TEXT NOT NULL, PRIMARY KEY (conversation_id, kind, value))""",
    "CREATE INDEX conversation_refs_value ON conversation_refs (kind, value)",
    """CREATE TABLE messages (
        id TEXT PRIMARY KEY, conversation_id TEXT NOT NULL REFERENCES conversations (id),
        customer_id TEXT, direction TEXT NOT NULL, channel TEXT NOT NULL, text TEXT NOT NULL,
        subject TEXT, thread_refs TEXT NOT NULL, decision_id TEXT, sender TEXT NOT NULL,
        gateway TEXT, metadata TEXT NOT NULL, created_at TEXT NOT NULL)""",
    "CREATE INDEX messages_conversation ON messages (conversation_id, created_at)",
    "CREATE INDEX messages_customer ON messages (customer_id, direction, created_at)",
    """CREATE TABLE decisions (
        id TEXT PRIMARY KEY, conversation_id TEXT REFERENCES conversations (id),
        customer_id TEXT, channel TEXT NOT NULL, revision TEXT NOT NULL, outcome TEXT NOT NULL,
        intent TEXT NOT NULL, queue TEXT, reasons TEXT NOT NULL, created_at TEXT NOT NULL,
        decision TEXT NOT NULL, inquiry TEXT NOT NULL, context TEXT NOT NULL)""",
    "CREATE INDEX decisions_conversation ON decisions (conversation_id, created_at)",
    "CREATE INDEX decisions_created ON decisions (created_at)",
    "CREATE INDEX decisions_revision ON decisions (revision, created_at)",
    "CREATE INDEX decisions_intent ON decisions (intent, outcome, created_at)",
    "CREATE INDEX decisions_queue ON decisions (queue, created_at)",
    """CREATE TABLE decision_reasons (
        decision_id TEXT NOT NULL REFERENCES decisions (id), reason TEXT NOT NULL,
        PRIMARY KEY (decision_id, reason))""",
    "CREATE INDEX decision_reasons_reason ON decision_reasons (reason)",
    """CREATE TABLE conversation_events (
        id TEXT PRIMARY KEY, conversation_id TEXT NOT NULL REFERENCES conversations (id),
        kind TEXT NOT NULL, actor TEXT NOT NULL, at TEXT NOT NULL, note TEXT,
        data TEXT NOT NULL)""",
    "CREATE INDEX conversation_events_conversation ON conversation_events (conversation_id, at)",
)


@migration(AREA, 1)
def _create_tables(db: sqlite_utils.Database) -> None:
    for statement in _TABLES:
        db.execute(statement)
