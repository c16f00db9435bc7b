"""Wire types shared by the engine, the HTTP API and the CLI (msgspec structs)."""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal, Protocol

import msgspec

Outcome = Literal["auto_reply", "clarify", "route"]
LookupStatus = Literal[
    "not_needed",
    "ok",
    "not_found",
    "timeout",
    "error",
    "circuit_open",
    "ownership_mismatch",
    "unknown_customer",
]


class Identifiers(msgspec.Struct, forbid_unknown_fields=True, omit_defaults=True):
    email: str | None = None
    phone: str | None = None
    customer_id: str | None = None
    account_no: str | None = None


class Inquiry(msgspec.Struct, forbid_unknown_fields=True, omit_defaults=True):
    """One inbound message from a channel gateway."""

    channel: Literal["email", "sms", "chat", "voice"]
    text: str
    identifiers: Identifiers = msgspec.field(default_factory=Identifiers)
    subject: str | None = None
    thread: list[str] = msgspec.field(default_factory=list)  # Message-IDs, call ids, chat ids
    received_at: dt.datetime | None = None
    locale: str | None = None  # hint from the gateway
    metadata: dict[str, str] = msgspec.field(default_factory=dict)


class Customer(msgspec.Struct, omit_defaults=True):
    id: str
    name: str = ""
    account_no: str | None = None
    tier: str = "standard"
    segment: str | None = None
    country: str | None = None
    locale: str | None = None


class ConversationFacts(msgspec.Struct, omit_defaults=True):
    id: str | None = None
    contacts_last_7d: int = 1
    open: bool = False
    queue: str | None = None
    previous_intent: str | None = None
    entities: dict[str, Any] = msgspec.field(default_factory=dict)  # remembered references
    summary: list[str] = msgspec.field(default_factory=list)  # earlier turns, for the agent


class Context(msgspec.Struct):
    """What the runtime knows besides the message itself, resolved before deciding."""

    now: dt.datetime
    customer: Customer | None = None
    conversation: ConversationFacts = msgspec.field(default_factory=ConversationFacts)


class LookupResult(msgspec.Struct, omit_defaults=True):
    status: LookupStatus
    row: dict[str, Any] | None = None
    source: str = ""  # "connector.query"
    fetched_at: dt.datetime | None = None
    age_ms: int = 0
    error: str | None = None  # technical detail for logs; never shown to customers


class DataSource(Protocol):
    """Live data access handed to the engine; replay and tests pass recorded data instead."""

    def fetch(self, connector: str, query: str, params: dict[str, Any]) -> LookupResult: ...


class Score(msgspec.Struct):
    intent: str
    score: float


class RuleHit(msgspec.Struct, omit_defaults=True):
    id: str
    action: str
    reason: str
    queue: str | None = None


class DataUse(msgspec.Struct, omit_defaults=True):
    source: str
    status: LookupStatus
    fields: list[str] = msgspec.field(default_factory=list)
    fetched_at: dt.datetime | None = None
    age_ms: int = 0


class Reply(msgspec.Struct, omit_defaults=True):
    channel: str
    locale: str
    template: str
    body: str
    subject: str | None = None


class Decision(msgspec.Struct, omit_defaults=True):
    decision_id: str
    revision: str
    outcome: Outcome
    automated: bool
    intent: str
    confidence: float
    language: str
    priority: str
    reasons: list[str]
    summary: str  # for the agent who takes over; never contains another customer's data
    scores: list[Score] = msgspec.field(default_factory=list)
    # the inquiry type told apart from `intent` by too little, whose question the answer of
    # `intent` also answers (`also_answers`); `confidence` is then the two scores together
    joined_intent: str | None = None
    # cosine similarity to the nearest example phrase of `intent` (the embedding backend)
    similarity: float | None = None
    entities: dict[str, Any] = msgspec.field(default_factory=dict)
    queue: str | None = None
    rules_fired: list[RuleHit] = msgspec.field(default_factory=list)
    reply: Reply | None = None
    facts: dict[str, Any] = msgspec.field(default_factory=dict)  # facts the rules read
    data: list[DataUse] = msgspec.field(default_factory=list)
    customer_id: str | None = None
    conversation_id: str | None = None
    timings_us: dict[str, int] = msgspec.field(default_factory=dict)
