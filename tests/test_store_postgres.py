"""The PostgreSQL store's own concerns, on a real server: migrations under an advisory lock,
concurrent writers to one conversation, lost connections, text PostgreSQL refuses, and the
factory that picks SQLite or PostgreSQL from SWITCHBOARD_DATABASE_URL.

The areas' behaviour is tested on both databases by test_store_conversations.py.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from conversations_support import utc
from pg_support import Server, free_port, running_server
from switchboard.settings import Settings, SettingsError
from switchboard.store.conversations import ConversationStore, SqliteConversationStore
from switchboard.store.conversations.records import (
    ConversationRecord,
    IdentityLink,
    MessageRecord,
    Ref,
)
from switchboard.store.errors import LinkExists, StoreUnavailable
from switchboard.store.factory import location, open_reminder_store, open_store, shown
from switchboard.store.reminders import ReminderStore

psycopg = pytest.importorskip("psycopg")
pytest.importorskip("psycopg_pool")
from switchboard.store.postgres import PgConversationStore, PgDatabase  # noqa: E402
from switchboard.store.postgres.schema import MIGRATIONS  # noqa: E402

T0 = utc(2026, 12, 1, 9, 0)
WRITERS, EACH = 2, 100  # two replicas, 200 messages to one conversation


@pytest.fixture(scope="module")
def pg_server() -> Iterator[Server]:
    yield from running_server()


def applied(url: str) -> list[tuple[str, int]]:
    with psycopg.connect(url) as conn:
        found = conn.execute("SELECT area, version FROM schema_migrations ORDER BY 1, 2")
        return [(area, version) for area, version in found]


def test_migrations_run_once_and_keep_the_data(pg_server: Server) -> None:
    url = pg_server.create_database()
    first = PgConversationStore.open(url)
    with first.transaction() as w:
        w.conversations.put(ConversationRecord("cnv_1", "C10023", "open", T0, T0))
    first.close()
    again = PgConversationStore.open(url)
    with again.reads() as r:
        assert r.conversations.get("cnv_1") is not None
    again.close()
    assert applied(url) == sorted((m.area, m.version) for m in MIGRATIONS)


def test_replicas_starting_together_migrate_once(pg_server: Server) -> None:
    url = pg_server.create_database()
    start, opened, failed = threading.Barrier(6), [], []

    def replica() -> None:
        start.wait(10)
        try:
            opened.append(PgDatabase.open(url, max_size=1))
        except Exception as exc:  # what a race would raise: duplicate table or key
            failed.append(exc)

    threads = [threading.Thread(target=replica) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    for db in opened:
        db.close()
    assert failed == [] and len(opened) == 6
    assert applied(url) == sorted((m.area, m.version) for m in MIGRATIONS)


def _turn(store: ConversationStore, writer: int, n: int) -> None:
    """What recording an inquiry does to its conversation: read it, merge, write, add."""
    at = T0 + dt.timedelta(seconds=n)
    with store.transaction() as w:
        current = w.conversations.get("cnv_shared")
        assert current is not None
        w.conversations.put(
            dataclasses.replace(
                current,
                updated_at=at,
                refs=(*current.refs, Ref("thread", f"w{writer}-{n}@mail.example")),
                channels=tuple(dict.fromkeys((*current.channels, f"ch{writer}"))),
                entities={**current.entities, f"w{writer}_{n}": n},
            )
        )
        message = MessageRecord(
            f"m{writer}_{n}", "cnv_shared", "C10023", "inbound", "email", "", at
        )
        w.messages.add(message)


def _hammer(open_replica: Callable[[], ConversationStore]) -> ConversationRecord:
    """WRITERS replicas, each with its own connections, add EACH messages at once."""
    replicas = [open_replica() for _ in range(WRITERS)]
    with replicas[0].transaction() as w:
        w.conversations.put(ConversationRecord("cnv_shared", "C10023", "open", T0, T0))
    start, errors = threading.Barrier(WRITERS), []

    def write(writer: int) -> None:
        start.wait(10)
        try:
            for n in range(EACH):
                _turn(replicas[writer], writer, n)
        except Exception as exc:
            errors.append(exc)

    threads = [threading.Thread(target=write, args=(i,)) for i in range(WRITERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    try:
        assert errors == []
        with replicas[1].reads() as r:
            messages = r.messages.of_conversation("cnv_shared")
            stored = r.conversations.get("cnv_shared")
    finally:
        for replica in replicas:
            replica.close()
    expected = {f"m{w}_{n}" for w in range(WRITERS) for n in range(EACH)}
    assert {m.id for m in messages} == expected and len(messages) == WRITERS * EACH
    assert stored is not None
    return stored


def _check_merged(stored: ConversationRecord) -> None:
    """Every turn's merge survived: no writer overwrote another's read-modify-write."""
    expected = {f"w{w}_{n}" for w in range(WRITERS) for n in range(EACH)}
    assert set(stored.entities) == expected
    assert len([r for r in stored.refs if r.kind == "thread"]) == WRITERS * EACH
    assert set(stored.channels) == {f"ch{w}" for w in range(WRITERS)}


def test_two_replicas_writing_one_conversation_lose_nothing(pg_server: Server) -> None:
    url = pg_server.create_database()
    _check_merged(_hammer(lambda: PgConversationStore.open(url, pool_size=2)))


def test_the_same_load_on_one_sqlite_file_loses_nothing(tmp_path: Path) -> None:
    path = tmp_path / "switchboard.sqlite"
    _check_merged(_hammer(lambda: SqliteConversationStore.open(path)))


def test_a_link_made_meanwhile_by_another_replica_wins(pg_server: Server) -> None:
    url = pg_server.create_database()
    one, other = PgConversationStore.open(url), PgConversationStore.open(url)
    link = IdentityLink("lnk_1", "email", "petra@x.example", "C10023", "agent", "form", "anna", T0)
    try:
        inside, release = threading.Event(), threading.Event()

        def first() -> None:
            with one.transaction() as w:
                w.identities.add(link)
                inside.set()
                release.wait(10)

        thread = threading.Thread(target=first)
        thread.start()
        assert inside.wait(10)
        with pytest.raises(LinkExists) as exists, other.transaction() as w:
            threading.Timer(0.3, release.set).start()  # commits while the second waits
            w.identities.add(dataclasses.replace(link, id="lnk_2", customer_id="C10031"))
        thread.join(10)
        assert exists.value.link_id == "lnk_1"
        with other.reads() as r:
            active = r.identities.active("email", "petra@x.example")
        assert active is not None and active.customer_id == "C10023"
    finally:
        one.close()
        other.close()


def test_a_lost_connection_fails_one_call_and_the_pool_recovers(pg_server: Server) -> None:
    url = pg_server.create_database()
    store = PgConversationStore.open(url, pool_size=1)
    try:
        with store.reads() as r:
            assert r.conversations.get("cnv_1") is None
        with psycopg.connect(url, autocommit=True) as admin:
            admin.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                "WHERE datname = current_database() AND pid <> pg_backend_pid()"
            )
        with pytest.raises(StoreUnavailable) as failed, store.transaction() as w:
            w.conversations.put(ConversationRecord("cnv_1", "C10023", "open", T0, T0))
        assert failed.value.details == {"reason": "failure"}
        with store.transaction() as w:  # the broken connection was replaced
            w.conversations.put(ConversationRecord("cnv_1", "C10023", "open", T0, T0))
        with store.reads() as r:
            assert r.conversations.get("cnv_1") is not None
    finally:
        store.close()


def test_a_nul_character_is_kept_as_a_replacement_mark(pg_server: Server) -> None:
    store = PgConversationStore.open(pg_server.create_database())
    try:
        with store.transaction() as w:
            w.conversations.put(
                ConversationRecord("cnv_1", "C10023", "open", T0, T0, entities={"po\x00": "A\x00B"})
            )
            message = MessageRecord("m1", "cnv_1", None, "inbound", "sms", "hi\x00there", T0)
            w.messages.add(dataclasses.replace(message, metadata={"k": "\x00"}))
        with store.reads() as r:
            (stored,) = r.messages.of_conversation("cnv_1")
            conversation = r.conversations.get("cnv_1")
        assert stored.text == "hi\ufffdthere" and stored.metadata == {"k": "\ufffd"}
        assert conversation is not None and conversation.entities == {"po\ufffd": "A\ufffdB"}
    finally:
        store.close()


@pytest.mark.parametrize(
    ("url", "kind", "path"),
    [
        (None, "sqlite", None),
        ("", "sqlite", None),
        ("sqlite:///var/one.sqlite", "sqlite", Path("var/one.sqlite")),
        ("sqlite:////srv/switchboard/one.sqlite", "sqlite", Path("/srv/switchboard/one.sqlite")),
        ("postgresql://sb:secret@db.internal:5432/switchboard", "postgresql", None),
        ("postgres://sb@db.internal/switchboard", "postgresql", None),
    ],
)
def test_the_url_names_the_database(url: str | None, kind: str, path: Path | None) -> None:
    where = location(url)
    assert (where.kind, where.path) == (kind, path)
    assert where.url == (url if kind == "postgresql" else "")


@pytest.mark.parametrize(
    "url", ["mysql://db/x", "sqlite:///", "postgresql:///nohost", "sqlite://relative.db"]
)
def test_other_urls_stop_startup_with_the_setting_named(tmp_path: Path, url: str) -> None:
    settings = Settings(data_dir=tmp_path, database_url=url)
    with pytest.raises(SettingsError) as caught:
        open_store(settings)
    assert "SWITCHBOARD_DATABASE_URL" in str(caught.value)


def test_an_unreachable_database_is_named_without_its_password(tmp_path: Path) -> None:
    url = f"postgresql://switchboard:hunter2secret@127.0.0.1:{free_port()}/switchboard"
    assert shown(url) == url.replace("hunter2secret", "***")
    settings = Settings(data_dir=tmp_path, database_url=url)
    for opener in (open_store, open_reminder_store):
        with pytest.raises(SettingsError) as caught:
            opener(settings)
        message = str(caught.value)
        assert message.startswith("SWITCHBOARD_DATABASE_URL: cannot use the database")
        assert "hunter2secret" not in message and "127.0.0.1" in message


def test_the_factory_opens_what_the_url_names(pg_server: Server, tmp_path: Path) -> None:
    url = pg_server.create_database()
    on_postgres = Settings(data_dir=tmp_path / "pg", database_url=url, database_pool_size=2)
    store, reminders = open_store(on_postgres), open_reminder_store(on_postgres)
    try:
        assert isinstance(store, PgConversationStore)
        assert type(reminders).__name__ == "PgReminderStore"
    finally:
        store.close()
        reminders.close()
    assert not (tmp_path / "pg").exists()  # nothing went to the data directory
    one_file = tmp_path / "one.sqlite"
    on_file = Settings(data_dir=tmp_path / "lite", database_url=f"sqlite:///{one_file}")
    store, reminders = open_store(on_file), open_reminder_store(on_file)
    try:
        assert isinstance(store, SqliteConversationStore) and store.database.path == one_file
        assert isinstance(reminders, ReminderStore) and reminders.db.path == one_file
    finally:
        store.close()
        reminders.close()
    default = Settings(data_dir=tmp_path / "var")
    store = open_store(default)
    store.close()
    assert (tmp_path / "var" / "switchboard.sqlite").is_file()


def test_the_store_rides_out_a_database_restart(pg_server: Server) -> None:
    store = PgConversationStore.open(pg_server.create_database(), pool_size=2)
    cnv = ConversationRecord("cnv_1", "C10023", "open", T0, T0)
    try:
        pg_server.halt()
        try:
            for _ in range(2):  # the pooled connections are dead, then none can be made
                with pytest.raises(StoreUnavailable), store.transaction(timeout=1) as w:
                    w.conversations.put(cnv)
        finally:
            pg_server.start()
        deadline = time.monotonic() + 30
        while True:
            try:
                with store.transaction(timeout=2) as w:
                    w.conversations.put(cnv)
                break
            except StoreUnavailable:
                assert time.monotonic() < deadline, "the store did not reconnect"
                time.sleep(0.2)
        with store.reads() as r:
            assert r.conversations.get("cnv_1") == cnv
    finally:
        store.close()
