"""The conversation store's areas on a real SQLite file and a real PostgreSQL server: links,
conversations, paging, messages, decisions, events, one-transaction writes and failures.

Every test takes `store` (a ConversationStore) and runs on both; the PostgreSQL run is skipped
only where the PostgreSQL server programs are not installed.
"""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from conversations_support import utc
from pg_support import Server, running_server
from switchboard.store.conversations import ConversationStore, SqliteConversationStore
from switchboard.store.conversations.records import (
    ConversationRecord,
    Cursor,
    CustomerRecord,
    DecisionRecord,
    Direction,
    EventRecord,
    IdentityLink,
    MessageRecord,
    Ref,
    Status,
)
from switchboard.store.errors import LinkExists, StoreUnavailable

T0 = utc(2026, 12, 1, 9, 0)


@pytest.fixture(scope="module")
def pg_server() -> Iterator[Server]:
    yield from running_server()


@pytest.fixture(params=["sqlite", "postgresql"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[ConversationStore]:
    opened: ConversationStore
    if request.param == "postgresql":
        from switchboard.store.postgres import PgConversationStore

        server: Server = request.getfixturevalue("pg_server")
        opened = PgConversationStore.open(server.create_database())
    else:
        opened = SqliteConversationStore.open(tmp_path / "switchboard.sqlite")
    yield opened
    opened.close()


def link(link_id: str, value: str, customer: str = "C10023", at: dt.datetime = T0) -> IdentityLink:
    return IdentityLink(
        link_id, "email", value, customer, "agent", "Signed order form", "anna@nw.example", at
    )


def conversation(
    cid: str,
    customer: str | None = "C10023",
    *,
    refs: tuple[Ref, ...] = (),
    status: Status = "open",
    opened: dt.datetime = T0,
    updated: dt.datetime | None = None,
) -> ConversationRecord:
    return ConversationRecord(
        cid,
        customer,
        status,
        opened,
        updated or opened,
        refs=refs,
    )


def message(mid: str, cid: str, at: dt.datetime, direction: Direction = "inbound") -> MessageRecord:
    return MessageRecord(
        mid,
        cid,
        "C10023",
        direction,
        "email",
        f"text of {mid}",
        at,
    )


def decision(did: str, cid: str, at: dt.datetime, intent: str = "order_status") -> DecisionRecord:
    return DecisionRecord(
        id=did,
        conversation_id=cid,
        customer_id="C10023",
        channel="email",
        revision="abc123",
        outcome="route",
        intent=intent,
        queue="order_desk",
        reasons=("repeated_contact", "agent_already_involved"),
        created_at=at,
        decision={"decision_id": did, "entities": {"order_number": "SO4500123"}},
        inquiry={"channel": "email", "text": "Where is SO4500123?"},
        context={"now": at.isoformat()},
    )


def test_customers_are_replaced_whole(store: ConversationStore) -> None:
    with store.transaction() as w:
        w.customers.put(CustomerRecord("C10023", "Hydro-Kraft GmbH", "standard", updated_at=T0))
        w.customers.put(CustomerRecord("C10023", "Hydro-Kraft GmbH", "vip", "K100230"))
    with store.reads() as r:
        stored = r.customers.get("C10023")
        assert r.customers.get("C99999") is None
    assert stored is not None and (stored.tier, stored.account_no) == ("vip", "K100230")


def test_links_are_ended_never_deleted(store: ConversationStore) -> None:
    with store.transaction() as w:
        w.identities.add(link("lnk_1", "petra@private.example"))
    with pytest.raises(LinkExists) as exists, store.transaction() as w:
        w.identities.add(link("lnk_2", "petra@private.example", "C10031"))
    assert exists.value.link_id == "lnk_1"
    later = T0 + dt.timedelta(hours=1)
    with store.transaction() as w:
        ended = w.identities.end("lnk_1", later, "jonas@nw.example", "Private address")
        assert w.identities.end("lnk_1", later, "jonas@nw.example", "again") is None
        w.identities.add(link("lnk_3", "petra@private.example", "C10031", later))
    assert ended is not None and not ended.active
    assert (ended.unlinked_at, ended.unlinked_by) == (later, "jonas@nw.example")
    with store.reads() as r:
        active = r.identities.active("email", "petra@private.example")
        trail = r.identities.of_customer("C10023")
        assert r.identities.get("lnk_2") is None
    assert active is not None and active.customer_id == "C10031"
    assert [(x.id, x.active, x.unlink_reason) for x in trail] == [
        ("lnk_1", False, "Private address")
    ]


def test_conversation_round_trip(store: ConversationStore) -> None:
    refs = (Ref("order_number", "SO4500123"), Ref("thread", "a1@mail.example"))
    saved = ConversationRecord(
        "cnv_1",
        "C10023",
        "open",
        T0,
        T0 + dt.timedelta(minutes=5),
        refs=refs,
        channels=("email", "voice"),
        queue="order_desk",
        assignee="anna@nw.example",
        entities={"order_number": "SO4500123"},
    )
    with store.transaction() as w:
        w.conversations.put(saved)
    with store.reads() as r:
        assert r.conversations.get("cnv_1") == saved
        assert r.conversations.get("cnv_2") is None
    more = Ref("invoice_number", "INV26004512")
    changed = ConversationRecord("cnv_1", "C10023", "resolved", T0, T0, refs=(more,))
    with store.transaction() as w:
        w.conversations.put(changed)
    with store.reads() as r:
        stored = r.conversations.get("cnv_1")
    assert stored is not None and stored.status == "resolved"
    assert set(stored.refs) == {*refs, more}  # references are only ever added


def test_only_the_customers_recent_open_conversations_are_continued(
    store: ConversationStore,
) -> None:
    so1, so2, so3 = (Ref("order_number", f"SO450000{n}") for n in (1, 2, 3))
    since = T0 - dt.timedelta(days=14)
    with store.transaction() as w:
        w.conversations.put(conversation("a_open", refs=(so1,), updated=T0))
        w.conversations.put(conversation("b_open", "C10031", refs=(so1, so3), updated=T0))
        w.conversations.put(conversation("a_resolved", refs=(so2,), status="resolved"))
        old = T0 - dt.timedelta(days=15)
        w.conversations.put(conversation("a_old", refs=(so3,), opened=old))
        w.conversations.put(conversation("a_later", updated=T0 + dt.timedelta(hours=1)))
    with store.reads() as r:
        found = r.conversations.open_with_refs("C10023", [so2, so1], since)
        assert found is not None and found.id == "a_open"
        assert r.conversations.open_with_refs("C10023", [so2], since) is None
        assert r.conversations.open_with_refs("C10023", [so3], since) is None
        assert r.conversations.open_with_refs("C10023", [], since) is None
        latest = r.conversations.latest_open("C10023", since)
        assert latest is not None and latest.id == "a_later"
        assert r.conversations.latest_open("C10099", since) is None


def test_pages_walk_every_conversation_once(store: ConversationStore) -> None:
    opened = [T0 + dt.timedelta(minutes=n) for n in (0, 1, 1, 2, 3, 3, 4)]
    with store.transaction() as w:
        for n, at in enumerate(opened):
            w.conversations.put(conversation(f"cnv_{n}", opened=at))
        w.conversations.put(conversation("other", "C10031"))
    seen: list[str] = []
    after: Cursor | None = None
    while True:
        with store.reads() as r:
            page = r.conversations.page("C10023", 3, after)
        seen += [c.id for c in page]
        if len(page) < 3:
            break
        after = Cursor(page[-1].opened_at, page[-1].id)
    assert seen == ["cnv_6", "cnv_5", "cnv_4", "cnv_3", "cnv_2", "cnv_1", "cnv_0"]


def test_messages_and_inbound_counts(store: ConversationStore) -> None:
    with store.transaction() as w:
        w.conversations.put(conversation("cnv_1"))
        w.messages.add(message("m1", "cnv_1", T0 - dt.timedelta(days=8)))
        w.messages.add(message("m2", "cnv_1", T0 - dt.timedelta(days=2)))
        w.messages.add(message("m3", "cnv_1", T0 - dt.timedelta(days=2), "outbound"))
        w.messages.add(message("m4", "cnv_1", T0))
    with store.reads() as r:
        assert r.messages.inbound_count("C10023", T0 - dt.timedelta(days=7)) == 2
        assert r.messages.inbound_count("C10031", T0 - dt.timedelta(days=7)) == 0
        assert [m.id for m in r.messages.of_conversation("cnv_1")] == ["m1", "m2", "m3", "m4"]


def test_decisions_keep_their_documents_and_order(store: ConversationStore) -> None:
    times = [T0 + dt.timedelta(minutes=n) for n in range(3)]
    with store.transaction() as w:
        w.conversations.put(conversation("cnv_1"))
        for n, at in enumerate(times):
            w.decisions.add(decision(f"d{n}", "cnv_1", at, intent=f"intent_{n}"))
    with store.reads() as r:
        assert [d.id for d in r.decisions.of_conversation("cnv_1", last=2)] == ["d1", "d2"]
        assert [d.id for d in r.decisions.of_conversation("cnv_1")] == ["d0", "d1", "d2"]
        assert [d.id for d in r.decisions.recent(2)] == ["d2", "d1"]
        assert [d.id for d in r.decisions.recent(5, before=times[1])] == ["d0"]
        assert r.decisions.get("d1") == decision("d1", "cnv_1", times[1], intent="intent_1")


def test_events_in_order(store: ConversationStore) -> None:
    with store.transaction() as w:
        w.conversations.put(conversation("cnv_1"))
        for n, kind in enumerate(("agent_replied", "reassigned", "resolved")):
            at = T0 + dt.timedelta(minutes=n)
            w.events.add(EventRecord(f"e{n}", "cnv_1", kind, "anna", at, None, {"n": n}))  # type: ignore[arg-type]
    with store.reads() as r:
        events = r.events.of_conversation("cnv_1")
    assert [(e.kind, e.data) for e in events] == [
        ("agent_replied", {"n": 0}),
        ("reassigned", {"n": 1}),
        ("resolved", {"n": 2}),
    ]


def test_a_failed_transaction_leaves_nothing(store: ConversationStore) -> None:
    with pytest.raises(RuntimeError), store.transaction() as w:
        w.conversations.put(conversation("cnv_1"))
        w.messages.add(message("m1", "cnv_1", T0))
        raise RuntimeError("the decision could not be encoded")
    with store.reads() as r:
        assert r.conversations.get("cnv_1") is None
        assert r.messages.of_conversation("cnv_1") == []


def test_a_busy_writer_is_refused_quickly(store: ConversationStore) -> None:
    holding, release = threading.Event(), threading.Event()

    def hold() -> None:
        with store.transaction() as w:
            w.conversations.put(conversation("held"))
            holding.set()
            release.wait(10)

    worker = threading.Thread(target=hold)
    worker.start()
    try:
        assert holding.wait(10)
        with pytest.raises(StoreUnavailable) as refused, store.transaction(timeout=0.2) as w:
            w.conversations.put(conversation("refused"))
            w.conversations.put(conversation("held", status="resolved"))  # what the other holds
        assert refused.value.details == {"reason": "busy"}
    finally:
        release.set()
        worker.join(10)
    with store.reads() as r:
        held = r.conversations.get("held")
        assert held is not None and held.status == "open"
        assert r.conversations.get("refused") is None
