"""Customers and identity links on SQLite."""

from __future__ import annotations

import datetime as dt
import sqlite3
from typing import Any

import sqlite_utils

from switchboard.store.conversations.codec import first, maybe_time, rows, stamp, time_of
from switchboard.store.conversations.records import CustomerRecord, IdentityLink
from switchboard.store.errors import LinkExists

_CUSTOMER_COLUMNS = ("id", "name", "tier", "account_no", "segment", "country", "locale")


class SqliteCustomers:
    def __init__(self, db: sqlite_utils.Database) -> None:
        self.db = db

    def get(self, customer_id: str) -> CustomerRecord | None:
        row = first(self.db, "SELECT * FROM customers WHERE id = ?", [customer_id])
        if row is None:
            return None
        return CustomerRecord(
            **{name: row[name] for name in _CUSTOMER_COLUMNS},
            updated_at=time_of(row["updated_at"]),
        )

    def put(self, customer: CustomerRecord) -> None:
        at = customer.updated_at or dt.datetime.now(dt.UTC)
        values = [getattr(customer, name) for name in _CUSTOMER_COLUMNS]
        self.db.execute(
            "INSERT OR REPLACE INTO customers (id, name, tier, account_no, segment, country, "
            "locale, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            [*values, stamp(at)],
        )


class SqliteIdentities:
    def __init__(self, db: sqlite_utils.Database) -> None:
        self.db = db

    def get(self, link_id: str) -> IdentityLink | None:
        row = first(self.db, "SELECT * FROM identity_links WHERE id = ?", [link_id])
        return None if row is None else _link(row)

    def active(self, kind: str, value: str) -> IdentityLink | None:
        row = first(
            self.db,
            "SELECT * FROM identity_links WHERE kind = ? AND value = ? AND unlinked_at IS NULL",
            [kind, value],
        )
        return None if row is None else _link(row)

    def of_customer(self, customer_id: str) -> list[IdentityLink]:
        found = rows(
            self.db,
            "SELECT * FROM identity_links WHERE customer_id = ? ORDER BY created_at, id",
            [customer_id],
        )
        return [_link(row) for row in found]

    def add(self, link: IdentityLink) -> None:
        existing = self.active(link.kind, link.value)
        if existing is not None:
            raise LinkExists(existing.id)
        try:
            self.db.execute(
                "INSERT INTO identity_links (id, kind, value, customer_id, source, evidence, "
                "created_by, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                [
                    link.id,
                    link.kind,
                    link.value,
                    link.customer_id,
                    link.source,
                    link.evidence,
                    link.created_by,
                    stamp(link.created_at),
                ],
            )
        except sqlite3.IntegrityError as exc:  # another writer linked it in the meantime
            raise LinkExists("") from exc

    def end(self, link_id: str, at: dt.datetime, by: str, reason: str) -> IdentityLink | None:
        cursor = self.db.execute(
            "UPDATE identity_links SET unlinked_at = ?, unlinked_by = ?, unlink_reason = ? "
            "WHERE id = ? AND unlinked_at IS NULL",
            [stamp(at), by, reason, link_id],
        )
        return self.get(link_id) if cursor.rowcount else None


def _link(row: dict[str, Any]) -> IdentityLink:
    return IdentityLink(
        id=row["id"],
        kind=row["kind"],
        value=row["value"],
        customer_id=row["customer_id"],
        source=row["source"],
        evidence=row["evidence"],
        created_by=row["created_by"],
        created_at=time_of(row["created_at"]),
        unlinked_at=maybe_time(row["unlinked_at"]),
        unlinked_by=row["unlinked_by"],
        unlink_reason=row["unlink_reason"],
    )
