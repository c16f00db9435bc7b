"""The `http` connector against the demo ERP facade running as a real server on 127.0.0.1."""

from __future__ import annotations

import dataclasses
import datetime as dt
import sqlite3
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from switchboard.connectors import LiveData
from switchboard.rules.model import Connector, Field, Query
from test_connectors_support import (
    TOKEN,
    Facade,
    build_demo,
    day,
    demo_connectors,
    env_for,
    free_port,
)

pytestmark = pytest.mark.slow
ORDER = {"order_number": "SO4500123"}


@pytest.fixture(scope="module")
def facade_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_demo(tmp_path_factory.mktemp("facade"))


@pytest.fixture(scope="module")
def facade(facade_db: Path) -> Iterator[Facade]:
    server = Facade(facade_db)
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(autouse=True)
def _clean_faults(facade: Facade) -> None:
    facade.reset()


def logistics(**changes: object) -> Connector:
    return demo_connectors(**changes)["logistics"]


def live_for(facade: Facade, connector: Connector, env: dict[str, str] | None = None) -> LiveData:
    return LiveData({connector.id: connector}, env or env_for(Path("unused"), facade.api_url))


@pytest.fixture
def live(facade: Facade) -> Iterator[LiveData]:
    data = live_for(facade, logistics())
    yield data
    data.close()


def orders_connector(timeout_ms: int = 800) -> Connector:
    """The facade's order endpoint, which puts the order number into the path."""
    query = Query(
        "order",
        "",
        ("order_number",),
        {
            "order_no": Field("order_no", "string"),
            "status": Field("status", "string"),
            "value": Field("value", "number", "/value/amount"),
        },
        "customer_id",
        path="/orders/{order_number}",
        result_pointer="/order",
    )
    return dataclasses.replace(logistics(timeout_ms=timeout_ms), queries={"order": query})


def test_shipment_by_order(live: LiveData, facade: Facade) -> None:
    result = live.fetch("logistics", "shipment_by_order", ORDER)
    assert result.status == "ok", result.error
    assert result.source == "logistics.shipment_by_order"
    assert result.row == {
        "carrier": "Rheinland Cargo",
        "tracking_no": "RC2611270418",
        "tracking_url": "https://track.rheinland-cargo.example/t/RC2611270418",
        "status": "in_transit",
        "shipped_at": dt.datetime.combine(day(-3), dt.time(10, 12), tzinfo=dt.UTC),
        "eta": day(2),
        "customer_id": "C10023",
    }
    assert facade.hits() == (1, ["/api/v1/shipments?order_no=SO4500123"])


def test_unknown_order_is_not_found(live: LiveData) -> None:
    result = live.fetch("logistics", "shipment_by_order", {"order_number": "SO4500456"})
    assert result.status == "not_found"  # packed, not shipped yet: the facade answers 404


def test_empty_order_number_is_not_found_without_a_call(live: LiveData, facade: Facade) -> None:
    assert live.fetch("logistics", "shipment_by_order", {}).status == "not_found"
    assert live.fetch("logistics", "shipment_by_order", {"order_number": "  "}).status == (
        "not_found"
    )
    assert facade.hits()[0] == 0


def test_a_committed_change_is_seen_by_the_next_fetch(live: LiveData, facade_db: Path) -> None:
    sql = "UPDATE shipments SET status = ?, delivered_at = ? WHERE tracking_no = 'RC2611270418'"
    assert shipment_status(live) == "in_transit"
    connection = sqlite3.connect(facade_db)
    try:
        with connection:
            connection.execute(sql, ("delivered", "2026-12-02T09:00:00Z"))
        assert shipment_status(live) == "delivered"
    finally:
        with connection:
            connection.execute(sql, ("in_transit", None))
        connection.close()


def shipment_status(live: LiveData) -> object:
    result = live.fetch("logistics", "shipment_by_order", ORDER)
    assert result.status == "ok" and result.row is not None, result.error
    return result.row["status"]


