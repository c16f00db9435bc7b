"""Live data failing under the real app: every fault routes to a person with its reason and
never produces an automatic answer.

The rules are the small test repository with the order status answer also asking the demo
ERP's HTTP facade (a real process on 127.0.0.1, started with --faults) for the shipment, so
both connector kinds are in play: SQL (a SQLite file) and HTTP. Faults: a slow answer, HTTP
500, broken JSON, the wrong shape, wrong types, repeated failures (the breaker opens and later
closes), a SQLite file that is missing and one that is locked by another process.
"""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Iterator
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from litestar.testing import TestClient

from api_support import make_settings, mint, wait_until_settled
from ops_support import scrape, value
from repo_helpers import BASE, make_repo
from switchboard.app import create_app
from test_connectors_support import TOKEN, Facade, build_demo
from test_reload_support import HYDRO, ROUTINE, make_erp

LOGISTICS = """metadata:
  owner: anna.berger@nordwerk.example
  review_every: 90d
  last_reviewed: 2026-09-15
id: logistics
kind: http
base_url_setting: SWITCHBOARD_ERP_API_URL
auth: {header: Authorization, scheme: Bearer, secret_setting: SWITCHBOARD_ERP_API_TOKEN}
timeout_ms: 800  # the default; the "slow" fault waits 1200 ms
circuit_breaker: {failures: 3, reset_after: 2s}
queries:
  shipment_by_order:
    params: [order_number]
    request: {method: GET, path: /shipments, query: {order_no: "{order_number}"}}
    result: /shipment
    owner_field: customer_id
    fields:
      carrier: {type: string, pointer: /carrier}
      status: {type: string, pointer: /status}
      customer_id: {type: string, pointer: /customer/id}
"""
ORDER_LOOKUP = "    - {connector: erp, query: order_by_reference, as: order}\n"
SHIPMENT_LOOKUP = (
    "    - {connector: logistics, query: shipment_by_order, as: shipment,\n"
    "       params: {order_number: data.order.order_no}}\n"
)
SOURCE = "logistics.shipment_by_order"
RESET_AFTER_S = 2.0


def rules_with_shipments() -> dict[str, str]:
    files = dict(BASE)
    files["connectors/logistics.yaml"] = LOGISTICS
    intent = files["taxonomy/order_status.yaml"]
    assert intent.count(ORDER_LOOKUP) == 1
    files["taxonomy/order_status.yaml"] = intent.replace(
        ORDER_LOOKUP, ORDER_LOOKUP + SHIPMENT_LOOKUP
    )
    return files


@dataclass
class World:
    client: TestClient[Any]
    facade: Facade
    keys: dict[str, str]
    erp: Path

    def decide(self, inquiry: dict[str, Any] = ROUTINE) -> dict[str, Any]:
        response = self.client.post("/v1/inquiries", json=inquiry, headers=self.keys)
        assert response.status_code == 200, response.text
        decision: dict[str, Any] = response.json()
        return decision

    def hits(self) -> int:
        return self.facade.hits()[0]


def handed_over(decision: dict[str, Any], reason: str) -> None:
    """Routed to a person with `reason`, nothing answered, no shipment data disclosed."""
    assert decision["outcome"] == "route", decision
    assert decision["automated"] is False and "reply" not in decision
    assert reason in decision["reasons"], decision["reasons"]
    assert "Rheinland" not in str(decision)  # the carrier of SO4500123's shipment


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    tmp = tmp_path_factory.mktemp("faults-connectors")
    facade = Facade(build_demo(tmp))
    root = make_repo(tmp / "rules", rules_with_shipments())
    erp = make_erp(tmp / "erp.sqlite")
    settings = make_settings(tmp / "var", root)
    keys = mint(settings, "gw", "inquiries:write")
    environ = {
        "SWITCHBOARD_ERP_DSN": f"sqlite:///{erp}",
        "SWITCHBOARD_ERP_API_URL": facade.api_url,
        "SWITCHBOARD_ERP_API_TOKEN": TOKEN,
    }
    try:
        with TestClient(create_app(settings, environ=environ)) as client:
            assert wait_until_settled(client) == 200
            yield World(client, facade, keys, erp)
    finally:
        facade.stop()


@pytest.fixture(autouse=True)
def healthy(world: World) -> Iterator[None]:
    """Each test starts and ends with a facade that answers and a closed breaker."""
    world.facade.reset()
    answered = world.decide()
    assert answered["outcome"] == "auto_reply", answered["reasons"]
    yield
    world.facade.reset()


