"""Applies the PostgreSQL migrations not yet recorded in `schema_migrations`.

Every replica migrates at start. The whole run holds a transaction-level advisory lock, so two
replicas starting together take turns: the second waits, then finds nothing left to do. The
run is one transaction (PostgreSQL's DDL is transactional): all pending steps, or none.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any

from psycopg import Connection

from switchboard.store.postgres.schema import MIGRATIONS, PgMigration

log = logging.getLogger("switchboard.store")

MIGRATION_LOCK = 0x5377_4D69_6772  # the advisory lock key of schema changes ("SwMigr")


def migrate(conn: Connection[Any], migrations: Sequence[PgMigration] = MIGRATIONS) -> list[str]:
    """Apply what is pending on `conn` (autocommit); returns the steps applied as 'area/version'."""
    applied: list[str] = []
    with conn.transaction():
        conn.execute("SELECT pg_advisory_xact_lock(%s)", [MIGRATION_LOCK])
        conn.execute(
            "CREATE TABLE IF NOT EXISTS schema_migrations (area TEXT NOT NULL, "
            "version INTEGER NOT NULL, applied_at TIMESTAMPTZ NOT NULL DEFAULT now(), "
            "PRIMARY KEY (area, version))"
        )
        done = {(a, v) for a, v in conn.execute("SELECT area, version FROM schema_migrations")}
        for step in migrations:
            if (step.area, step.version) in done:
                continue
            for statement in step.statements:
                conn.execute(statement)
            conn.execute(
                "INSERT INTO schema_migrations (area, version) VALUES (%s, %s)",
                [step.area, step.version],
            )
            applied.append(f"{step.area}/{step.version}")
    if applied:
        log.info("database migrated: %s", ", ".join(applied))
    return applied
