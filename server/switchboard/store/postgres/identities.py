"""Customers and identity links on PostgreSQL."""

from __future__ import annotations

import datetime as dt
from typing import Any

from psycopg import Connection

from switchboard.store.conversations.records import CustomerRecord, IdentityLink
from switchboard.store.errors import LinkExists
from switchboard.store.postgres.values import (
    first,
    loaded,
    maybe_loaded,
    maybe_text,
    rows,
    text,
    utc,
)

_CUSTOMER_COLUMNS = ("id", "name", "tier", "account_no", "segment", "country", "locale")


class PgCustomers:
    def __init__(self, conn: Connection[Any]) -> None:
        self.conn = conn

    def get(self, customer_id: str) -> CustomerRecord | None:
        row = first(self.conn, "SELECT * FROM customers WHERE id = %s", [customer_id])
        if row is None:
            return None
        return CustomerRecord(
            **{name: row[name] for name in _CUSTOMER_COLUMNS}, updated_at=loaded(row["updated_at"])
        )

    def put(self, customer: CustomerRecord) -> None:
        at = customer.updated_at or dt.datetime.now(dt.UTC)
        values = [maybe_text(getattr(customer, name)) for name in _CUSTOMER_COLUMNS]
        self.conn.execute(
            "INSERT INTO customers (id, name, tier, account_no, segment, country, locale, "
            "updated_at) VALUES (%s, %s, %s, %s, %s, %s, %s, %s) ON CONFLICT (id) DO UPDATE SET "
            "name = excluded.name, tier = excluded.tier, account_no = excluded.account_no, "
            "segment = excluded.segment, country = excluded.country, locale = excluded.locale, "
            "updated_at = excluded.updated_at",
            [*values, utc(at)],
        )


class PgIdentities:
    def __init__(self, conn: Connection[Any]) -> None:
        self.conn = conn

    def get(self, link_id: str) -> IdentityLink | None:
        row = first(self.conn, "SELECT * FROM identity_links WHERE id = %s", [link_id])
        return None if row is None else _link(row)

    def active(self, kind: str, value: str) -> IdentityLink | None:
        row = first(
            self.conn,
            "SELECT * FROM identity_links WHERE kind = %s AND value = %s AND unlinked_at IS NULL",
            [kind, text(value)],
        )
        return None if row is None else _link(row)

    def of_customer(self, customer_id: str) -> list[IdentityLink]:
        found = rows(
            self.conn,
            "SELECT * FROM identity_links WHERE customer_id = %s ORDER BY created_at, id",
            [customer_id],
        )
        return [_link(row) for row in found]

    def add(self, link: IdentityLink) -> None:
        """Insert unless the identifier has a link in force; a link another transaction added
        meanwhile makes this one wait for it and then refuse (the transaction stays usable)."""
        existing = self.active(link.kind, link.value)
        if existing is not None:
            raise LinkExists(existing.id)
        cursor = self.conn.execute(
            "INSERT INTO identity_links (id, kind, value, customer_id, source, evidence, "
            "created_by, created_at) VALUES (%s, %s, %s, %s, %s, %s, %s, %s) "
            "ON CONFLICT (kind, value) WHERE unlinked_at IS NULL DO NOTHING",
            [
                link.id,
                link.kind,
                text(link.value),
                link.customer_id,
                link.source,
                text(link.evidence),
                text(link.created_by),
                utc(link.created_at),
            ],
        )
        if cursor.rowcount == 0:
            other = self.active(link.kind, link.value)
            raise LinkExists(other.id if other else "")

    def end(self, link_id: str, at: dt.datetime, by: str, reason: str) -> IdentityLink | None:
        row = first(
            self.conn,
            "UPDATE identity_links SET unlinked_at = %s, unlinked_by = %s, unlink_reason = %s "
            "WHERE id = %s AND unlinked_at IS NULL RETURNING *",
            [utc(at), text(by), text(reason), link_id],
        )
        return None if row is None else _link(row)


def _link(row: dict[str, Any]) -> IdentityLink:
    return IdentityLink(
        id=row["id"],
        kind=row["kind"],
        value=row["value"],
        customer_id=row["customer_id"],
        source=row["source"],
        evidence=row["evidence"],
        created_by=row["created_by"],
        created_at=loaded(row["created_at"]),
        unlinked_at=maybe_loaded(row["unlinked_at"]),
        unlinked_by=row["unlinked_by"],
        unlink_reason=row["unlink_reason"],
    )
