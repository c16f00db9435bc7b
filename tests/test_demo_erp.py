"""The demo ERP: deterministic data, the documented fixtures, the CLI and the HTTP facade."""

from __future__ import annotations

import datetime as dt
import re
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from switchboard.commands import demo_erp as command
from switchboard.demo_erp.database import DemoErpError, build_database
from test_connectors_support import Facade, build_demo

README = Path(__file__).resolve().parent.parent / "server/switchboard/demo_erp/README.md"


def rows(db: Path, sql: str, *params: object) -> list[tuple[Any, ...]]:
    connection = sqlite3.connect(db)
    try:
        return connection.execute(sql, params).fetchall()
    finally:
        connection.close()


def one(db: Path, sql: str, *params: object) -> Any:
    found = rows(db, sql, *params)
    assert len(found) == 1, found
    return found[0]


def dump(db: Path) -> list[str]:
    connection = sqlite3.connect(db)
    try:
        return list(connection.iterdump())
    finally:
        connection.close()


@pytest.fixture(scope="module")
def db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_demo(tmp_path_factory.mktemp("erp"))


# ----- data ------------------------------------------------------------------------------------


def test_same_seed_same_database(db: Path, tmp_path: Path) -> None:
    again = tmp_path / "again.sqlite"
    build_database(again, seed=7)
    assert dump(again) == dump(db)


def test_other_seed_or_day_other_orders(db: Path, tmp_path: Path) -> None:
    other = tmp_path / "other.sqlite"
    build_database(other, seed=8)
    assert dump(other) != dump(db)
    assert rows(other, "SELECT * FROM customers") == rows(db, "SELECT * FROM customers")
    later = tmp_path / "later.sqlite"
    build_database(later, seed=7, today=dt.date(2027, 3, 1))
    assert one(later, "SELECT order_date FROM orders WHERE order_no = 'SO4500123'") == (
        "2027-02-05",
    )


def test_customer_base(db: Path) -> None:
    customers = rows(
        db, "SELECT customer_id, account_no, tier, segment, country, locale FROM customers"
    )
    assert len(customers) == 40
    assert {c[4] for c in customers} == {"DE", "AT", "CH", "NL", "GB"}
    assert {c[3] for c in customers} == {"distributor", "plant"}
    assert {c[5] for c in customers} == {"en", "de"}
    tiers = [c[2] for c in customers]
    assert tiers.count("vip") >= 2 and tiers.count("key_account") >= 4
    for customer_id, account_no, *_ in customers:
        assert re.fullmatch(r"C\d{5}", customer_id)
        assert account_no == f"K{customer_id[1:]}0"


def test_contacts(db: Path) -> None:
    contacts = rows(db, "SELECT customer_id, email, phone FROM contacts")
    assert len({c[0] for c in contacts}) == 40
    for _, email, phone in contacts:
        assert re.fullmatch(r"[a-z0-9.\-]+@[a-z0-9\-]+\.example", email), email
        assert phone is None or re.fullmatch(r"\+[1-9]\d{7,14}", phone), phone
    phones = [c[2] for c in contacts if c[2]]
    assert len(phones) == len(set(phones))


def test_orders_and_their_records(db: Path) -> None:
    orders = rows(db, "SELECT order_no, po_number, status, total, order_date, eta FROM orders")
    assert 350 <= len(orders) <= 500
    statuses = {o[2] for o in orders}
    assert {"received", "confirmed", "in_production", "shipped", "delivered", "cancelled"} <= (
        statuses
    )
    pos = [o[1] for o in orders if o[1]]
    assert len(pos) == len(set(pos)) and all(po == po.upper() for po in pos)
    for order_no, _, _, total, order_date, eta in orders:
        assert re.fullmatch(r"SO\d{7}", order_no)
        assert eta is None or eta >= order_date
        lines = one(
            db, "SELECT round(sum(amount), 2) FROM order_lines WHERE order_no = ?", order_no
        )
        assert lines[0] == pytest.approx(total)
    mismatched = rows(
        db,
        """SELECT o.order_no FROM orders o WHERE o.status != (
             SELECT h.status FROM order_status_history h
             WHERE h.order_no = o.order_no ORDER BY h.seq DESC LIMIT 1)""",
    )
    assert mismatched == []


