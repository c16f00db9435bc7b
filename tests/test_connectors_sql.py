"""The `sql` connector against a real SQLite demo ERP, with the demo repository's queries."""

from __future__ import annotations

import dataclasses
import datetime as dt
import sqlite3
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from switchboard.connectors import LiveData
from switchboard.demo_erp.database import sqlite_dsn
from switchboard.rules.model import Connector, Field, Query
from test_connectors_support import build_demo, copy_db, day, demo_connectors, env_for

INJECTIONS = [
    "SO1' OR '1'='1",
    "'; DROP TABLE orders; --",
    "SO4500123' --",
    '" OR 1=1 --',
    "SO4500123'); DELETE FROM invoices; --",
    ":order_number",
]


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture(scope="module")
def pristine_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_demo(tmp_path_factory.mktemp("erp"))


@pytest.fixture
def erp_db(pristine_db: Path, tmp_path: Path) -> Path:
    return copy_db(pristine_db, tmp_path)


@pytest.fixture
def live(erp_db: Path) -> Iterator[LiveData]:
    data = LiveData(demo_connectors(), env_for(erp_db))
    yield data
    data.close()


def write(db: Path, sql: str, *params: object) -> None:
    with sqlite3.connect(db) as connection:
        connection.execute(sql, params)
    connection.close()


def field(live: LiveData, name: str, query: str = "order_by_reference", **params: Any) -> Any:
    result = live.fetch("erp", query, params)
    assert result.status == "ok" and result.row is not None, result.error
    return result.row[name]


def count(db: Path, table: str) -> int:
    connection = sqlite3.connect(db)
    try:
        return int(connection.execute(f"SELECT count(*) FROM {table}").fetchone()[0])
    finally:
        connection.close()


def test_order_by_order_number(live: LiveData) -> None:
    before = dt.datetime.now(dt.UTC)
    result = live.fetch("erp", "order_by_reference", {"order_number": "SO4500123"})
    assert result.status == "ok", result.error
    assert result.source == "erp.order_by_reference"
    assert result.fetched_at is not None and result.fetched_at >= before
    assert result.age_ms == 0 and result.error is None
    row = result.row
    assert row is not None
    assert set(row) == set(demo_connectors()["erp"].queries["order_by_reference"].fields)
    assert row["order_no"] == "SO4500123"
    assert row["po_number"] == "HK-2026-118"
    assert row["customer_id"] == "C10023"  # the owner field comes back
    assert row["status"] == "shipped"
    assert row["order_date"] == day(-24)
    assert isinstance(row["eta"], dt.date)
    assert row["line_count"] == 3
    assert row["currency"] == "EUR"
    assert isinstance(row["value"], float) and row["value"] > 0
    assert row["last_update"].tzinfo is not None


def test_order_by_po_number_ignores_case(live: LiveData) -> None:
    result = live.fetch("erp", "order_by_reference", {"po_number": "hk-2026-118"})
    assert result.status == "ok"
    assert result.row and result.row["order_no"] == "SO4500123"


def test_order_number_wins_over_a_po_of_another_order(live: LiveData) -> None:
    params = {"order_number": "SO4500456", "po_number": "HK-2026-118"}
    result = live.fetch("erp", "order_by_reference", params)
    assert result.status == "ok"
    assert result.row and result.row["order_no"] == "SO4500456"


def test_unknown_and_empty_references_are_not_found(live: LiveData) -> None:
    assert live.fetch("erp", "order_by_reference", {"order_number": "SO9999999"}).status == (
        "not_found"
    )
    assert live.fetch("erp", "order_by_reference", {}).status == "not_found"
    assert live.fetch("erp", "invoice_by_reference", {"invoice_number": None}).status == (
        "not_found"
    )


def test_invoice_by_number_and_by_order(live: LiveData) -> None:
    by_number = live.fetch("erp", "invoice_by_reference", {"invoice_number": "INV26004512"})
    assert by_number.status == "ok"
    row = by_number.row
    assert row is not None
    assert row["order_no"] == "SO4500123" and row["customer_id"] == "C10023"
    assert row["paid"] is True and row["status"] == "paid"
    assert row["pdf_url"].endswith("/INV26004512.pdf")
    by_order = live.fetch("erp", "invoice_by_reference", {"order_number": "SO4500123"})
    assert by_order.row == row


