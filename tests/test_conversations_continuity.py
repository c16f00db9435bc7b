"""Continuity on the demo rules and the demo ERP: one customer across channels, one
conversation per topic, the facts the engine gets, and what one decided inquiry stores."""

from __future__ import annotations

import datetime as dt
import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from conversations_support import (
    HYDRO_EMAIL,
    HYDRO_PHONE,
    THAMES_PHONE,
    demo_erp,
    demo_ruleset,
    live_data,
    utc,
)
from switchboard.connectors import LiveData
from switchboard.conversations import Continuity
from switchboard.conversations.replay import replay_inputs
from switchboard.engine.decide import decide
from switchboard.engine.types import Decision, Identifiers, Inquiry
from switchboard.rules.model import Ruleset
from switchboard.store.conversations import SqliteConversationStore
from switchboard.store.conversations.records import IdentityLink
from switchboard.web.recorder import Recall

MONDAY = utc(2026, 11, 30, 9, 0)  # 10:00 in Berlin


@dataclass
class Desk:
    ruleset: Ruleset
    data: LiveData
    continuity: Continuity

    def turn(
        self,
        text: str,
        at: dt.datetime = MONDAY,
        *,
        channel: str = "email",
        dry_run: bool = False,
        thread: tuple[str, ...] = (),
        **identifiers: str,
    ) -> tuple[Recall, Decision]:
        inquiry = Inquiry(
            channel=channel,  # type: ignore[arg-type]
            text=text,
            identifiers=Identifiers(**identifiers),
            thread=list(thread),
        )
        recall = self.continuity.recall(self.ruleset, self.data, inquiry, at)
        decision = decide(self.ruleset, inquiry, recall.context, self.data)
        if not dry_run:
            self.continuity.record(inquiry, recall, decision, "test-gateway")
        return recall, decision

    def count(self, table: str) -> int:
        db = self.continuity.store.database  # type: ignore[attr-defined]
        return int(db.read().execute(f"SELECT count(*) FROM {table}").fetchone()[0])

    def links(self, customer_id: str) -> list[IdentityLink]:
        with self.continuity.store.reads() as r:
            return r.identities.of_customer(customer_id)