def test_shipments_and_invoices_follow_shipping(db: Path) -> None:
    unshipped = rows(
        db,
        """SELECT o.order_no FROM orders o LEFT JOIN shipments s ON s.order_no = o.order_no
           WHERE o.status IN ('shipped', 'delivered') AND s.order_no IS NULL""",
    )
    assert unshipped == []
    early = rows(
        db,
        """SELECT s.order_no FROM shipments s JOIN orders o ON o.order_no = s.order_no
           WHERE o.status NOT IN ('shipped', 'delivered')""",
    )
    assert early == []
    invoices = rows(
        db, "SELECT invoice_no, issue_date, due_date, paid, paid_date, pdf_url FROM invoices"
    )
    assert len(invoices) == one(db, "SELECT count(*) FROM shipments")[0]
    for invoice_no, issued, due, paid, paid_date, pdf_url in invoices:
        assert re.fullmatch(r"INV\d{8}", invoice_no)
        assert due > issued and (paid_date is not None) == bool(paid)
        assert pdf_url.endswith(f"/{invoice_no}.pdf")
    assert {row[3] for row in invoices} == {0, 1}
    for tracking_no, url in rows(db, "SELECT tracking_no, tracking_url FROM shipments"):
        assert url.endswith(tracking_no) and ".example/" in url


def find(db: Path, table: str, columns: str, **key: str) -> Any:
    [(name, value)] = key.items()
    return one(db, f"SELECT {columns} FROM {table} WHERE {name} = ?", value)


def test_documented_fixtures(db: Path) -> None:
    assert find(
        db, "customers", "name, tier, locale, country, account_no", customer_id="C10023"
    ) == (("Hydro-Kraft GmbH", "standard", "de", "DE", "K100230"))
    assert find(db, "contacts", "customer_id, phone", email="einkauf@hydro-kraft.example") == (
        ("C10023", "+496215550123")
    )
    assert find(db, "orders", "customer_id, po_number, status", order_no="SO4500123") == (
        ("C10023", "HK-2026-118", "shipped")
    )
    assert find(db, "shipments", "tracking_no, status", order_no="SO4500123") == (
        ("RC2611270418", "in_transit")
    )
    assert find(db, "invoices", "order_no, customer_id, paid", invoice_no="INV26004512") == (
        ("SO4500123", "C10023", 1)
    )
    assert find(db, "customers", "tier", customer_id="C10007") == ("vip",)
    assert find(db, "orders", "customer_id, status", order_no="SO4500310") == (
        ("C10007", "in_production")
    )
    assert find(db, "customers", "tier, locale, country, segment", customer_id="C10031") == (
        ("standard", "en", "GB", "distributor")
    )
    assert find(db, "orders", "customer_id, status", order_no="SO4500456") == (
        ("C10031", "ready_to_ship")
    )
    assert find(db, "invoices", "paid, due_date < '2026-12-01'", invoice_no="INV26003977") == (
        (0, 1)
    )
    assert find(db, "orders", "order_no", po_number="4711-0045") == ("SO4500200",)


def test_readme_names_every_fixture() -> None:
    text = README.read_text()
    for name in (
        "C10023",
        "Hydro-Kraft GmbH",
        "einkauf@hydro-kraft.example",
        "SO4500123",
        "HK-2026-118",
        "INV26004512",
        "C10007",
        "SO4500310",
        "C10031",
        "SO4500456",
        "INV26003977",
        "4711-0045",
        "+496215550123",
    ):
        assert name in text, name


# ----- command line ----------------------------------------------------------------------------