def test_slow_answer_times_out(facade: Facade) -> None:
    live = live_for(facade, logistics(timeout_ms=300))
    try:
        facade.arm("slow", count=1, delay_ms=3000)
        started = time.monotonic()
        result = live.fetch("logistics", "shipment_by_order", ORDER)
        elapsed = time.monotonic() - started
        assert result.status == "timeout", result.error
        assert result.row is None and result.fetched_at is None
        assert elapsed < 0.3 + 1.5
        assert live.fetch("logistics", "shipment_by_order", ORDER).status == "ok"
    finally:
        live.close()


def test_slow_but_in_time_is_fine(facade: Facade) -> None:
    live = live_for(facade, logistics(timeout_ms=2000))
    try:
        facade.arm("slow", count=1, delay_ms=200)
        assert live.fetch("logistics", "shipment_by_order", ORDER).status == "ok"
    finally:
        live.close()


@pytest.mark.parametrize(
    ("mode", "message"),
    [
        ("error", "HTTP 500"),
        ("malformed", "not valid JSON"),
        ("shape", "unexpected response shape"),
        ("types", "field carrier: expected string"),
    ],
)
def test_bad_answers_are_errors(live: LiveData, facade: Facade, mode: str, message: str) -> None:
    facade.arm(mode)
    result = live.fetch("logistics", "shipment_by_order", ORDER)
    assert result.status == "error"
    assert result.row is None
    assert message in (result.error or "")
    assert "RC2611270418" not in (result.error or "")  # no row data in the technical message
    assert live.fetch("logistics", "shipment_by_order", ORDER).status == "ok"  # one-off


def test_breaker_opens_without_calling_and_closes_after_reset(facade: Facade) -> None:
    live = live_for(facade, logistics(breaker_failures=3, breaker_reset_s=0.5))
    try:
        facade.arm("error", count=4)
        for _ in range(3):
            assert live.fetch("logistics", "shipment_by_order", ORDER).status == "error"
        assert facade.hits()[0] == 3
        status = live.status()["logistics"]
        assert status.state == "open" and status.consecutive_failures == 3
        assert status.retry_in_s is not None and 0 < status.retry_in_s <= 0.5
        for _ in range(5):
            refused = live.fetch("logistics", "shipment_by_order", ORDER)
            assert refused.status == "circuit_open"
        assert facade.hits()[0] == 3  # the server was not asked
        time.sleep(0.55)
        assert live.status()["logistics"].state == "half_open"
        trial = live.fetch("logistics", "shipment_by_order", ORDER)
        assert trial.status == "error"  # the fourth armed failure: open again
        assert live.fetch("logistics", "shipment_by_order", ORDER).status == "circuit_open"
        assert facade.hits()[0] == 4
        time.sleep(0.55)
        assert live.fetch("logistics", "shipment_by_order", ORDER).status == "ok"
        assert live.status()["logistics"].state == "closed"
        assert live.fetch("logistics", "shipment_by_order", ORDER).status == "ok"
        assert facade.hits()[0] == 6
    finally:
        live.close()


def test_not_found_is_not_a_failure(facade: Facade) -> None:
    live = live_for(facade, logistics(breaker_failures=2))
    try:
        for _ in range(4):
            unknown = live.fetch("logistics", "shipment_by_order", {"order_number": "SO1"})
            assert unknown.status == "not_found"
        assert live.status()["logistics"].state == "closed"
    finally:
        live.close()


@pytest.mark.parametrize(
    ("number", "raw"),
    [
        ("SO1/../../customers", "/api/v1/orders/SO1%2F%2E%2E%2F%2E%2E%2Fcustomers"),
        ("SO1?email=a@b.example", "/api/v1/orders/SO1%3Femail%3Da%40b%2Eexample"),
        ("..", "/api/v1/orders/%2E%2E"),
        ("SO4500123#frag", "/api/v1/orders/SO4500123%23frag"),
        ("SO4500123 x", "/api/v1/orders/SO4500123%20x"),
    ],
)
def test_path_parameters_are_encoded(facade: Facade, number: str, raw: str) -> None:
    live = live_for(facade, orders_connector())
    try:
        result = live.fetch("logistics", "order", {"order_number": number})
        assert result.status == "not_found", result.error
        assert facade.hits() == (1, [raw])
    finally:
        live.close()


