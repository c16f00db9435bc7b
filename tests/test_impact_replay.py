"""The impact preview from stored decisions: a real conversation store, the API, the CLI.

Decisions are made by the engine on the approved rules and recorded the way the live flow
records them (`write_turn`); the replay must use what was recorded (the customer, the data
the rules read, lookup failures), never a live lookup.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from litestar.testing import TestClient

from api_support import assert_error, make_settings
from repo_helpers import commit, git, make_repo
from switchboard import cli
from switchboard.analysis.impact import impact
from switchboard.analysis.replay_items import ReplayItem, items_from_records, lookup_names
from switchboard.app import create_app
from switchboard.conversations.recording import write_turn
from switchboard.engine.decide import decide
from switchboard.engine.sources import FixtureDataSource
from switchboard.engine.types import Context, Customer, Inquiry
from switchboard.rules import load_ruleset
from switchboard.rules.model import Ruleset
from switchboard.store.conversations import SqliteConversationStore
from switchboard.web.apikeys import create_key
from test_analysis_rules import VIP_RULE, files, rules_file

NOW = dt.datetime(2026, 12, 1, 9, 30, tzinfo=dt.UTC)
HELD = """  - id: held_order
    when: {fact: data.order.status, op: eq, value: on_hold}
    then: {action: route, queue: order_desk, reason: order_held}
"""
VIP = Customer(id="C10001", name="Aqua Vip AG", tier="vip")
PLAIN = Customer(id="C10023", name="Hydro-Kraft GmbH", tier="standard")


def _row(order: str, customer: Customer, status: str) -> dict[str, Any]:
    return {"order_no": order, "status": status, "customer_id": customer.id}


def record(
    store: SqliteConversationStore,
    ruleset: Ruleset,
    n: int,
    customer: Customer | None,
    data: dict[str, Any],
) -> str:
    """Decide one status question live-like and record it; returns the decision's outcome."""
    order = f"SO45{n:05d}"
    inquiry = Inquiry(channel="email", text=f"Where is my order {order}?")
    context = Context(NOW + dt.timedelta(minutes=n), customer)
    decision = decide(ruleset, inquiry, context, FixtureDataSource(data, context.now))
    with store.transaction() as writes:
        write_turn(writes, inquiry, context, (), decision, "test")
    return decision.outcome


def _load(repo: Path, rev: str, cache: Path) -> Ruleset:
    result = load_ruleset(repo, rev, cache_dir=cache)
    assert result.ruleset is not None, [str(p) for p in result.errors]
    return result.ruleset


def _stored(path: Path, rulesets: list[Ruleset]) -> list[ReplayItem]:
    store = SqliteConversationStore.open(path)
    try:
        with store.reads() as reads:
            records = reads.decisions.recent(100)
    finally:
        store.close()
    return [
        x for x in items_from_records(records, lookup_names(rulesets)) if isinstance(x, ReplayItem)
    ]


def test_replay_uses_the_recorded_data_not_a_lookup(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "rules", files(HELD))
    live = _load(repo, "HEAD", tmp_path / "cache")
    store = SqliteConversationStore.open(tmp_path / "switchboard.sqlite")
    outcomes = {}
    for n in range(6):
        status = "on_hold" if n < 3 else "shipped"
        data = {"erp.order_by_reference": _row(f"SO45{n:05d}", PLAIN, status)}
        outcomes[n] = record(store, live, n, PLAIN, data)
    timeout = {"erp.order_by_reference": {"error": "timeout"}}
    outcomes[6] = record(store, live, 6, PLAIN, timeout)
    store.close()
    assert list(outcomes.values()) == ["route"] * 3 + ["auto_reply"] * 3 + ["route"]

    proposed_rev = commit(repo, {"escalation/extra.yaml": None}, "Drop the held-order rule")
    proposed = _load(repo, proposed_rev, tmp_path / "cache")
    items = _stored(tmp_path / "switchboard.sqlite", [live, proposed])
    assert [i.context.customer for i in items] == [PLAIN] * 7
    report = impact(live, proposed, items, source="store")
    (change,) = report.changes
    assert change.danger and change.count == 3 == report.dangerous
    assert (change.before.outcome, change.after.outcome) == ("route", "auto_reply")
    assert change.examples[0].reasons_before == ["order_held"]
    assert report.synthesised == 0  # every lookup was covered by the recording
    # the timed-out lookup stayed a timeout: routed by both, so unchanged
    assert report.replayed == 7 and report.changed == 3


def test_an_unknown_sender_stays_unknown(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "rules", files())
    live = _load(repo, "HEAD", tmp_path / "cache")
    store = SqliteConversationStore.open(tmp_path / "switchboard.sqlite")
    assert record(store, live, 1, None, {}) == "route"
    store.close()
    (item,) = _stored(tmp_path / "switchboard.sqlite", [live])
    assert item.context.customer is None
    report = impact(live, live, [item], source="store")
    assert report.changed == 0 and report.synthesised == 0


