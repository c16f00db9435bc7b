"""POST /v1/inquiries end to end: a real git rules repository, a real SQLite ERP, the real app."""

from __future__ import annotations

import datetime as dt
import sqlite3
from collections.abc import Iterator
from contextlib import closing
from typing import Any

import pytest
from litestar.testing import TestClient

from api_support import assert_error, make_settings, mint, wait_until_settled
from repo_helpers import git, make_repo
from switchboard.app import create_app
from switchboard.engine.types import Context, ConversationFacts, DataSource, Decision, Inquiry
from switchboard.rules.model import Ruleset
from switchboard.web.recorder import NoRecorder, Recall

ERP_ROWS = """
CREATE TABLE customers (customer_id TEXT PRIMARY KEY, name TEXT, email TEXT UNIQUE);
CREATE TABLE orders (order_no TEXT PRIMARY KEY, status TEXT, customer_id TEXT);
INSERT INTO customers VALUES ('C10023', 'Hydro-Kraft GmbH', 'einkauf@hydro-kraft.example');
INSERT INTO customers VALUES ('C10031', 'Thames Valley Pumps', 'buyer@thamesvalley.example');
INSERT INTO orders VALUES ('SO4500123', 'shipped', 'C10023');
INSERT INTO orders VALUES ('SO4500999', 'on_hold', 'C10031');
"""
HYDRO = {"email": "einkauf@hydro-kraft.example"}


class ListRecorder(NoRecorder):
    """An in-memory Recorder: what the conversation store will do, minus the database."""

    def __init__(self) -> None:
        self.recalled: list[str] = []
        self.recorded: list[tuple[str, str | None]] = []

    def recall(
        self, ruleset: Ruleset, data: DataSource, inquiry: Inquiry, now: dt.datetime
    ) -> Recall:
        self.recalled.append(inquiry.text)
        customer = super().recall(ruleset, data, inquiry, now).context.customer
        facts = ConversationFacts(contacts_last_7d=len(self.recalled))
        return Recall(Context(now, customer, facts))

    def record(
        self, inquiry: Inquiry, recall: Recall, decision: Decision, gateway: str | None
    ) -> None:
        self.recorded.append((decision.decision_id, gateway))


class Server:
    def __init__(self, client: TestClient[Any], keys: dict[str, dict[str, str]], **kw: Any):
        self.client, self.keys = client, keys
        self.recorder: ListRecorder = kw["recorder"]
        self.revision: str = kw["revision"]

    def ask(self, text: str, sender: dict[str, str] | None = None, **kw: Any) -> Any:
        body: dict[str, Any] = {"channel": kw.pop("channel", "email"), "text": text}
        if sender:
            body["identifiers"] = sender
        path = "/v1/inquiries/dry-run" if kw.pop("dry_run", False) else "/v1/inquiries"
        return self.client.post(path, json=body, headers=kw.pop("headers", self.keys["gw"]))


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    tmp = tmp_path_factory.mktemp("inquiries")
    root = make_repo(tmp / "rules")
    db = tmp / "erp.sqlite"
    with closing(sqlite3.connect(db)) as conn:
        conn.executescript(ERP_ROWS)
    settings = make_settings(tmp / "var", root, max_body_bytes=2048)
    keys = {
        "gw": mint(settings, "email-gateway", "inquiries:write"),
        "dry": mint(settings, "rules-editor", "inquiries:dry_run"),
        "ops": mint(settings, "ops", "admin"),
    }
    recorder = ListRecorder()
    app = create_app(
        settings, environ={"SWITCHBOARD_ERP_DSN": f"sqlite:///{db}"}, recorder=recorder
    )
    with TestClient(app) as client:
        assert wait_until_settled(client) == 200
        yield Server(client, keys, recorder=recorder, revision=git(root, "rev-parse", "HEAD"))


def test_routine_question_from_the_owner_is_answered(server: Server) -> None:
    response = server.ask("Where is my order SO4500123?", HYDRO)
    assert response.status_code == 200, response.text
    decision = response.json()
    assert decision["outcome"] == "auto_reply", decision
    assert decision["automated"] is True
    assert decision["intent"] == "order_status"
    assert decision["revision"] == server.revision
    assert decision["customer_id"] == "C10023"
    assert "SO4500123 is shipped" in decision["reply"]["body"]
    assert decision["reply"]["subject"] == "Your order SO4500123"
    assert "dry-run" not in {k.lower() for k in response.headers}
    assert server.recorder.recorded[-1] == (decision["decision_id"], "email-gateway")


def test_another_customers_order_is_never_disclosed(server: Server) -> None:
    response = server.ask("Where is my order SO4500999?", HYDRO)
    decision = response.json()
    assert decision["outcome"] == "route"
    assert "ownership_mismatch" in decision["reasons"]
    assert "reply" not in decision
    assert "on_hold" not in response.text
    assert "C10031" not in response.text


