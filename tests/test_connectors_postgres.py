"""The `sql` connector on a real PostgreSQL server started for these tests on 127.0.0.1.

The demo ERP is copied into PostgreSQL with proper column types (DATE, TIMESTAMPTZ, NUMERIC,
BOOLEAN) and the demo repository's queries must answer exactly as they do on SQLite. Skipped
when the PostgreSQL server programs are not installed.
"""

from __future__ import annotations

import dataclasses
import sqlite3
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from pg_support import Server
from switchboard.connectors import LiveData
from switchboard.rules.model import Field, Query
from test_connectors_support import build_demo, demo_connectors, env_for, free_port

pytestmark = pytest.mark.slow

SCHEMA = """
CREATE TABLE customers (
    customer_id TEXT PRIMARY KEY, name TEXT NOT NULL, account_no TEXT NOT NULL UNIQUE,
    tier TEXT NOT NULL, segment TEXT NOT NULL, country TEXT NOT NULL, locale TEXT NOT NULL,
    city TEXT NOT NULL, currency TEXT NOT NULL, payment_terms_days INTEGER NOT NULL);
CREATE TABLE contacts (
    contact_id INTEGER PRIMARY KEY, customer_id TEXT NOT NULL REFERENCES customers,
    name TEXT NOT NULL, role TEXT NOT NULL, email TEXT NOT NULL UNIQUE, phone TEXT UNIQUE);
CREATE TABLE orders (
    order_no TEXT PRIMARY KEY, po_number TEXT, customer_id TEXT NOT NULL REFERENCES customers,
    status TEXT NOT NULL, order_date DATE NOT NULL, confirmed_date DATE, eta DATE,
    total NUMERIC(12, 2) NOT NULL, currency TEXT NOT NULL, created_at TIMESTAMPTZ NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL);
CREATE TABLE order_lines (
    order_no TEXT NOT NULL REFERENCES orders, line_no INTEGER NOT NULL, sku TEXT NOT NULL,
    description TEXT NOT NULL, quantity INTEGER NOT NULL, unit_price NUMERIC(12, 2) NOT NULL,
    amount NUMERIC(12, 2) NOT NULL, PRIMARY KEY (order_no, line_no));
CREATE TABLE invoices (
    invoice_no TEXT PRIMARY KEY, order_no TEXT NOT NULL REFERENCES orders,
    customer_id TEXT NOT NULL REFERENCES customers, issue_date DATE NOT NULL,
    due_date DATE NOT NULL, amount NUMERIC(12, 2) NOT NULL, currency TEXT NOT NULL,
    paid BOOLEAN NOT NULL, paid_date DATE, pdf_url TEXT NOT NULL);
"""
TABLES = ("customers", "contacts", "orders", "order_lines", "invoices")


def _copy_demo(sqlite_path: Path, dsn: str) -> None:
    import psycopg

    source = sqlite3.connect(sqlite_path)
    try:
        with psycopg.connect(dsn, autocommit=True) as target:
            target.execute(SCHEMA)
            for table in TABLES:
                cursor = source.execute(f"SELECT * FROM {table}")
                names = [column[0] for column in cursor.description]
                rows = [
                    tuple(bool(v) if n == "paid" else v for n, v in zip(names, row, strict=True))
                    for row in cursor
                ]
                marks = ", ".join(["%s"] * len(names))
                with target.cursor() as insert:
                    insert.executemany(
                        f"INSERT INTO {table} ({', '.join(names)}) VALUES ({marks})",
                        rows,
                    )
    finally:
        source.close()


@pytest.fixture(scope="module")
def sqlite_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_demo(tmp_path_factory.mktemp("erp"))


@pytest.fixture(scope="module")
def server(sqlite_db: Path) -> Iterator[Server]:
    pytest.importorskip("psycopg")
    running = Server()
    try:
        _copy_demo(sqlite_db, running.dsn)
        yield running
    finally:
        running.stop()


@pytest.fixture
def pg(server: Server) -> Iterator[LiveData]:
    data = LiveData(demo_connectors(), {"SWITCHBOARD_ERP_DSN": server.dsn})
    yield data
    data.close()


@pytest.fixture(scope="module")
def lite(sqlite_db: Path) -> Iterator[LiveData]:
    data = LiveData(demo_connectors(), env_for(sqlite_db))
    yield data
    data.close()


def execute(server: Server, sql: str, *params: Any) -> list[tuple[Any, ...]]:
    import psycopg

    with psycopg.connect(server.dsn, autocommit=True) as connection:
        cursor = connection.execute(sql, params)
        return cursor.fetchall() if cursor.description else []