@pytest.fixture
def served(tmp_path: Path) -> Iterator[tuple[TestClient[Any], dict[str, str], Path]]:
    """The approved rules (with the VIP rule) in a bare repository, decisions recorded for a
    VIP customer and a standard one, and the app serving both."""
    seed = make_repo(tmp_path / "seed", files())
    bare = tmp_path / "rules.git"
    git(tmp_path, "clone", "-q", "--bare", str(seed), str(bare))
    live = _load(bare, "main", tmp_path / "cache")
    var = tmp_path / "var"
    var.mkdir()
    store = SqliteConversationStore.open(var / "switchboard.sqlite")
    for n, customer in enumerate([VIP, PLAIN, VIP, PLAIN, VIP]):
        data = {"erp.order_by_reference": _row(f"SO45{n:05d}", customer, "shipped")}
        record(store, live, n, customer, data)
    store.close()
    settings = make_settings(var, bare)
    person = ("Anna Berger", "anna.berger@nordwerk.example")
    key = create_key(settings.keys_path, "anna", ["proposals:write"], person, ["editor"])
    with TestClient(create_app(settings, environ={})) as client:
        yield client, {"Authorization": f"Bearer {key}"}, bare


def test_impact_endpoint_flags_the_vip_rule_switched_off(
    served: tuple[TestClient[Any], dict[str, str], Path],
) -> None:
    client, headers, _ = served
    created = client.post("/v1/proposals", json={"title": "VIP rule off"}, headers=headers)
    pid = created.json()["id"]
    current = client.get(f"/v1/proposals/{pid}/files/escalation/vip.yaml", headers=headers).json()
    content = current["content"].replace(VIP_RULE, VIP_RULE + "    enabled: false\n")
    assert content != current["content"]
    edit = {"path": "escalation/vip.yaml", "content": content, "base": current["blob"]}
    done = client.post(
        f"/v1/proposals/{pid}/edits", json={"message": "off", "files": [edit]}, headers=headers
    )
    assert done.status_code == 201, done.text

    response = client.get(f"/v1/proposals/{pid}/impact", headers=headers)
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["source"] == "store" and body["replayed"] == 5
    (change,) = body["changes"]
    assert change["danger"] is True and change["count"] == 3 == body["dangerous"]
    assert change["before"] == {
        "outcome": "route",
        "intent": "order_status",
        "priority": "high",
        "queue": "order_desk",
    }
    assert change["after"]["outcome"] == "auto_reply"
    assert len(change["examples"]) == 3

    view = client.get(f"/v1/proposals/{pid}", headers=headers).json()
    guarantees = {g["id"]: g["status"] for g in view["analysis"]["guarantees"]}
    assert guarantees["key_customers"] == "failed"
    new = {f["code"] for f in view["analysis"]["findings"] if f.get("new")}
    assert {"rule_disabled", "guarantee_failed"} <= new

    fewer = client.get(f"/v1/proposals/{pid}/impact?last=2", headers=headers).json()
    assert fewer["replayed"] == 2
    bad = client.get(f"/v1/proposals/{pid}/impact?last=0", headers=headers)
    assert_error(bad, 422, "invalid_request")


def test_replay_command_reads_a_file_and_the_store(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    repo = make_repo(tmp_path / "rules", files())
    live_rev = git(repo, "rev-parse", "HEAD")
    off = rules_file(VIP_RULE + "    enabled: false\n", 15, "vip")
    proposed_rev = commit(repo, {"escalation/vip.yaml": off}, "VIP rule off")
    lines = [
        {"id": "a", "channel": "email", "text": "Where is my order SO4500123?"},
        {
            "id": "b",
            "inquiry": {"channel": "chat", "text": "Status of order SO4500124 please"},
            "context": {"now": "2026-12-01T09:30:00Z", "customer": {"id": "C1", "tier": "vip"}},
        },
        {"id": "c", "channel": "email", "text": "Hi", "colour": "blue"},
        "not an object",
    ]
    source = tmp_path / "inquiries.jsonl"
    source.write_text("\n".join(json.dumps(x) for x in lines) + "\n{broken\n", encoding="utf-8")
    args = ["replay", "--rules", str(repo), "--rev", proposed_rev, "--against", live_rev]
    args += ["--workers", "1", "--cache-dir", str(tmp_path / "cache")]
    assert cli.main([*args, "--input", str(source)]) == 1  # a change to an automatic answer
    out, err = capsys.readouterr()
    assert "DANGER" in out and "b: Status of order SO4500124 please" in out
    assert "input 3: Object contains unknown field `colour`" in err  # not an Inquiry field
    assert "input 4: expected a JSON object" in err
    assert "input 5: JSON is malformed" in err
    assert "3 input(s) could not be read" in out

    assert cli.main([*args, "--input", str(source), "--format", "json"]) == 1
    report = json.loads(capsys.readouterr().out)
    assert report["replayed"] == 2 and report["refused"] == 3 and report["dangerous"] == 1
    assert report["changes"][0]["examples"][0]["id"] == "b"

    missing = tmp_path / "nothing.sqlite"
    assert cli.main([*args, "--store", str(missing)]) == 1
    assert "no conversation store" in capsys.readouterr().err
    assert not missing.exists()  # reading never creates a store