def test_the_healthy_path_answers_from_both_sources(world: World) -> None:
    decision = world.decide()
    assert decision["outcome"] == "auto_reply"
    assert [use["source"] for use in decision["data"]] == ["erp.order_by_reference", SOURCE]
    assert "shipped" in decision["reply"]["body"]


@pytest.mark.parametrize(
    ("mode", "reason"),
    [
        ("slow", "data_timeout"),
        ("error", "data_error"),
        ("malformed", "data_error"),
        ("shape", "data_error"),
        ("types", "data_error"),
    ],
)
def test_a_bad_answer_routes_with_its_reason(world: World, mode: str, reason: str) -> None:
    before = scrape(world.client)
    world.facade.arm(mode, count=1, delay_ms=1200)
    decision = world.decide()
    handed_over(decision, reason)
    [use] = [u for u in decision["data"] if u["source"] == SOURCE]
    assert use["status"] == {"data_timeout": "timeout", "data_error": "error"}[reason]
    after = scrape(world.client)
    status = use["status"]
    labels = {"connector": "logistics", "query": "shipment_by_order", "status": status}
    assert value(after, "switchboard_lookups_total", **labels) == (
        value(before, "switchboard_lookups_total", **labels) + 1
    )
    assert world.decide()["outcome"] == "auto_reply"  # the next one is fine again


def test_repeated_failures_open_the_breaker_and_it_closes_again(world: World) -> None:
    world.facade.arm("error", count=3)
    for _ in range(3):
        handed_over(world.decide(), "data_error")
    hits = world.hits()
    opened = time.monotonic()
    decision = world.decide()
    handed_over(decision, "circuit_open")
    assert world.hits() == hits  # refused without calling the facade
    samples = scrape(world.client)
    state = "switchboard_connector_circuit_state"
    assert value(samples, state, connector="logistics", state="open") == 1
    assert value(samples, state, connector="erp", state="closed") == 1
    time.sleep(max(0.0, RESET_AFTER_S - (time.monotonic() - opened)) + 0.2)
    assert world.decide()["outcome"] == "auto_reply"  # the trial call succeeds
    assert value(scrape(world.client), state, connector="logistics", state="closed") == 1


def test_a_locked_erp_database_times_out_and_routes(world: World) -> None:
    with closing(sqlite3.connect(world.erp, isolation_level=None)) as holder:
        holder.execute("BEGIN EXCLUSIVE")  # another process writing, holding every reader off
        try:
            started = time.monotonic()
            decision = world.decide()
            waited = time.monotonic() - started
        finally:
            holder.execute("ROLLBACK")
    handed_over(decision, "data_timeout")
    assert waited < 5
    assert world.decide()["outcome"] == "auto_reply"


def test_a_missing_erp_database_routes_until_it_is_back(
    world: World, tmp_path_factory: pytest.TempPathFactory
) -> None:
    tmp = tmp_path_factory.mktemp("faults-missing-erp")
    root = make_repo(tmp / "rules", rules_with_shipments())
    settings = make_settings(tmp / "var", root)
    keys = mint(settings, "gw", "inquiries:write")
    erp = tmp / "erp.sqlite"  # not there yet
    environ = {
        "SWITCHBOARD_ERP_DSN": f"sqlite:///{erp}",
        "SWITCHBOARD_ERP_API_URL": world.facade.api_url,
        "SWITCHBOARD_ERP_API_TOKEN": TOKEN,
    }
    with TestClient(create_app(settings, environ=environ)) as client:
        assert wait_until_settled(client) == 200
        for _ in range(2):  # below the breaker's threshold
            response = client.post("/v1/inquiries", json=ROUTINE, headers=keys)
            assert response.status_code == 200
            handed_over(response.json(), "unknown_customer")
        status = client.get("/v1/status", headers=keys).json()
        assert "cannot open the database" in status["connectors"]["erp"]["last_error"]
        make_erp(erp)
        response = client.post("/v1/inquiries", json=ROUTINE, headers=keys)
        assert response.json()["outcome"] == "auto_reply"
        assert response.json()["customer_id"] == "C10023"


def test_the_facade_never_saw_an_unowned_request(world: World) -> None:
    """Shipments are only asked for once the order belongs to the sender."""
    stranger = {**ROUTINE, "identifiers": {"email": "someone@elsewhere.example"}}
    hits = world.hits()
    handed_over(world.decide(stranger), "unknown_customer")
    assert world.hits() == hits
    assert HYDRO["email"] != stranger["identifiers"]["email"]