def test_invoice_status_is_computed_live(live: LiveData, erp_db: Path) -> None:
    overdue = live.fetch("erp", "invoice_by_reference", {"invoice_number": "INV26003977"})
    assert overdue.row and overdue.row["status"] == "overdue" and overdue.row["paid"] is False
    tomorrow = (dt.date.today() + dt.timedelta(days=1)).isoformat()
    write(erp_db, "UPDATE invoices SET due_date = ? WHERE invoice_no = 'INV26003977'", tomorrow)
    still_open = live.fetch("erp", "invoice_by_reference", {"invoice_number": "INV26003977"})
    assert still_open.row and still_open.row["status"] == "open"


def test_a_committed_change_is_seen_by_the_next_fetch(live: LiveData, erp_db: Path) -> None:
    assert field(live, "status", order_number="SO4500456") == "ready_to_ship"
    write(erp_db, "UPDATE orders SET status = 'shipped' WHERE order_no = 'SO4500456'")
    assert field(live, "status", order_number="SO4500456") == "shipped"
    write(erp_db, "UPDATE orders SET status = 'on_hold' WHERE order_no = 'SO4500456'")
    assert field(live, "status", order_number="SO4500456") == "on_hold"


@pytest.mark.parametrize("text", INJECTIONS)
def test_injection_strings_are_only_values(live: LiveData, erp_db: Path, text: str) -> None:
    orders, invoices = count(erp_db, "orders"), count(erp_db, "invoices")
    for query, params in [
        ("order_by_reference", {"order_number": text}),
        ("order_by_reference", {"po_number": text}),
        ("invoice_by_reference", {"invoice_number": text}),
        ("invoice_by_reference", {"order_number": text}),
        ("customer_by_identifier", {"email": text, "account_no": text, "customer_id": text}),
    ]:
        result = live.fetch("erp", query, params)
        assert result.status == "not_found", (query, result.error)
    assert count(erp_db, "orders") == orders and count(erp_db, "invoices") == invoices
    assert live.fetch("erp", "order_by_reference", {"order_number": "SO4500123"}).status == "ok"


def test_connections_are_read_only(erp_db: Path) -> None:
    query = Query(
        "drop",
        "",
        ("x",),
        {"n": Field("n", "number")},
        None,
        sql="DELETE FROM orders RETURNING 1 AS n",
    )
    connector = dataclasses.replace(demo_connectors()["erp"], queries={"drop": query})
    live = LiveData({"erp": connector}, env_for(erp_db))
    try:
        result = live.fetch("erp", "drop", {})
    finally:
        live.close()
    assert result.status == "error"
    assert "readonly" in (result.error or "").replace(" ", "").lower()
    assert count(erp_db, "orders") > 400


def test_more_than_one_row_is_an_error(live: LiveData, erp_db: Path) -> None:
    write(erp_db, "UPDATE orders SET po_number = 'HK-2026-118' WHERE order_no = 'SO4500456'")
    result = live.fetch("erp", "order_by_reference", {"po_number": "HK-2026-118"})
    assert result.status == "error"
    assert result.row is None
    assert result.error == "query returned more than one row"


def test_slow_query_times_out_and_the_connection_survives(erp_db: Path) -> None:
    slow = Query(
        "slow",
        "",
        ("n",),
        {"total": Field("total", "number")},
        None,
        sql="WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < :n) "
        "SELECT count(*) AS total FROM c",
    )
    erp = demo_connectors(timeout_ms=200, pool_size=1)["erp"]
    connector = dataclasses.replace(erp, queries={**erp.queries, "slow": slow})
    live = LiveData({"erp": connector}, env_for(erp_db))
    try:
        assert live.fetch("erp", "slow", {"n": 1000}).row == {"total": 1000}
        started = time.monotonic()
        result = live.fetch("erp", "slow", {"n": 10**10})  # minutes of work without the limit
        elapsed = time.monotonic() - started
        assert result.status == "timeout", result.error
        assert elapsed < 0.2 + 1.5
        again = live.fetch("erp", "order_by_reference", {"order_number": "SO4500123"})
        assert again.status == "ok"  # the only pooled connection is usable again
        assert live.status()["erp"].timeouts == 1
    finally:
        live.close()


def test_missing_database_fails_and_opens_the_breaker(tmp_path: Path) -> None:
    connectors = demo_connectors(breaker_failures=2, breaker_reset_s=60)
    env = env_for(tmp_path / "nowhere.sqlite")
    live = LiveData(connectors, env)
    try:
        first = live.fetch("erp", "order_by_reference", {"order_number": "SO4500123"})
        assert first.status == "error" and "cannot open" in (first.error or "")
        assert live.fetch("erp", "order_by_reference", {"order_number": "SO1"}).status == "error"
        third = live.fetch("erp", "order_by_reference", {"order_number": "SO1"})
        assert third.status == "circuit_open"
        status = live.status()["erp"]
        assert status.state == "open" and status.calls == 2 and status.failures == 2
    finally:
        live.close()
    assert not (tmp_path / "nowhere.sqlite").exists()  # read-only mode never creates a file


