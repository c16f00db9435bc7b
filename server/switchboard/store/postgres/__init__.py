"""The store on PostgreSQL, for several runtime replicas sharing one database (needs the
`postgres` extra: psycopg and psycopg-pool). Same interfaces, same tests as on SQLite."""

from switchboard.store.postgres.database import PgDatabase
from switchboard.store.postgres.reminders import PgReminderStore
from switchboard.store.postgres.store import PgConversationStore

__all__ = ["PgConversationStore", "PgDatabase", "PgReminderStore"]
