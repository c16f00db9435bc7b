"""The tables on PostgreSQL, as versioned migrations per area (applied by `migrations.py`).

The same areas and columns as on SQLite, with PostgreSQL's types: TIMESTAMPTZ for times,
JSONB for documents. `seq` keeps the order of insertion where two rows share a time (SQLite's
rowid does that there). A migration, once released, is never edited: a change is a new version.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class PgMigration:
    area: str
    version: int
    statements: tuple[str, ...]


CONVERSATIONS_1 = (
    """CREATE TABLE customers (
        id TEXT PRIMARY KEY, name TEXT NOT NULL, tier TEXT NOT NULL, account_no TEXT,
        segment TEXT, country TEXT, locale TEXT, updated_at TIMESTAMPTZ NOT NULL)""",
    """CREATE TABLE identity_links (
        id TEXT PRIMARY KEY, kind TEXT NOT NULL, value TEXT NOT NULL,
        customer_id TEXT NOT NULL, source TEXT NOT NULL, evidence TEXT NOT NULL,
        created_by TEXT NOT NULL, created_at TIMESTAMPTZ NOT NULL,
        unlinked_at TIMESTAMPTZ, unlinked_by TEXT, unlink_reason TEXT)""",
    """CREATE UNIQUE INDEX identity_links_in_force ON identity_links (kind, value)
        WHERE unlinked_at IS NULL""",
    "CREATE INDEX identity_links_customer ON identity_links (customer_id, created_at)",
    """CREATE TABLE conversations (
        id TEXT PRIMARY KEY, customer_id TEXT, status TEXT NOT NULL, queue TEXT, assignee TEXT,
        channels JSONB NOT NULL, entities JSONB NOT NULL, opened_at TIMESTAMPTZ NOT NULL,
        updated_at TIMESTAMPTZ NOT NULL, resolved_at TIMESTAMPTZ)""",
    "CREATE INDEX conversations_open ON conversations (customer_id, status, updated_at)",
    "CREATE INDEX conversations_opened ON conversations (customer_id, opened_at, id)",
    """CREATE TABLE conversation_refs (
        conversation_id TEXT NOT NULL REFERENCES conversations (id),
        kind TEXT NOT NULL, value TEXT NOT NULL, PRIMARY KEY (conversation_id, kind, value))""",
    "CREATE INDEX conversation_refs_value ON conversation_refs (kind, value)",
    """CREATE TABLE messages (
        seq BIGINT GENERATED ALWAYS AS IDENTITY, id TEXT PRIMARY KEY,
        conversation_id TEXT NOT NULL REFERENCES conversations (id), customer_id TEXT,
        direction TEXT NOT NULL, channel TEXT NOT NULL, text TEXT NOT NULL, subject TEXT,
        thread_refs JSONB NOT NULL, decision_id TEXT, sender JSONB NOT NULL, gateway TEXT,
        metadata JSONB NOT NULL, created_at TIMESTAMPTZ NOT NULL)""",
    "CREATE INDEX messages_conversation ON messages (conversation_id, created_at, seq)",
    "CREATE INDEX messages_customer ON messages (customer_id, direction, created_at)",
    """CREATE TABLE decisions (
        seq BIGINT GENERATED ALWAYS AS IDENTITY, id TEXT PRIMARY KEY,
        conversation_id TEXT REFERENCES conversations (id), customer_id TEXT,
        channel TEXT NOT NULL, revision TEXT NOT NULL, outcome TEXT NOT NULL,
        intent TEXT NOT NULL, queue TEXT, reasons JSONB NOT NULL,
        created_at TIMESTAMPTZ NOT NULL, decision JSONB NOT NULL, inquiry JSONB NOT NULL,
        context JSONB NOT NULL)""",
    "CREATE INDEX decisions_conversation ON decisions (conversation_id, created_at, seq)",
    "CREATE INDEX decisions_created ON decisions (created_at, seq)",
    "CREATE INDEX decisions_revision ON decisions (revision, created_at)",
    "CREATE INDEX decisions_intent ON decisions (intent, outcome, created_at)",
    "CREATE INDEX decisions_queue ON decisions (queue, created_at)",
    """CREATE TABLE decision_reasons (
        decision_id TEXT NOT NULL REFERENCES decisions (id), reason TEXT NOT NULL,
        PRIMARY KEY (decision_id, reason))""",
    "CREATE INDEX decision_reasons_reason ON decision_reasons (reason)",
    """CREATE TABLE conversation_events (
        seq BIGINT GENERATED ALWAYS AS IDENTITY, id TEXT PRIMARY KEY,
        conversation_id TEXT NOT NULL REFERENCES conversations (id), kind TEXT NOT NULL,
        actor TEXT NOT NULL, at TIMESTAMPTZ NOT NULL, note TEXT, data JSONB NOT NULL)""",
    """CREATE INDEX conversation_events_conversation
        ON conversation_events (conversation_id, at, seq)""",
)

REMINDERS_1 = (
    """CREATE TABLE reminder_deliveries (
        kind TEXT NOT NULL, path TEXT NOT NULL, due DATE NOT NULL,
        channel TEXT NOT NULL, recipient TEXT NOT NULL,
        first_sent_at TIMESTAMPTZ NOT NULL, last_sent_at TIMESTAMPTZ NOT NULL,
        times INTEGER NOT NULL DEFAULT 1,
        PRIMARY KEY (kind, path, due, channel, recipient))""",
    """CREATE TABLE reminder_state (
        name TEXT PRIMARY KEY, value TEXT NOT NULL, updated_at TIMESTAMPTZ NOT NULL)""",
)

MIGRATIONS: tuple[PgMigration, ...] = (
    PgMigration("conversations", 1, CONVERSATIONS_1),
    PgMigration("reminders", 1, REMINDERS_1),
)
