"""/metrics of the real app: decisions, phases, requests, lookups, reloads, breakers, reminders.

Counters are compared before and after what a test does, so the tests of one module share a
server without depending on their order.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pytest

from ops_support import Small, scrape, small_server, total, value
from switchboard.app import create_app
from switchboard.engine.types import Decision
from switchboard.settings import Settings
from switchboard.store.reminders import DeliveryKey
from test_reload_support import COMPLAINT, HYDRO, ROUTINE, SAFETY, marked, plumb_commit, wait_for

PHASES = ("normalize", "classify", "extract", "lookups", "rules", "render", "total")


@pytest.fixture(scope="module")
def small(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Small]:
    with small_server(tmp_path_factory.mktemp("ops-metrics")) as server:
        yield server


def test_decisions_are_counted_by_outcome_intent_channel_and_mode(small: Small) -> None:
    before = scrape(small.client)
    answered = small.ask(ROUTINE).json()
    routed = small.ask(COMPLAINT, dry_run=True).json()
    small.ask({**COMPLAINT, "channel": "chat"})
    after = scrape(small.client)

    def delta(**labels: str) -> float:
        name = "switchboard_decisions_total"
        return value(after, name, **labels) - value(before, name, **labels)

    assert answered["outcome"] == "auto_reply" and routed["outcome"] == "route"
    assert delta(outcome="auto_reply", intent="order_status", channel="email", mode="live") == 1
    assert delta(outcome="route", intent="complaint", channel="email", mode="dry_run") == 1
    assert delta(outcome="route", intent="complaint", channel="chat", mode="live") == 1
    [reason] = routed["reasons"]
    reasons = "switchboard_decision_reasons_total"
    gained = value(after, reasons, outcome="route", reason=reason) - value(
        before, reasons, outcome="route", reason=reason
    )
    assert gained == 2


def test_every_phase_of_every_decision_is_timed(small: Small) -> None:
    before = scrape(small.client)
    decisions = [small.ask(ROUTINE).json() for _ in range(3)]
    after = scrape(small.client)
    for phase in PHASES:
        count = "switchboard_decision_phase_seconds_count"
        assert value(after, count, phase=phase) - value(before, count, phase=phase) == 3
    spent = sum(d["timings_us"]["total"] for d in decisions) / 1e6
    gained = value(after, "switchboard_decision_phase_seconds_sum", phase="total") - value(
        before, "switchboard_decision_phase_seconds_sum", phase="total"
    )
    assert gained == pytest.approx(spent, abs=1e-6)


def test_requests_are_counted_by_route_template_and_status(small: Small) -> None:
    before = scrape(small.client)
    small.ask(ROUTINE)
    refused = small.client.post("/v1/inquiries", json=ROUTINE)  # no key
    assert refused.status_code == 401
    bad = small.client.post("/v1/inquiries", json={"channel": "fax"}, headers=small.keys["gw"])
    assert bad.status_code == 422
    small.client.get("/v1/proposals/abc123", headers=small.keys["ops"])
    after = scrape(small.client)
    name = "switchboard_http_requests_total"
    for status in ("200", "401", "422"):
        labels = {"method": "POST", "route": "/v1/inquiries", "status": status}
        assert value(after, name, **labels) - value(before, name, **labels) == 1
    assert total(after, name, method="GET", route="/v1/proposals/{proposal_id}", status="404") >= 1
    routes = {dict(labels)["route"] for n, labels in after if n == name}
    assert "/v1/proposals/abc123" not in routes  # templates, never raw paths
    timed = "switchboard_http_request_duration_seconds_count"
    labels = {"method": "POST", "route": "/v1/inquiries"}
    assert value(after, timed, **labels) - value(before, timed, **labels) == 3


def test_lookups_are_counted_and_timed_by_connector_and_query(small: Small) -> None:
    before = scrape(small.client)
    small.ask(ROUTINE)  # the order (the customer too, unless an identity link knows them)
    small.ask({**ROUTINE, "identifiers": {"email": "nobody@nowhere.example"}})
    after = scrape(small.client)

    def delta(name: str, **labels: str) -> float:
        return total(after, name, **labels) - total(before, name, **labels)

    lookups = "switchboard_lookups_total"
    customer = {"connector": "erp", "query": "customer_by_identifier"}
    assert delta(lookups, **customer, status="not_found") >= 1
    assert delta(lookups, connector="erp", query="order_by_reference", status="ok") == 1
    made = delta(lookups, connector="erp")
    assert delta("switchboard_lookup_duration_seconds_count", connector="erp") == made
    assert delta("switchboard_connector_calls_total", connector="erp") == made
    assert value(after, "switchboard_connector_circuit_state", connector="erp", state="closed") == 1
    assert value(after, "switchboard_connector_circuit_state", connector="erp", state="open") == 0


def test_live_revision_readiness_and_info(small: Small) -> None:
    samples = scrape(small.client)
    assert value(samples, "switchboard_ready") == 1
    assert value(samples, "switchboard_rules_failing") == 0
    assert value(samples, "switchboard_revision_info", revision=small.first) == 1
    assert value(samples, "switchboard_reloads_total", result="live", revision=small.first) == 1
    assert value(samples, "switchboard_reload_build_seconds_count", result="live") >= 1
    assert value(samples, "switchboard_reloader_events_total", event="went_live") >= 1
    loaded = value(samples, "switchboard_revision_loaded_timestamp_seconds")
    assert 0 < dt.datetime.now(dt.UTC).timestamp() - loaded < 600
    assert total(samples, "switchboard_info") == 1


def test_metrics_hold_no_customer_data(small: Small) -> None:
    probe = "Zanzibar-7731"
    small.ask({**ROUTINE, "text": f"Where is my order SO4500123? Ref {probe}"})
    small.ask({**COMPLAINT, "identifiers": {"email": "probe.person@probe-corp.example"}})
    text = small.client.get("/metrics").text
    for secret in (probe, "probe-corp", "einkauf@", "Hydro-Kraft", "C10023", "SO4500123"):
        assert secret not in text


def test_reminders_sent_come_from_the_reminder_store(small: Small) -> None:
    store = small.client.app.state.reminders.store
    due = dt.date(2026, 12, 24)
    now = dt.datetime(2026, 12, 1, 8, tzinfo=dt.UTC)
    overdue = DeliveryKey("overdue", "queues/order_desk.yaml", due, "email", "anna@x.example")
    store.record(overdue, now)
    store.record(overdue, now + dt.timedelta(days=7))  # reminded again a week later
    store.record(DeliveryKey("digest", "", due, "webhook", "anna@x.example"), now)
    samples = scrape(small.client)
    sent = "switchboard_reminders_sent_total"
    assert value(samples, sent, kind="overdue", channel="email") == 2
    assert value(samples, sent, kind="digest", channel="webhook") == 1


def test_each_app_has_its_own_registry(tmp_path: Path) -> None:
    apps = [create_app(Settings(rules_path=tmp_path, data_dir=tmp_path / n)) for n in "ab"]
    first, second = (app.state.metrics for app in apps)
    assert first.registry is not second.registry
    decision = Decision(
        decision_id="d1", revision="r1", outcome="route", automated=False, intent="complaint",
        confidence=0.9, language="en", priority="high", reasons=["complaint"], summary="",
        timings_us={"total": 120},
    )  # fmt: skip
    first.observe_decision(decision, "email", dry_run=False)
    assert b'switchboard_decisions_total{channel="email"' in first.exposition()
    assert b"switchboard_decisions_total{" not in second.exposition()


def test_reloads_count_failed_and_live_revisions(tmp_path: Path) -> None:
    with small_server(tmp_path) as small:
        files = marked(1)
        files[SAFETY] = files[SAFETY].replace("precedence: 10", "precedence: ten")
        bad = plumb_commit(small.root, files, "Broken precedence")
        wait_for(small.status, lambda s: bad in s["reload"]["failed_revisions"])
        samples = scrape(small.client)
        assert value(samples, "switchboard_reloads_total", result="failed", revision=bad) == 1
        assert value(samples, "switchboard_rules_failing") == 1
        assert value(samples, "switchboard_revision_info", revision=small.first) == 1
        assert value(samples, "switchboard_ready") == 1
        good = plumb_commit(small.root, marked(2), "Fixed")
        wait_for(small.status, lambda s: s["revision"] == good)
        samples = scrape(small.client)
        assert value(samples, "switchboard_reloads_total", result="live", revision=good) == 1
        assert value(samples, "switchboard_reloads_total", result="failed", revision=bad) == 1
        assert value(samples, "switchboard_rules_failing") == 0
        assert value(samples, "switchboard_revision_info", revision=good) == 1
        assert value(samples, "switchboard_revision_info", revision=small.first) == 0
        assert value(samples, "switchboard_reloader_events_total", event="failed") == 1


def test_health_ready_and_metrics_need_no_key(small: Small) -> None:
    assert small.client.get("/health").status_code == 200
    assert small.client.get("/ready").json()["revision"] == small.first
    assert small.client.get("/metrics").status_code == 200
    assert HYDRO["email"] not in small.client.get("/ready").text
