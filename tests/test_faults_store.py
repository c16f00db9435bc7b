"""A store that cannot take an inquiry: what operators see.

tests/test_conversations_failures.py proves the API answers 503 `store_unavailable` and keeps
nothing for a full disk, a busy writer and a closed database. Here the same faults are
checked from the operator's side: a refused inquiry is neither counted nor logged as a
decision (nothing was acknowledged), the 503s show in /metrics, and the server recovers.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from pathlib import Path

import pytest

from api_support import assert_error
from ops_support import Small, scrape, small_server, total, value
from switchboard.conversations import Continuity
from switchboard.observability.logging import DECISIONS
from switchboard.store.conversations import SqliteConversationStore
from test_reload_support import ROUTINE

LONG = {**ROUTINE, "text": ROUTINE["text"] + " Our site team is waiting." * 600}


@pytest.fixture
def small(tmp_path: Path) -> Iterator[Small]:
    with small_server(tmp_path) as server:
        yield server


def store_of(small: Small) -> SqliteConversationStore:
    continuity = small.client.app.state.conversations
    assert isinstance(continuity, Continuity)
    store = continuity.store
    assert isinstance(store, SqliteConversationStore)
    return store


def cap(store: SqliteConversationStore, pages: int | None) -> None:
    with store.database.write() as db:
        current = db.execute("PRAGMA page_count").fetchone()[0]
        db.execute(f"PRAGMA max_page_count = {current if pages is None else pages}")


def decisions(small: Small) -> float:
    return total(scrape(small.client), "switchboard_decisions_total", mode="live")


def refused(small: Small) -> float:
    samples = scrape(small.client)
    return value(
        samples,
        "switchboard_http_requests_total",
        method="POST",
        route="/v1/inquiries",
        status="503",
    )


def test_a_full_disk_is_a_counted_503_and_no_decision(
    small: Small, caplog: pytest.LogCaptureFixture
) -> None:
    store = store_of(small)
    before, refused_before = decisions(small), refused(small)
    cap(store, None)
    try:
        with caplog.at_level(logging.INFO, logger=DECISIONS):
            for _ in range(3):
                assert_error(small.ask(LONG), 503, "store_unavailable")
    finally:
        cap(store, 1073741823)
    assert [r for r in caplog.records if r.name == DECISIONS] == []
    assert decisions(small) == before
    assert refused(small) == refused_before + 3
    assert small.ask(LONG).status_code == 200
    assert decisions(small) == before + 1


def test_a_closed_database_is_a_counted_503_until_reopened(small: Small) -> None:
    continuity = small.client.app.state.conversations
    path = store_of(small).database.path
    before = decisions(small)
    continuity.store.close()
    try:
        assert_error(small.ask(ROUTINE), 503, "store_unavailable")
        # a dry run stores nothing but reads the conversation: refused alike, not guessed
        assert_error(small.ask(ROUTINE, dry_run=True), 503, "store_unavailable")
    finally:
        continuity.store = SqliteConversationStore.open(path)
    assert decisions(small) == before
    assert small.ask(ROUTINE).status_code == 200
    assert decisions(small) == before + 1