def test_path_parameter_reaches_the_right_record(facade: Facade) -> None:
    live = live_for(facade, orders_connector())
    try:
        result = live.fetch("logistics", "order", {"order_number": "SO4500456"})
        assert result.status == "ok"
        assert result.row and result.row["customer_id"] == "C10031"  # the undeclared owner field
        assert result.row["value"] == pytest.approx(2843.54)
    finally:
        live.close()


def test_post_sends_the_params_as_json(facade: Facade) -> None:
    query = Query(
        "lookup",
        "",
        ("order_number", "po_number"),
        {"order_no": Field("order_no", "string"), "status": Field("status", "string")},
        "customer_id",
        method="POST",
        path="/orders/lookup",
        result_pointer="/order",
    )
    connector = dataclasses.replace(logistics(), queries={"lookup": query})
    live = live_for(facade, connector)
    try:
        by_po = live.fetch("logistics", "lookup", {"po_number": "tvps-88213"})
        assert by_po.row == {
            "order_no": "SO4500456",
            "status": "ready_to_ship",
            "customer_id": "C10031",
        }
        sneaky = live.fetch("logistics", "lookup", {"po_number": "x' OR '1'='1"})
        assert sneaky.status == "not_found"
        assert facade.hits() == (2, ["/api/v1/orders/lookup", "/api/v1/orders/lookup"])
    finally:
        live.close()


def test_query_parameters_are_encoded(live: LiveData, facade: Facade) -> None:
    sneaky = "SO1&order_no=SO4500123"
    result = live.fetch("logistics", "shipment_by_order", {"order_number": sneaky})
    assert result.status == "not_found"  # not the shipment of SO4500123
    assert facade.hits() == (1, ["/api/v1/shipments?order_no=SO1%26order_no%3DSO4500123"])


def test_missing_settings_are_clear_errors(facade: Facade) -> None:
    env = env_for(Path("unused"), facade.api_url)
    for setting in ("SWITCHBOARD_ERP_API_URL", "SWITCHBOARD_ERP_API_TOKEN"):
        partial = {k: v for k, v in env.items() if k != setting}
        live = live_for(facade, logistics(), partial)
        result = live.fetch("logistics", "shipment_by_order", ORDER)
        assert result.status == "error" and setting in (result.error or "")
        live.close()
    assert facade.hits()[0] == 0


def test_wrong_token_is_an_error(facade: Facade) -> None:
    env = {**env_for(Path("unused"), facade.api_url), "SWITCHBOARD_ERP_API_TOKEN": "wrong"}
    live = live_for(facade, logistics(), env)
    try:
        result = live.fetch("logistics", "shipment_by_order", ORDER)
        assert result.status == "error" and result.error == "HTTP 401"
        assert TOKEN not in (result.error or "")
    finally:
        live.close()


def test_refused_connection_is_an_error() -> None:
    closed = f"http://127.0.0.1:{free_port()}/api/v1"
    live = LiveData({"logistics": logistics()}, env_for(Path("unused"), closed))
    try:
        result = live.fetch("logistics", "shipment_by_order", ORDER)
        assert result.status == "error" and "ConnectError" in (result.error or "")
    finally:
        live.close()


def test_status_reports_counts(live: LiveData, facade: Facade) -> None:
    live.fetch("logistics", "shipment_by_order", ORDER)
    facade.arm("error")
    live.fetch("logistics", "shipment_by_order", ORDER)
    status = live.status()["logistics"]
    assert (status.kind, status.state, status.calls, status.failures) == ("http", "closed", 2, 1)
    assert status.last_error == "HTTP 500" and status.last_ok_at is not None
    assert status.consecutive_failures == 1
