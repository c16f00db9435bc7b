"""When the store cannot take an inquiry the API answers 503 `store_unavailable` and
acknowledges nothing: a full disk, a writer held too long, a closed database."""

from __future__ import annotations

import sqlite3
import threading
import uuid
from collections.abc import Iterator
from contextlib import closing
from typing import Any

import pytest

from api_support import assert_error
from conversations_support import HYDRO_EMAIL, Api, running_api
from switchboard.conversations import Continuity
from switchboard.conversations.wiring import DATABASE_FILE
from switchboard.store.conversations import SqliteConversationStore

QUESTION = "Where is my order SO4500123?"


@pytest.fixture(scope="module")
def api(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Api]:
    with running_api(tmp_path_factory, "conversations-failures") as running:
        yield running


def continuity(api: Api) -> Continuity:
    found = api.client.app.state.conversations
    assert isinstance(found, Continuity)
    return found


def sqlite_store(api: Api) -> SqliteConversationStore:
    store = continuity(api).store
    assert isinstance(store, SqliteConversationStore)
    return store


def cap_file_size(store: SqliteConversationStore, pages: int | None) -> None:
    """Let the file grow no further (None) or up to `pages`: a disk that is full."""
    with store.database.write() as db:
        current = db.execute("PRAGMA page_count").fetchone()[0]
        db.execute(f"PRAGMA max_page_count = {current if pages is None else pages}")


def ask(api: Api, text: str = QUESTION) -> tuple[str, Any]:
    """Send the question with a unique probe; returns the probe and the response."""
    probe = uuid.uuid4().hex
    body: dict[str, Any] = {"identifiers": {"email": HYDRO_EMAIL}, "metadata": {"probe": probe}}
    return probe, api.ask(text, **body)


def stored(api: Api, probe: str) -> int:
    with closing(sqlite3.connect(api.data_dir / DATABASE_FILE)) as conn:
        row = conn.execute(
            "SELECT count(*) FROM messages WHERE json_extract(metadata, '$.probe') = ?", [probe]
        ).fetchone()
    return int(row[0])


def totals(api: Api) -> dict[str, int]:
    with closing(sqlite3.connect(api.data_dir / DATABASE_FILE)) as conn:
        return {
            table: conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
            for table in ("customers", "identity_links", "conversations", "messages", "decisions")
        }


def test_a_full_disk_acknowledges_nothing(api: Api) -> None:
    store = sqlite_store(api)
    before = totals(api)
    cap_file_size(store, None)
    try:  # a long text needs pages the file may no longer grow by
        probe, response = ask(api, QUESTION + " Our site team is waiting." * 600)
        details = assert_error(response, 503, "store_unavailable")
        assert details == {"reason": "failure"}
        assert response.headers["retry-after"] == "5"
        assert stored(api, probe) == 0 and totals(api) == before
    finally:
        cap_file_size(store, 1073741823)
    probe, response = ask(api)
    assert response.status_code == 200
    assert stored(api, probe) == 1


def test_a_writer_held_too_long_means_overload(api: Api) -> None:
    store = continuity(api).store
    holding, release = threading.Event(), threading.Event()

    def hold() -> None:
        with store.transaction():
            holding.set()
            release.wait(30)

    worker = threading.Thread(target=hold)
    worker.start()
    try:
        assert holding.wait(10)
        probe, response = ask(api)
        assert assert_error(response, 503, "store_unavailable") == {"reason": "busy"}
    finally:
        release.set()
        worker.join(10)
    assert stored(api, probe) == 0
    assert api.ask(QUESTION, identifiers={"email": HYDRO_EMAIL}).status_code == 200


def test_a_dry_run_needs_no_writer(api: Api) -> None:
    store = continuity(api).store
    holding, release = threading.Event(), threading.Event()

    def hold() -> None:
        with store.transaction():
            holding.set()
            release.wait(30)

    worker = threading.Thread(target=hold)
    worker.start()
    try:
        assert holding.wait(10)
        dry = api.ask(QUESTION, identifiers={"email": HYDRO_EMAIL}, dry_run=True)
        assert dry.status_code == 200 and dry.json()["outcome"] in ("auto_reply", "route")
    finally:
        release.set()
        worker.join(10)


def test_a_closed_database_acknowledges_nothing(api: Api) -> None:
    service = continuity(api)
    path = sqlite_store(api).database.path
    service.store.close()
    try:
        probe, response = ask(api)
        assert_error(response, 503, "store_unavailable")
    finally:
        service.store = SqliteConversationStore.open(path)
    assert stored(api, probe) == 0
    probe, response = ask(api)
    assert response.status_code == 200
    assert stored(api, probe) == 1