def test_unknown_sender_goes_to_a_person(server: Server) -> None:
    decision = server.ask("Where is my order SO4500123?", {"email": "x@unknown.example"}).json()
    assert decision["outcome"] == "route"
    assert "unknown_customer" in decision["reasons"]
    assert "shipped" not in decision["summary"]


def test_escalation_rules_win(server: Server) -> None:
    decision = server.ask("Where is SO4500123? Next step is our lawyer.", HYDRO).json()
    assert decision["outcome"] == "route"
    assert decision["queue"] == "quality_claims"
    assert decision["priority"] == "urgent"
    assert "legal_threat" in decision["reasons"]


def test_dry_run_decides_alike_and_records_nothing(server: Server) -> None:
    before = len(server.recorder.recorded)
    live = server.ask("Where is my order SO4500123?", HYDRO).json()
    dry = server.ask("Where is my order SO4500123?", HYDRO, dry_run=True)
    assert dry.status_code == 200
    assert dry.headers["switchboard-dry-run"] == "true"
    assert len(server.recorder.recorded) == before + 1
    same = ("outcome", "intent", "reasons", "queue", "reply", "revision", "customer_id")
    assert {k: dry.json().get(k) for k in same} == {k: live.get(k) for k in same}
    assert dry.json()["decision_id"] != live["decision_id"]


def test_dry_run_scope_cannot_decide_live(server: Server) -> None:
    text = "Where is my order SO4500123?"
    assert server.ask(text, HYDRO, dry_run=True, headers=server.keys["dry"]).status_code == 200
    assert_error(server.ask(text, HYDRO, headers=server.keys["dry"]), 403, "forbidden")


def test_key_also_accepted_as_x_api_key(server: Server) -> None:
    key = server.keys["gw"]["Authorization"].removeprefix("Bearer ")
    response = server.ask("Where is my order SO4500123?", HYDRO, headers={"X-API-Key": key})
    assert response.status_code == 200


@pytest.mark.parametrize(
    ("body", "field", "words"),
    [
        ({"channel": "email", "text": "hi", "cc": "x"}, "data", "unknown field `cc`"),
        ({"channel": "fax", "text": "hi"}, "channel", "fax"),
        ({"channel": "email"}, "data", "missing required field `text`"),
        ({"channel": "email", "text": 7}, "text", "Expected `str`"),
        ({"channel": "sms", "text": "hi", "identifiers": {"fax": "1"}}, "identifiers", "fax"),
        ([], "data", "Expected `object`"),
    ],
)
def test_bad_bodies_are_refused_with_the_reason(
    server: Server, body: Any, field: str, words: str
) -> None:
    response = server.client.post("/v1/inquiries", json=body, headers=server.keys["gw"])
    details = assert_error(response, 422, "invalid_request")
    [problem] = details["problems"]
    assert problem["field"] == field and problem["source"] == "body"
    assert words in problem["message"]


def test_empty_and_malformed_bodies(server: Server) -> None:
    headers = {**server.keys["gw"], "Content-Type": "application/json"}
    empty = server.client.post("/v1/inquiries", content=b"", headers=headers)
    assert assert_error(empty, 422, "invalid_request")["problems"][0]["message"] == (
        "A JSON body is required."
    )
    broken = server.client.post("/v1/inquiries", content=b'{"channel": ', headers=headers)
    assert_error(broken, 400, "malformed_json")


def test_oversized_bodies_are_refused_before_parsing(server: Server) -> None:
    headers = {**server.keys["gw"], "Content-Type": "application/json"}
    big = b'{"channel": "email", "text": "' + b"a" * 4000 + b'"}'
    details = assert_error(
        server.client.post("/v1/inquiries", content=big, headers=headers), 413, "body_too_large"
    )
    assert details == {"max_bytes": 2048}
    # Without a Content-Length the body is counted as it streams in.
    chunks = (big[i : i + 500] for i in range(0, len(big), 500))
    streamed = server.client.post("/v1/inquiries", content=chunks, headers=headers)
    assert_error(streamed, 413, "body_too_large")
    # Not-JSON-at-all of the same size gets the same answer: nothing was parsed.
    junk = server.client.post("/v1/inquiries", content=b"\xff" * 4000, headers=headers)
    assert_error(junk, 413, "body_too_large")


def test_ready_and_status(server: Server) -> None:
    assert server.client.get("/ready").json() == {"status": "ready", "revision": server.revision}
    status = server.client.get("/v1/status", headers=server.keys["gw"]).json()
    assert status["ready"] is True
    assert status["revision"] == server.revision
    assert {"read", "validate", "compile", "engine"} <= set(status["timings_s"])
    assert status["connectors"]["erp"]["state"] == "closed"
    assert status["connectors"]["erp"]["calls"] > 0
    assert dt.datetime.fromisoformat(status["loaded_at"]) <= dt.datetime.now(dt.UTC)
