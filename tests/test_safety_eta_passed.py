"""A confirmed delivery date that has gone by is never quoted as confirmed.

The demo's `erp.order_by_reference` computes `eta_passed` in SQL (the date is before today
and the order is neither delivered nor cancelled), on a real SQLite demo ERP and on a real
PostgreSQL server; the rule `delivery_date_passed` then hands such an order to the order
desk. Dates are set a few days away from today, so the UTC day boundary of CURRENT_DATE
cannot decide a case.
"""

from __future__ import annotations

import datetime as dt
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest

from pg_support import Server, running_server
from switchboard.connectors import LiveData
from switchboard.engine.decide import decide
from switchboard.engine.types import Context, Customer, Inquiry
from switchboard.rules import load_ruleset
from switchboard.rules.model import Ruleset
from test_connectors_support import build_demo, copy_db, demo_connectors, env_for

ROOT = Path(__file__).resolve().parent.parent
ORDER, OWNER = "SO4500123", "C10023"  # Hydro-Kraft's order in the demo ERP
TODAY = dt.datetime.now(dt.UTC).date()
CASES = [  # status, days from today to the confirmed date (None: no date), eta_passed
    ("in_production", -3, True),
    ("shipped", -5, True),
    ("ready_to_ship", -3, True),
    ("confirmed", 10, False),
    ("shipped", 4, False),
    ("delivered", -3, False),
    ("cancelled", -3, False),
    ("received", None, False),
]


def eta(days: int | None) -> str | None:
    return None if days is None else (TODAY + dt.timedelta(days=days)).isoformat()


@pytest.fixture(scope="module")
def pristine(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_demo(tmp_path_factory.mktemp("erp"))


def sqlite_with(pristine: Path, folder: Path, status: str, days: int | None) -> Path:
    db = copy_db(pristine, folder)
    with sqlite3.connect(db) as connection:
        connection.execute(
            "UPDATE orders SET status = ?, eta = ? WHERE order_no = ?", (status, eta(days), ORDER)
        )
    connection.close()
    return db


def fetch_order(env: dict[str, str], order: str) -> dict[str, object]:
    live = LiveData(demo_connectors(), env)
    try:
        result = live.fetch("erp", "order_by_reference", {"order_number": order})
    finally:
        live.close()
    assert result.status == "ok" and result.row is not None, result.error
    return result.row


@pytest.mark.parametrize(("status", "days", "passed"), CASES)
def test_sqlite_marks_a_passed_date_of_an_open_order(
    pristine: Path, tmp_path: Path, status: str, days: int | None, passed: bool
) -> None:
    row = fetch_order(env_for(sqlite_with(pristine, tmp_path, status, days)), ORDER)
    assert row["eta_passed"] is passed
    assert row["eta"] == (None if days is None else TODAY + dt.timedelta(days=days))


SCHEMA = """
CREATE TABLE orders (
    order_no TEXT PRIMARY KEY, po_number TEXT, customer_id TEXT NOT NULL, status TEXT NOT NULL,
    order_date DATE NOT NULL, confirmed_date DATE, eta DATE, total NUMERIC(12, 2) NOT NULL,
    currency TEXT NOT NULL, updated_at TIMESTAMPTZ NOT NULL);
CREATE TABLE order_lines (order_no TEXT NOT NULL, line_no INTEGER NOT NULL);
"""


@pytest.fixture(scope="module")
def postgres() -> Iterator[Server]:
    yield from running_server()


@pytest.mark.slow
def test_postgresql_gives_the_same_answers(postgres: Server) -> None:
    import psycopg

    dsn = postgres.create_database("eta")
    orders = {f"SO45990{n:02d}": case for n, case in enumerate(CASES)}
    with psycopg.connect(dsn, autocommit=True) as connection:
        connection.execute(SCHEMA)
        for order, (status, days, _) in orders.items():
            connection.execute(
                "INSERT INTO orders VALUES (%s, NULL, %s, %s, %s, NULL, %s, 100, 'EUR', now())",
                (order, OWNER, status, TODAY - dt.timedelta(days=40), eta(days)),
            )
    for order, (_, _, passed) in orders.items():
        row = fetch_order({"SWITCHBOARD_ERP_DSN": dsn}, order)
        assert row["eta_passed"] is passed, order


@pytest.fixture(scope="module")
def demo() -> Ruleset:
    loaded = load_ruleset(ROOT / "rules-repo")
    assert loaded.ruleset is not None, loaded.errors
    return loaded.ruleset


@pytest.mark.parametrize("days", [-4, 9])
def test_a_passed_date_goes_to_the_order_desk(
    demo: Ruleset, pristine: Path, tmp_path: Path, days: int
) -> None:
    db = sqlite_with(pristine, tmp_path, "in_production", days)
    live = LiveData(demo.connectors, env_for(db))
    customer = Customer(id=OWNER, name="Hydro-Kraft GmbH", tier="standard", locale="en")
    inquiry = Inquiry(channel="email", text=f"When will order {ORDER} be delivered?")
    try:
        decision = decide(demo, inquiry, Context(dt.datetime.now(dt.UTC), customer), live)
    finally:
        live.close()
    assert decision.intent == "delivery_date"
    assert decision.facts["data.order.eta_passed"] is (days < 0)
    if days < 0:
        assert decision.outcome == "route" and decision.queue == "order_desk"
        assert "delivery_date_passed" in decision.reasons and decision.reply is None
    else:
        date = TODAY + dt.timedelta(days=days)
        assert decision.outcome == "auto_reply", decision.reasons
        assert decision.reply is not None
        assert f"{date.day} {date:%B %Y}" in decision.reply.body