@pytest.mark.parametrize(
    ("query", "params"),
    [
        ("order_by_reference", {"order_number": "SO4500123"}),
        ("order_by_reference", {"po_number": "hk-2026-118"}),
        ("order_by_reference", {"order_number": "SO4500456", "po_number": "HK-2026-118"}),
        ("order_by_reference", {"po_number": "AW/2026/0311"}),
        ("order_by_reference", {"order_number": "SO9999999"}),
        ("order_by_reference", {}),
        ("invoice_by_reference", {"invoice_number": "INV26004512"}),
        ("invoice_by_reference", {"invoice_number": "INV26003977"}),
        ("invoice_by_reference", {"order_number": "SO4500200"}),
        ("customer_by_identifier", {"email": "einkauf@hydro-kraft.example"}),
        ("customer_by_identifier", {"phone": "+442079460456"}),
        ("customer_by_identifier", {"account_no": "K100070"}),
        ("customer_by_identifier", {"customer_id": "C10099"}),
    ],
)
def test_same_answers_as_sqlite(
    pg: LiveData, lite: LiveData, query: str, params: dict[str, Any]
) -> None:
    on_postgres = pg.fetch("erp", query, params)
    on_sqlite = lite.fetch("erp", query, params)
    assert on_postgres.status == on_sqlite.status, on_postgres.error
    assert on_postgres.row == on_sqlite.row
    assert on_postgres.source == f"erp.{query}"


def test_owner_field_and_types(pg: LiveData) -> None:
    row = pg.fetch("erp", "order_by_reference", {"order_number": "SO4500123"}).row
    assert row is not None and row["customer_id"] == "C10023"
    assert isinstance(row["value"], float) and isinstance(row["line_count"], int)
    assert row["last_update"].tzinfo is not None


@pytest.mark.parametrize(
    "text", ["SO1' OR '1'='1", "'; DROP TABLE orders; --", "%(order_number)s", "$$; SELECT 1; $$"]
)
def test_injection_strings_are_only_values(pg: LiveData, server: Server, text: str) -> None:
    for query, params in [
        ("order_by_reference", {"order_number": text}),
        ("order_by_reference", {"po_number": text}),
        ("invoice_by_reference", {"invoice_number": text, "order_number": text}),
        ("customer_by_identifier", {"email": text, "phone": text, "account_no": text}),
    ]:
        assert pg.fetch("erp", query, params).status == "not_found", query
    assert execute(server, "SELECT count(*) FROM orders")[0][0] > 400


def status_of(live: LiveData, params: dict[str, Any]) -> Any:
    result = live.fetch("erp", "order_by_reference", params)
    assert result.status == "ok" and result.row is not None, result.error
    return result.row["status"]


def test_a_committed_change_is_seen_by_the_next_fetch(pg: LiveData, server: Server) -> None:
    params = {"order_number": "SO4500456"}
    assert status_of(pg, params) == "ready_to_ship"
    execute(server, "UPDATE orders SET status = 'shipped' WHERE order_no = 'SO4500456'")
    try:
        assert status_of(pg, params) == "shipped"
    finally:
        execute(server, "UPDATE orders SET status = 'ready_to_ship' WHERE order_no = 'SO4500456'")


def _with_query(query: Query, timeout_ms: int = 800) -> dict[str, Any]:
    erp = demo_connectors(timeout_ms=timeout_ms, pool_size=1)["erp"]
    return {"erp": dataclasses.replace(erp, queries={**erp.queries, query.name: query})}


def test_statement_timeout_and_the_connection_survives(server: Server) -> None:
    slow = Query(
        "slow", "", ("s",), {"x": Field("x", "number")}, None, sql="SELECT 1 AS x FROM pg_sleep(:s)"
    )
    live = LiveData(_with_query(slow, timeout_ms=300), {"SWITCHBOARD_ERP_DSN": server.dsn})
    try:
        assert live.fetch("erp", "slow", {"s": 0}).row == {"x": 1}
        started = time.monotonic()
        result = live.fetch("erp", "slow", {"s": 30})
        assert result.status == "timeout", result.error
        assert time.monotonic() - started < 0.3 + 1.5
        again = live.fetch("erp", "order_by_reference", {"order_number": "SO4500123"})
        assert again.status == "ok", again.error
    finally:
        live.close()


def test_connections_are_read_only(server: Server) -> None:
    delete = Query(
        "delete",
        "",
        (),
        {"n": Field("n", "number")},
        None,
        sql="DELETE FROM invoices RETURNING 1 AS n",
    )
    live = LiveData(_with_query(delete), {"SWITCHBOARD_ERP_DSN": server.dsn})
    try:
        result = live.fetch("erp", "delete", {})
        assert result.status == "error" and "ReadOnlySqlTransaction" in (result.error or "")
    finally:
        live.close()
    assert execute(server, "SELECT count(*) FROM invoices")[0][0] > 300


def test_unreachable_server_is_an_error() -> None:
    pytest.importorskip("psycopg")
    dsn = f"postgresql://postgres@127.0.0.1:{free_port()}/postgres"
    live = LiveData(demo_connectors(), {"SWITCHBOARD_ERP_DSN": dsn})
    try:
        result = live.fetch("erp", "order_by_reference", {"order_number": "SO4500123"})
        assert result.status == "error" and "cannot connect" in (result.error or "")
        assert dsn not in (result.error or "")
    finally:
        live.close()


def test_without_psycopg_the_error_names_the_extra(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "psycopg", None)
    live = LiveData(demo_connectors(), {"SWITCHBOARD_ERP_DSN": "postgresql://u@127.0.0.1/erp"})
    result = live.fetch("erp", "order_by_reference", {"order_number": "SO4500123"})
    assert result.status == "error"
    assert "switchboard[postgres]" in (result.error or "")
