"""`SqliteConversationStore`: the conversation store on the embedded database."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import sqlite_utils

from switchboard.store.conversations import schema as _schema  # noqa: F401 - registers tables
from switchboard.store.conversations.sqlite_conversations import SqliteConversations
from switchboard.store.conversations.sqlite_decisions import SqliteDecisions
from switchboard.store.conversations.sqlite_identities import SqliteCustomers, SqliteIdentities
from switchboard.store.conversations.sqlite_messages import SqliteEvents, SqliteMessages
from switchboard.store.db import Database
from switchboard.store.errors import guarded


@dataclass(frozen=True, slots=True)
class SqliteAreas:
    """Every area on one connection: the thread's reader, or the writer in a transaction."""

    customers: SqliteCustomers
    identities: SqliteIdentities
    conversations: SqliteConversations
    messages: SqliteMessages
    decisions: SqliteDecisions
    events: SqliteEvents

    @classmethod
    def on(cls, db: sqlite_utils.Database) -> SqliteAreas:
        return cls(
            SqliteCustomers(db),
            SqliteIdentities(db),
            SqliteConversations(db),
            SqliteMessages(db),
            SqliteDecisions(db),
            SqliteEvents(db),
        )


class SqliteConversationStore:
    def __init__(self, database: Database) -> None:
        self.database = database

    @classmethod
    def open(cls, path: Path) -> SqliteConversationStore:
        """Open (creating and migrating as needed) the database file at `path`."""
        return cls(Database.open(path))

    @contextmanager
    def reads(self) -> Iterator[SqliteAreas]:
        with guarded("reading"):
            yield SqliteAreas.on(self.database.read())

    @contextmanager
    def transaction(self, timeout: float | None = None) -> Iterator[SqliteAreas]:
        with guarded("writing"), self.database.write(timeout) as db:
            yield SqliteAreas.on(db)

    def close(self) -> None:
        self.database.close()
