"""The conversation store's interface: one Protocol per area, for reading and for writing.

`SqliteConversationStore` implements it on the embedded database; a PostgreSQL store for
several replicas implements the same Protocols and runs the same tests. Reads (`with
store.reads() as r`) see committed data; everything one inquiry changes is written through one
`with store.transaction() as w`, so it is stored whole or not at all. Failures inside either
block surface as `StoreUnavailable`, never as a driver's exception.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from contextlib import AbstractContextManager
from typing import Protocol

from switchboard.store.conversations.records import (
    ConversationRecord,
    Cursor,
    CustomerRecord,
    DecisionRecord,
    EventRecord,
    IdentityLink,
    MessageRecord,
    Ref,
)


class CustomerReads(Protocol):
    def get(self, customer_id: str) -> CustomerRecord | None: ...


class CustomerWrites(CustomerReads, Protocol):
    def put(self, customer: CustomerRecord) -> None:
        """Insert or replace the customer's description."""
        ...


class IdentityReads(Protocol):
    def get(self, link_id: str) -> IdentityLink | None: ...

    def active(self, kind: str, value: str) -> IdentityLink | None:
        """The one link in force for this identifier, if any."""
        ...

    def of_customer(self, customer_id: str) -> list[IdentityLink]:
        """Every link of the customer, ended ones too, oldest first (the audit trail)."""
        ...


class IdentityWrites(IdentityReads, Protocol):
    def add(self, link: IdentityLink) -> None:
        """Store a new link; `LinkExists` if the identifier already has one in force."""
        ...

    def end(self, link_id: str, at: dt.datetime, by: str, reason: str) -> IdentityLink | None:
        """End a link in force; None if there is no such link or it has ended already."""
        ...


class ConversationReads(Protocol):
    def get(self, conversation_id: str) -> ConversationRecord | None: ...

    def open_with_refs(
        self, customer_id: str, refs: Sequence[Ref], since: dt.datetime
    ) -> ConversationRecord | None:
        """The customer's most recently updated open conversation, updated since `since`,
        that has any of `refs`."""
        ...

    def latest_open(self, customer_id: str, since: dt.datetime) -> ConversationRecord | None:
        """The customer's most recently updated open conversation updated since `since`."""
        ...

    def page(
        self, customer_id: str, limit: int, after: Cursor | None = None
    ) -> list[ConversationRecord]:
        """The customer's conversations, newest opened first, starting after `after`."""
        ...


class ConversationWrites(ConversationReads, Protocol):
    def put(self, conversation: ConversationRecord) -> None:
        """Insert or replace the conversation; its refs are added to those it has (a
        conversation never loses a reference, so a reply to an old message still finds it)."""
        ...


class MessageReads(Protocol):
    def of_conversation(self, conversation_id: str) -> list[MessageRecord]:
        """Oldest first."""
        ...

    def inbound_count(self, customer_id: str, since: dt.datetime) -> int:
        """Inbound messages of the customer at or after `since`, in any conversation."""
        ...


class MessageWrites(MessageReads, Protocol):
    def add(self, message: MessageRecord) -> None: ...


class DecisionReads(Protocol):
    def get(self, decision_id: str) -> DecisionRecord | None: ...

    def of_conversation(
        self, conversation_id: str, last: int | None = None
    ) -> list[DecisionRecord]:
        """Oldest first; with `last`, only the latest `last` of them."""
        ...

    def recent(self, limit: int, before: dt.datetime | None = None) -> list[DecisionRecord]:
        """Newest first, made before `before` (all when None): the input of a replay."""
        ...


class DecisionWrites(DecisionReads, Protocol):
    def add(self, decision: DecisionRecord) -> None: ...


class EventReads(Protocol):
    def of_conversation(self, conversation_id: str) -> list[EventRecord]:
        """Oldest first."""
        ...


class EventWrites(EventReads, Protocol):
    def add(self, event: EventRecord) -> None: ...


class StoreReads(Protocol):
    @property
    def customers(self) -> CustomerReads: ...
    @property
    def identities(self) -> IdentityReads: ...
    @property
    def conversations(self) -> ConversationReads: ...
    @property
    def messages(self) -> MessageReads: ...
    @property
    def decisions(self) -> DecisionReads: ...
    @property
    def events(self) -> EventReads: ...


class StoreWrites(Protocol):
    """Every area, inside one transaction (reads in it see its own writes)."""

    @property
    def customers(self) -> CustomerWrites: ...
    @property
    def identities(self) -> IdentityWrites: ...
    @property
    def conversations(self) -> ConversationWrites: ...
    @property
    def messages(self) -> MessageWrites: ...
    @property
    def decisions(self) -> DecisionWrites: ...
    @property
    def events(self) -> EventWrites: ...


class ConversationStore(Protocol):
    def reads(self) -> AbstractContextManager[StoreReads]:
        """Read access for the calling thread, for the length of the block."""
        ...

    def transaction(self, timeout: float | None = None) -> AbstractContextManager[StoreWrites]:
        """One write transaction: committed when the block ends, rolled back if it raises.
        With `timeout`, `StoreUnavailable` if the writer is not free within that many seconds."""
        ...

    def close(self) -> None: ...
