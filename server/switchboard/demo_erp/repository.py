"""Reads of the demo ERP database for the HTTP facade, shaped as the facade's JSON objects."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any


@contextmanager
def connect_read_only(path: Path) -> Iterator[sqlite3.Connection]:
    connection = sqlite3.connect(f"{Path(path).resolve().as_uri()}?mode=ro", uri=True)
    try:
        connection.row_factory = sqlite3.Row
        yield connection
    finally:
        connection.close()


def shipment(connection: sqlite3.Connection, order_no: str) -> dict[str, Any] | None:
    """The latest shipment of an order, with the ordering customer's id."""
    row = connection.execute(
        """
        SELECT s.*, o.customer_id FROM shipments s JOIN orders o ON o.order_no = s.order_no
        WHERE s.order_no = ? ORDER BY s.shipped_at DESC, s.shipment_id DESC LIMIT 1
        """,
        (order_no,),
    ).fetchone()
    if row is None:
        return None
    return {
        "order_no": row["order_no"],
        "customer": {"id": row["customer_id"]},
        "carrier": row["carrier"],
        "tracking": {"number": row["tracking_no"], "url": row["tracking_url"]},
        "status": row["status"],
        "shipped_at": row["shipped_at"],
        "eta": row["eta"],
        "delivered_at": row["delivered_at"],
    }


def order(connection: sqlite3.Connection, order_no: str) -> dict[str, Any] | None:
    """One order with its lines and status history."""
    row = connection.execute("SELECT * FROM orders WHERE order_no = ?", (order_no,)).fetchone()
    if row is None:
        return None
    lines = connection.execute(
        "SELECT line_no, sku, description, quantity, unit_price, amount FROM order_lines "
        "WHERE order_no = ? ORDER BY line_no",
        (order_no,),
    ).fetchall()
    history = connection.execute(
        "SELECT status, changed_at, note FROM order_status_history WHERE order_no = ? ORDER BY seq",
        (order_no,),
    ).fetchall()
    return {
        "order_no": row["order_no"],
        "po_number": row["po_number"],
        "customer_id": row["customer_id"],
        "status": row["status"],
        "order_date": row["order_date"],
        "confirmed_date": row["confirmed_date"],
        "eta": row["eta"],
        "value": {"amount": row["total"], "currency": row["currency"]},
        "last_update": row["updated_at"],
        "lines": [dict(line) for line in lines],
        "status_history": [dict(entry) for entry in history],
    }


def order_no_for_po(connection: sqlite3.Connection, po_number: str | None) -> str | None:
    """Our order number for a customer's PO number (case ignored)."""
    if not po_number:
        return None
    row = connection.execute(
        "SELECT order_no FROM orders WHERE upper(po_number) = upper(?)", (po_number.strip(),)
    ).fetchone()
    return str(row["order_no"]) if row else None


def customer_by_email(connection: sqlite3.Connection, email: str) -> dict[str, Any] | None:
    """The customer one of whose contacts has this e-mail address (case ignored)."""
    row = connection.execute(
        """
        SELECT c.customer_id, c.name, c.account_no, c.tier, c.segment, c.country, c.locale
        FROM customers c JOIN contacts ct ON ct.customer_id = c.customer_id
        WHERE ct.email = lower(?)
        """,
        (email.strip(),),
    ).fetchone()
    return dict(row) if row else None
