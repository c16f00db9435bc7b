"""Continuity on PostgreSQL with the demo rules and the demo ERP, where another replica is
recording the same customer's inquiry at the same moment."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from conversations_support import HYDRO_EMAIL, demo_erp, demo_ruleset, live_data, utc
from pg_support import Server, running_server
from switchboard.conversations import Continuity
from switchboard.engine.decide import decide
from switchboard.engine.types import Identifiers, Inquiry
from switchboard.rules.model import Ruleset

psycopg = pytest.importorskip("psycopg")
pytest.importorskip("psycopg_pool")
from switchboard.store.postgres import PgConversationStore  # noqa: E402

MONDAY = utc(2026, 11, 30, 9, 0)


@pytest.fixture(scope="module")
def pg_server() -> Iterator[Server]:
    yield from running_server()


@pytest.fixture(scope="module")
def ruleset(tmp_path_factory: pytest.TempPathFactory) -> Ruleset:
    return demo_ruleset(tmp_path_factory)


@pytest.fixture(scope="module")
def erp(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return demo_erp(tmp_path_factory.mktemp("erp"))


def waiting_on_a_lock(url: str) -> bool:
    with psycopg.connect(url, autocommit=True) as conn:
        row = conn.execute(
            "SELECT count(*) FROM pg_stat_activity "
            "WHERE datname = current_database() AND wait_event_type = 'Lock'"
        ).fetchone()
    return bool(row and row[0])


def test_a_link_another_replica_makes_meanwhile_does_not_fail_the_inquiry(
    pg_server: Server, ruleset: Ruleset, erp: Path
) -> None:
    url = pg_server.create_database()
    store = PgConversationStore.open(url)
    continuity = Continuity(store)
    inquiry = Inquiry(
        channel="email",
        text="Where is my order SO4500123?",
        identifiers=Identifiers(email=HYDRO_EMAIL),
    )
    try:
        with live_data(ruleset, erp) as data:
            recall = continuity.recall(ruleset, data, inquiry, MONDAY)
            decision = decide(ruleset, inquiry, recall.context, data)
        (kind, value), *_ = recall.matched
        errors: list[BaseException] = []

        def record() -> None:
            try:
                continuity.record(inquiry, recall, decision, "gateway-b")
            except BaseException as exc:
                errors.append(exc)

        with psycopg.connect(url) as other:  # the other replica, recording the same customer
            other.execute(
                "INSERT INTO identity_links (id, kind, value, customer_id, source, evidence, "
                "created_by, created_at) VALUES ('lnk_a', %s, %s, 'C10023', 'erp_lookup', "
                "'ERP contact record', 'switchboard', now())",
                [kind, value],
            )
            thread = threading.Thread(target=record)
            thread.start()
            deadline = time.monotonic() + 10
            while not waiting_on_a_lock(url):  # this replica waits for the other's link
                assert time.monotonic() < deadline and thread.is_alive(), errors
                time.sleep(0.02)
            other.commit()
        thread.join(10)
        assert errors == []
        with store.reads() as r:
            link = r.identities.active(kind, value)
            stored = r.decisions.get(decision.decision_id)
        assert link is not None and link.id == "lnk_a"  # the other replica's link stands
        assert stored is not None and stored.customer_id == "C10023"
    finally:
        store.close()