def test_missing_setting_is_a_clear_error(erp_db: Path) -> None:
    live = LiveData(demo_connectors(), {})
    result = live.fetch("erp", "order_by_reference", {"order_number": "SO4500123"})
    assert result.status == "error"
    assert "SWITCHBOARD_ERP_DSN" in (result.error or "")
    assert live.status()["erp"].state == "closed"  # nothing was called
    assert "SWITCHBOARD_ERP_DSN" in (live.status()["erp"].last_error or "")


@pytest.mark.parametrize(
    ("dsn", "message"),
    [
        ("mysql://erp.example/erp", "unsupported database"),
        ("sqlite:///:memory:", "database file"),
        ("sqlite://relative.db", "sqlite:///"),
        ("just-a-file.sqlite", "connection URL"),
    ],
)
def test_bad_dsn_is_a_clear_error(dsn: str, message: str) -> None:
    live = LiveData(demo_connectors(), {"SWITCHBOARD_ERP_DSN": dsn})
    result = live.fetch("erp", "order_by_reference", {"order_number": "SO4500123"})
    assert result.status == "error" and message in (result.error or "")


def test_unknown_query_and_bad_params(live: LiveData) -> None:
    assert live.fetch("erp", "nope", {}).status == "error"
    assert live.fetch("nope", "order_by_reference", {}).status == "error"
    long = live.fetch("erp", "order_by_reference", {"order_number": "SO" + "1" * 300})
    assert long.status == "error" and "longer than" in (long.error or "")
    assert live.status()["erp"].calls == 0


def test_max_age_zero_never_caches(live: LiveData) -> None:
    first = live.fetch("erp", "order_by_reference", {"order_number": "SO4500123"})
    second = live.fetch("erp", "order_by_reference", {"order_number": "SO4500123"})
    assert second.age_ms == 0 and second.fetched_at != first.fetched_at
    assert live.status()["erp"].calls == 2 and live.status()["erp"].cached == 0


def test_max_age_serves_aged_answers_up_to_the_limit(erp_db: Path) -> None:
    clock = Clock()
    live = LiveData(demo_connectors(max_age_s=60), env_for(erp_db), clock=clock)
    params = {"order_number": "SO4500456"}
    try:
        first = live.fetch("erp", "order_by_reference", params)
        write(erp_db, "UPDATE orders SET status = 'shipped' WHERE order_no = 'SO4500456'")
        clock.now += 42.5
        cached = live.fetch("erp", "order_by_reference", params)
        assert cached.row == first.row and cached.row and cached.row["status"] == "ready_to_ship"
        assert cached.fetched_at == first.fetched_at
        assert cached.age_ms == 42500
        assert live.status()["erp"].calls == 1
        clock.now += 18
        fresh = live.fetch("erp", "order_by_reference", params)
        assert fresh.row and fresh.row["status"] == "shipped" and fresh.age_ms == 0
        assert live.status()["erp"].calls == 2
    finally:
        live.close()


def test_pool_is_bounded_and_shared(erp_db: Path) -> None:
    from concurrent.futures import ThreadPoolExecutor

    live = LiveData(demo_connectors(pool_size=2), env_for(erp_db))
    try:
        with ThreadPoolExecutor(8) as pool:
            numbers = ["SO4500123", "SO4500456", "SO4500310", "SO4500200"] * 10
            results = list(
                pool.map(
                    lambda n: live.fetch("erp", "order_by_reference", {"order_number": n}), numbers
                )
            )
        assert [r.row and r.row["order_no"] for r in results] == numbers
    finally:
        live.close()


def test_sqlite_dsn_forms(erp_db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    assert sqlite_dsn(erp_db) == "sqlite:///" + str(erp_db.resolve())
    monkeypatch.chdir(erp_db.parent)
    relative = LiveData(demo_connectors(), {"SWITCHBOARD_ERP_DSN": f"sqlite:///{erp_db.name}"})
    try:
        assert (
            relative.fetch("erp", "order_by_reference", {"order_number": "SO4500123"}).status
            == "ok"
        )
    finally:
        relative.close()


def test_connector_from_the_repository_is_complete() -> None:
    erp: Connector = demo_connectors()["erp"]
    assert erp.kind == "sql" and erp.dsn_setting == "SWITCHBOARD_ERP_DSN"
    assert erp.max_age_s == 0 and erp.timeout_ms == 800
