"""Data connections (connectors/), read-only, with "test connection": one query through the
live connector, showing how it went and how long it took. Values are not shown, only which
fields came back, so the page discloses no customer data."""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

from litestar import Controller, Request, Response, get, post
from litestar.params import FromPath

from switchboard.errors import NotReady
from switchboard.proposals.errors import NotFound
from switchboard.rules.model import Connector, Ruleset
from switchboard.web.ui.auth import require_user
from switchboard.web.ui.common import blocking
from switchboard.web.ui.formdata import text_of
from switchboard.web.ui.pages import render
from switchboard.web.ui.samples import sample_customers, sample_rows

STEMS = {"order_number": "order_no", "invoice_number": "invoice_no"}


@dataclass(frozen=True, slots=True)
class TestResult:
    __test__ = False  # not a pytest class
    query: str
    params: dict[str, str]
    status: str
    latency_ms: float
    fields: list[str]
    error: str | None


def sample_params(ruleset: Ruleset, connector: Connector, query: str) -> dict[str, str]:
    """A value for each input of the query, from the test cases' records, where there is one."""
    spec = connector.queries[query]
    rows = sample_rows(ruleset).get(f"{connector.id}.{query}", [])
    customers = sample_customers(ruleset)
    values: dict[str, str] = {}
    for param in spec.params:
        column = STEMS.get(param, param)
        found = next((r[column] for r in rows if r.get(column) is not None), None)
        if found is None and customers:
            found = getattr(customers[0], param.removeprefix("customer_"), None)
        values[param] = "" if found is None else str(found)
    return values


class ConnectionPages(Controller):
    path = "/ui/connectors"
    guards = [require_user]  # noqa: RUF012 - Litestar reads these class attributes
    include_in_schema = False

    @get("/")
    async def index(self, request: Request[Any, Any, Any]) -> Response[Any]:
        return _page(request, None)

    @post("/{connector_id:str}/test")
    async def test(
        self, request: Request[Any, Any, Any], connector_id: FromPath[str]
    ) -> Response[Any]:
        snapshot = request.app.state.active.peek()
        if snapshot is None:
            raise NotReady("No revision is live yet, so there is no live connection to test.")
        connector = snapshot.ruleset.connectors.get(connector_id)
        if connector is None:
            raise NotFound(f"There is no data connection {connector_id}.", {"id": connector_id})
        form = await request.form()
        query = str(form.get("query", ""))
        if query not in connector.queries:
            query = next(iter(connector.queries))
        params = {p: text_of(form, f"param.{p}").strip() for p in connector.queries[query].params}

        def work() -> TestResult:
            started = time.perf_counter()
            result = snapshot.data.fetch(
                connector_id, query, {k: v or None for k, v in params.items()}
            )
            took = (time.perf_counter() - started) * 1000
            fields = sorted(result.row) if result.row else []
            return TestResult(query, params, result.status, took, fields, result.error)

        return _page(request, (connector_id, await blocking(work)))


def _page(request: Request[Any, Any, Any], tested: tuple[str, TestResult] | None) -> Response[Any]:
    snapshot = request.app.state.active.peek()
    ruleset = snapshot.ruleset if snapshot else None
    status_of = getattr(snapshot.data, "status", None) if snapshot else None
    live = status_of() if callable(status_of) else {}
    connectors = sorted(ruleset.connectors.values(), key=lambda c: c.id) if ruleset else []
    samples = {
        c.id: {q: sample_params(ruleset, c, q) for q in c.queries} for c in connectors if ruleset
    }
    return render(
        request,
        "connectors.html",
        section="connectors",
        connectors=connectors,
        live=live,
        samples=samples,
        tested=tested,
        revision=snapshot.revision if snapshot else None,
    )
