"""The SQLite conversation store's own concerns: migrations, locks, a full disk, a closed file."""

from __future__ import annotations

import sqlite3
from contextlib import closing
from pathlib import Path

import pytest

from conversations_support import utc
from switchboard.store.conversations import SqliteConversationStore
from switchboard.store.conversations.records import ConversationRecord, CustomerRecord
from switchboard.store.db import Database
from switchboard.store.errors import StoreUnavailable

T0 = utc(2026, 12, 1, 9, 0)


def applied(path: Path) -> list[tuple[str, int]]:
    with closing(sqlite3.connect(path)) as conn:
        return conn.execute(
            "SELECT area, version FROM _migrations WHERE area = 'conversations'"
        ).fetchall()


def test_migrations_run_once_and_keep_the_data(tmp_path: Path) -> None:
    path = tmp_path / "switchboard.sqlite"
    first = SqliteConversationStore.open(path)
    with first.transaction() as w:
        w.customers.put(CustomerRecord("C10023", "Hydro-Kraft GmbH", updated_at=T0))
    assert first.database.migrate() == []
    first.close()
    again = Database.open(path)
    assert again.migrate() == []
    again.close()
    second = SqliteConversationStore.open(path)
    with second.reads() as r:
        assert r.customers.get("C10023") is not None
    second.close()
    assert applied(path) == [("conversations", 1)]


def test_the_store_shares_a_file_with_other_areas(tmp_path: Path) -> None:
    path = tmp_path / "switchboard.sqlite"
    SqliteConversationStore.open(path).close()
    with closing(sqlite3.connect(path)) as conn:
        areas = {row[0] for row in conn.execute("SELECT area FROM _migrations")}
    assert "conversations" in areas


def test_another_process_holding_the_write_lock_means_busy(tmp_path: Path) -> None:
    path = tmp_path / "switchboard.sqlite"
    store = SqliteConversationStore.open(path)
    other = sqlite3.connect(path, isolation_level=None)
    try:
        other.execute("BEGIN IMMEDIATE")
        with pytest.raises(StoreUnavailable) as refused, store.transaction(timeout=0.3) as w:
            w.customers.put(CustomerRecord("C10023"))
        assert refused.value.details == {"reason": "busy"}
        other.execute("ROLLBACK")
        with store.transaction(timeout=0.3) as w:
            w.customers.put(CustomerRecord("C10023"))
    finally:
        other.close()
        store.close()


def test_a_full_disk_fails_the_transaction_and_stores_nothing(tmp_path: Path) -> None:
    store = SqliteConversationStore.open(tmp_path / "switchboard.sqlite")
    with store.transaction() as w:
        pages = w.customers.db.execute("PRAGMA page_count").fetchone()[0]
        w.customers.db.execute(f"PRAGMA max_page_count = {pages}")
    big = ConversationRecord("cnv_big", "C10023", "open", T0, T0, entities={"x": "y" * 100_000})
    with pytest.raises(StoreUnavailable) as failed, store.transaction() as w:
        w.customers.put(CustomerRecord("C10023"))
        w.conversations.put(big)
    assert failed.value.details == {"reason": "failure"}
    with store.transaction() as w:
        w.customers.db.execute("PRAGMA max_page_count = 1073741823")
    with store.reads() as r:
        assert r.customers.get("C10023") is None
        assert r.conversations.get("cnv_big") is None
    with store.transaction() as w:  # the writer is usable again
        w.conversations.put(big)
    store.close()


def test_a_closed_store_is_unavailable(tmp_path: Path) -> None:
    store = SqliteConversationStore.open(tmp_path / "switchboard.sqlite")
    store.close()
    with pytest.raises(StoreUnavailable), store.transaction() as w:
        w.customers.put(CustomerRecord("C10023"))
    with pytest.raises(StoreUnavailable), store.reads() as r:
        r.customers.get("C10023")


def test_an_unopenable_file_is_an_error_at_open(tmp_path: Path) -> None:
    (tmp_path / "switchboard.sqlite").mkdir()  # a directory where the file should be
    with pytest.raises(sqlite3.OperationalError):
        SqliteConversationStore.open(tmp_path / "switchboard.sqlite")
