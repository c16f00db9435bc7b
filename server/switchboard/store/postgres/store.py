"""`PgConversationStore`: the conversation store on PostgreSQL, shared by several replicas."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from psycopg import Connection

from switchboard.store.postgres.conversations import PgConversations
from switchboard.store.postgres.database import PgDatabase
from switchboard.store.postgres.decisions import PgDecisions
from switchboard.store.postgres.errors import guarded
from switchboard.store.postgres.identities import PgCustomers, PgIdentities
from switchboard.store.postgres.messages import PgEvents, PgMessages

POOL_SIZE = 10


@dataclass(frozen=True, slots=True)
class PgAreas:
    """Every area on one connection: autocommit reads, or one write transaction."""

    customers: PgCustomers
    identities: PgIdentities
    conversations: PgConversations
    messages: PgMessages
    decisions: PgDecisions
    events: PgEvents

    @classmethod
    def on(cls, conn: Connection[Any], *, writing: bool) -> PgAreas:
        return cls(
            PgCustomers(conn),
            PgIdentities(conn),
            PgConversations(conn, lock=writing),
            PgMessages(conn),
            PgDecisions(conn),
            PgEvents(conn),
        )


class PgConversationStore:
    def __init__(self, database: PgDatabase) -> None:
        self.database = database

    @classmethod
    def open(cls, url: str, pool_size: int = POOL_SIZE) -> PgConversationStore:
        """Migrate the database at `url` as needed and open a pool of `pool_size` connections."""
        return cls(PgDatabase.open(url, max_size=pool_size, name="switchboard-conversations"))

    @contextmanager
    def reads(self) -> Iterator[PgAreas]:
        with guarded("reading"), self.database.connection() as conn:
            yield PgAreas.on(conn, writing=False)

    @contextmanager
    def transaction(self, timeout: float | None = None) -> Iterator[PgAreas]:
        with guarded("writing"), self.database.transaction(timeout) as conn:
            yield PgAreas.on(conn, writing=True)

    def close(self) -> None:
        self.database.close()