def test_init_creates_and_refuses_to_overwrite(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "var" / "erp.sqlite"
    assert command.main(["init", "--path", str(path), "--seed", "3"]) == 0
    assert "40 customers" in capsys.readouterr().out
    first = path.read_bytes()
    assert command.main(["init", "--path", str(path)]) == 1
    assert "--force" in capsys.readouterr().err
    assert path.read_bytes() == first
    assert command.main(["init", "--path", str(path), "--seed", "3", "--force"]) == 0
    assert dump(path) == dump_of(tmp_path / "b.sqlite", seed=3)
    assert sorted(p.name for p in path.parent.iterdir()) == ["erp.sqlite"]


def dump_of(path: Path, seed: int) -> list[str]:
    build_database(path, seed=seed)
    return dump(path)


def test_init_rejects_a_bad_date(tmp_path: Path) -> None:
    with pytest.raises(SystemExit):
        command.main(["init", "--path", str(tmp_path / "x.sqlite"), "--today", "1.12.2026"])


def test_serve_without_database_is_a_clear_error(tmp_path: Path) -> None:
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "switchboard.cli",
            "demo-erp",
            "serve",
            "--path",
            str(tmp_path / "none.sqlite"),
            "--token",
            "t",
        ],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 1
    assert "switchboard demo-erp init" in result.stderr


def test_build_refuses_existing_file(tmp_path: Path) -> None:
    path = tmp_path / "erp.sqlite"
    path.write_text("keep me")
    with pytest.raises(DemoErpError):
        build_database(path)
    assert path.read_text() == "keep me"


# ----- HTTP facade -----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def plain_facade(db: Path) -> Iterator[Facade]:
    server = Facade(db, faults=False)
    try:
        yield server
    finally:
        server.stop()


@pytest.mark.slow
def test_facade_needs_the_token(plain_facade: Facade) -> None:
    status, body = plain_facade.call("GET", "/api/v1/orders/SO4500123", token="wrong")
    assert status == 401 and "SO4500123" not in str(body)
    status, _ = plain_facade.call("GET", "/api/v1/shipments?order_no=SO4500123", token="wrong")
    assert status == 401


@pytest.mark.slow
def test_facade_answers_from_the_database(plain_facade: Facade) -> None:
    status, body = plain_facade.call("GET", "/api/v1/orders/SO4500123")
    assert status == 200
    order = body["order"]
    assert (order["customer_id"], order["po_number"], order["status"]) == (
        "C10023",
        "HK-2026-118",
        "shipped",
    )
    assert [line["sku"] for line in order["lines"]] == ["P-NKP50-200", "S-MS35", "I-NKP50-BZ"]
    assert [h["status"] for h in order["status_history"]][-1] == "shipped"
    status, body = plain_facade.call("GET", "/api/v1/shipments?order_no=SO4500123")
    assert status == 200 and body["shipment"]["tracking"]["number"] == "RC2611270418"
    assert body["shipment"]["customer"]["id"] == "C10023"
    status, body = plain_facade.call("GET", "/api/v1/customers?email=EINKAUF@hydro-kraft.example")
    assert status == 200 and body["customer"]["customer_id"] == "C10023"
    assert plain_facade.call("GET", "/api/v1/orders/SO9999999") == (404, {"error": "not_found"})
    assert plain_facade.call("GET", "/api/v1/shipments?order_no=SO4500456")[0] == 404
    assert plain_facade.call("GET", "/api/v1/customers?email=x@y.example")[0] == 404


@pytest.mark.slow
def test_facade_has_no_test_hooks_without_faults(plain_facade: Facade) -> None:
    status, _ = plain_facade.call("POST", "/_test/faults", {"mode": "error"})
    assert status in (404, 405)
    assert plain_facade.call("GET", "/_test/hits")[0] == 404
    assert plain_facade.call("GET", "/api/v1/orders/SO4500123")[0] == 200


@pytest.mark.slow
def test_facade_rejects_unknown_fault_modes(db: Path) -> None:
    server = Facade(db)
    try:
        status, body = server.call("POST", "/_test/faults", {"mode": "explode"})
        assert status == 400 and "mode must be one of" in str(body)
        assert server.call("GET", "/api/v1/orders/SO4500123")[0] == 200
    finally:
        server.stop()