@pytest.fixture(scope="module")
def erp(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return demo_erp(tmp_path_factory.mktemp("erp"))


@pytest.fixture(scope="module")
def ruleset(tmp_path_factory: pytest.TempPathFactory) -> Ruleset:
    return demo_ruleset(tmp_path_factory)


@pytest.fixture
def desk(tmp_path: Path, ruleset: Ruleset, erp: Path) -> Iterator[Desk]:
    store = SqliteConversationStore.open(tmp_path / "switchboard.sqlite")
    with live_data(ruleset, erp) as data:
        yield Desk(ruleset, data, Continuity(store))
    store.close()


def test_a_call_continues_the_email_about_the_same_order(desk: Desk) -> None:
    first, email = desk.turn("Where is my order SO4500123?", email=HYDRO_EMAIL)
    assert email.outcome == "auto_reply" and email.customer_id == "C10023"
    assert first.context.conversation.open is False
    assert first.context.conversation.contacts_last_7d == 1

    later = MONDAY + dt.timedelta(hours=2)
    second, call = desk.turn("and when will it arrive?", later, channel="voice", phone=HYDRO_PHONE)
    facts = second.context.conversation
    assert facts.id == email.conversation_id == call.conversation_id
    assert (facts.open, facts.contacts_last_7d) == (True, 2)
    assert facts.previous_intent == "order_status" and facts.queue is None
    assert facts.entities == {"order_number": "SO4500123"}
    assert "email: order_status -> auto_reply" in facts.summary[0]
    assert call.intent == "delivery_date" and call.outcome == "auto_reply"
    assert call.entities["order_number"] == "SO4500123"
    assert call.reply is not None and "SO4500123" in call.reply.body

    third, again = desk.turn(
        "When will it arrive?", later + dt.timedelta(days=1), phone=HYDRO_PHONE
    )
    assert third.context.conversation.contacts_last_7d == 3
    assert again.conversation_id == email.conversation_id
    assert again.outcome == "route" and "repeated_contact" in again.reasons
    assert again.queue == "order_desk" and again.priority == "high"


def test_recording_stores_the_whole_turn(desk: Desk) -> None:
    _, decision = desk.turn("Where is my order SO4500123?", email=HYDRO_EMAIL)
    with desk.continuity.store.reads() as r:
        conversation = r.conversations.get(decision.conversation_id or "")
        messages = r.messages.of_conversation(decision.conversation_id or "")
        stored = r.decisions.get(decision.decision_id)
        customer = r.customers.get("C10023")
    assert conversation is not None and conversation.channels == ("email",)
    assert [(m.direction, m.channel) for m in messages] == [
        ("inbound", "email"),
        ("outbound", "email"),
    ]
    assert messages[0].sender == {"email": HYDRO_EMAIL} and messages[0].gateway == "test-gateway"
    assert decision.reply is not None and messages[1].text == decision.reply.body
    assert stored is not None and stored.decision["reply"]["body"] == decision.reply.body
    assert (stored.outcome, stored.intent, stored.revision) == (
        "auto_reply",
        "order_status",
        "worktree",
    )
    assert customer is not None and (customer.name, customer.tier) == (
        "Hydro-Kraft GmbH",
        "standard",
    )


def test_a_stored_decision_replays_to_the_same_outcome(desk: Desk) -> None:
    desk.turn("Where is my order SO4500123?", email=HYDRO_EMAIL)
    _, decision = desk.turn("and when will it arrive?", MONDAY, channel="voice", phone=HYDRO_PHONE)
    with desk.continuity.store.reads() as r:
        stored = r.decisions.get(decision.decision_id)
    assert stored is not None
    inquiry, context = replay_inputs(stored)
    assert context.conversation.entities == {"order_number": "SO4500123"}
    again = decide(desk.ruleset, inquiry, context, desk.data)
    same = ("outcome", "intent", "reasons", "queue", "entities", "conversation_id", "customer_id")
    assert {k: getattr(again, k) for k in same} == {k: getattr(decision, k) for k in same}


def test_another_order_opens_another_conversation(desk: Desk) -> None:
    _, first = desk.turn("Where is my order SO4500123?", email=HYDRO_EMAIL)
    recall, other = desk.turn("Status of invoice INV26004512 please", email=HYDRO_EMAIL)
    assert other.conversation_id != first.conversation_id
    assert recall.context.conversation.open is False
    assert recall.context.conversation.contacts_last_7d == 2  # counted across conversations


def test_a_reply_in_the_thread_continues_it_without_a_reference(desk: Desk) -> None:
    thread = ("<a1b2@mail.hydro-kraft.example>",)
    _, first = desk.turn("Where is my order SO4500123?", email=HYDRO_EMAIL, thread=thread)
    later = MONDAY + dt.timedelta(minutes=30)
    desk.turn("Copy of invoice INV26004512 please", later, email=HYDRO_EMAIL)  # newer, elsewhere
    reply_thread = ("a1b2@mail.hydro-kraft.example", "<c3d4@mail.nordwerk.example>")
    recall, reply = desk.turn(
        "When will it arrive?",
        later + dt.timedelta(minutes=5),
        email=HYDRO_EMAIL,
        thread=reply_thread,
    )
    assert reply.conversation_id == first.conversation_id
    assert recall.context.conversation.entities["order_number"] == "SO4500123"


def test_a_follow_up_without_reference_joins_the_latest_open_conversation(desk: Desk) -> None:
    desk.turn("Where is my order SO4500123?", email=HYDRO_EMAIL)
    later = MONDAY + dt.timedelta(hours=1)
    _, invoice = desk.turn("Copy of invoice INV26004512 please", later, email=HYDRO_EMAIL)
    recall, _ = desk.turn("and when is it due?", later + dt.timedelta(minutes=1), phone=HYDRO_PHONE)
    assert recall.context.conversation.id == invoice.conversation_id


def test_conversations_older_than_the_window_are_not_continued(desk: Desk) -> None:
    _, first = desk.turn("Where is my order SO4500123?", email=HYDRO_EMAIL)
    window = desk.ruleset.settings.conversation_window_days
    late = MONDAY + dt.timedelta(days=window, minutes=1)
    recall, call = desk.turn("and when will it arrive?", late, channel="voice", phone=HYDRO_PHONE)
    assert call.conversation_id != first.conversation_id
    assert recall.context.conversation.open is False
    assert recall.context.conversation.contacts_last_7d == 1  # the first was 14 days ago
    assert call.outcome == "clarify"  # nothing remembered: it asks for the order number


def test_the_erp_lookup_links_only_what_it_matched(desk: Desk) -> None:
    recall, decision = desk.turn(
        "Where is my order SO4500123?", email=HYDRO_EMAIL.upper(), phone="+49 30 5550999"
    )
    assert decision.customer_id == "C10023"
    assert recall.matched == (("email", HYDRO_EMAIL),)
    links = desk.links("C10023")
    assert [(x.kind, x.value, x.source, x.evidence, x.active) for x in links] == [
        ("email", HYDRO_EMAIL, "erp_lookup", "ERP contact record", True)
    ]
    desk.turn("Where is my order SO4500123?", email=HYDRO_EMAIL)  # linked now: no second link
    assert len(desk.links("C10023")) == 1


def test_a_dry_run_stores_nothing(desk: Desk) -> None:
    _, decision = desk.turn("Where is my order SO4500123?", email=HYDRO_EMAIL, dry_run=True)
    assert decision.outcome == "auto_reply"
    for table in ("identity_links", "customers", "conversations", "messages", "decisions"):
        assert desk.count(table) == 0, table


def test_identifiers_of_two_customers_identify_nobody(desk: Desk) -> None:
    recall, decision = desk.turn(
        "Where is my order SO4500123?", email=HYDRO_EMAIL, phone=THAMES_PHONE
    )
    assert recall.context.customer is None and recall.matched == ()
    assert decision.outcome == "route" and "unknown_customer" in decision.reasons
    assert desk.count("identity_links") == 0


def test_an_unknown_sender_starts_fresh_every_time(desk: Desk) -> None:
    _, first = desk.turn("Where is my order SO4500123?", email="someone@elsewhere.example")
    recall, second = desk.turn("and when will it arrive?", email="someone@elsewhere.example")
    assert first.conversation_id != second.conversation_id
    assert recall.context.conversation.entities == {}
    assert second.outcome != "auto_reply"
    assert desk.count("messages") == 2 and desk.count("identity_links") == 0


def test_a_link_made_by_hand_identifies_a_sender_the_erp_does_not_know(desk: Desk) -> None:
    private = "petra.lange@private.example"
    recall, _ = desk.turn("Where is my order SO4500123?", email=private)
    assert recall.context.customer is None
    with desk.continuity.store.transaction() as w:
        w.identities.add(
            IdentityLink(
                "lnk_hand",
                "email",
                private,
                "C10023",
                "agent",
                "Called back on the number in the ERP and she confirmed it",
                "anna.berger@nordwerk.example",
                MONDAY,
            )
        )
    recall, decision = desk.turn("Where is my order SO4500123?", email=private)
    assert recall.context.customer is not None
    assert recall.context.customer.name == "Hydro-Kraft GmbH"  # described by the ERP
    assert recall.matched == () and decision.outcome == "auto_reply"


def test_recording_the_same_decision_twice_stores_nothing_the_second_time(desk: Desk) -> None:
    inquiry = Inquiry(
        channel="email", text="Where is SO4500123?", identifiers=Identifiers(email=HYDRO_EMAIL)
    )
    recall = desk.continuity.recall(desk.ruleset, desk.data, inquiry, MONDAY)
    decision = decide(desk.ruleset, inquiry, recall.context, desk.data)
    desk.continuity.record(inquiry, recall, decision, None)
    before = {t: desk.count(t) for t in ("messages", "decisions", "conversations")}
    with pytest.raises(sqlite3.IntegrityError) as failed:
        desk.continuity.record(inquiry, recall, decision, None)
    assert "UNIQUE" in str(failed.value)
    assert {t: desk.count(t) for t in before} == before
