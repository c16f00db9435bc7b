"""The compiled, immutable form of one revision of a rules repository.

The loader (`rules.load`) builds these from YAML after validation; the engine reads them.
Nothing here does I/O. Every object is frozen so a Ruleset can be shared by concurrent
requests and swapped in one assignment.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any, Literal

Channel = Literal["email", "sms", "chat", "voice"]
CHANNELS: tuple[Channel, ...] = ("email", "sms", "chat", "voice")
Priority = Literal["low", "normal", "high", "urgent"]
Action = Literal["route", "clarify"]


@dataclass(frozen=True, slots=True)
class Location:
    """Where a value came from: file path relative to the repo root, 1-based line/column."""

    file: str
    line: int = 1
    column: int = 1
    pointer: str = ""


@dataclass(frozen=True, slots=True)
class Metadata:
    owner: str
    review_every_days: int
    last_reviewed: dt.date
    reviewers: tuple[str, ...] = ()
    review_by: dt.date | None = None
    change_note: str | None = None
    review_every: str = ""  # as written (90d, 6w, 3m, 1y); months and years are calendar ones


@dataclass(frozen=True, slots=True)
class FileInfo:
    """One file of the revision, with its metadata (used by reminders and the UI)."""

    path: str
    # settings | intent | escalation | queue | template | snippet | entity | connector | test
    kind: str
    id: str
    metadata: Metadata
    blob_sha: str = ""


# ----- conditions -------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Test:
    fact: str
    op: str
    value: Any
    location: Location
    compiled: Any = None  # op-specific prepared value: RE2 pattern, normalised phrases, set


@dataclass(frozen=True, slots=True)
class All:
    items: tuple[Condition, ...]


@dataclass(frozen=True, slots=True)
class AnyOf:
    items: tuple[Condition, ...]


@dataclass(frozen=True, slots=True)
class Not:
    item: Condition


Condition = Test | All | AnyOf | Not


# ----- rules files ------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Settings:
    name: str
    locales: tuple[str, ...]
    default_locale: str
    time_zone: str
    approved_ref: str
    default_queue: str
    confidence_floor: float
    conversation_window_days: int
    customer_lookup: QueryRef | None
    business_hours: Mapping[str, tuple[tuple[dt.time, dt.time], ...]]  # weekday -> spans
    # `classifier:` as written (backend, strict, threshold, intent_thresholds, min_margin);
    # keys left out take the defaults of engine.classifier and the chosen backend
    classifier: Mapping[str, Any] = field(default_factory=lambda: MappingProxyType({}))


@dataclass(frozen=True, slots=True)
class QueryRef:
    connector: str
    query: str

    def __str__(self) -> str:
        return f"{self.connector}.{self.query}"


@dataclass(frozen=True, slots=True)
class Lookup:
    connector: str
    query: str
    as_: str
    # query param -> fact name it is bound to; the loader fills in every param of the query,
    # `entities.<param>` unless the file's `params` says otherwise
    params: Mapping[str, str] = field(default_factory=dict)

    @property
    def ref(self) -> QueryRef:
        return QueryRef(self.connector, self.query)


@dataclass(frozen=True, slots=True)
class Answer:
    template: str
    lookups: tuple[Lookup, ...]


@dataclass(frozen=True, slots=True)
class Intent:
    id: str
    title: str
    description: str
    routine: bool
    out_of_scope: bool
    queue: str
    priority: Priority
    confidence_floor: float | None
    one_of: tuple[str, ...]
    answer: Answer | None
    clarify_template: str | None
    examples: Mapping[str, tuple[str, ...]]  # locale -> phrases
    keywords: Mapping[str, tuple[str, ...]]
    location: Location
    also_answers: tuple[str, ...] = ()  # routine intents whose questions its answer answers


@dataclass(frozen=True, slots=True)
class Rule:
    id: str
    title: str
    description: str
    set_id: str
    when: Condition
    action: Action
    reason: str
    queue: str | None
    priority: Priority | None
    template: str | None
    location: Location


@dataclass(frozen=True, slots=True)
class Queue:
    id: str
    name: str
    description: str
    contact: Mapping[str, str]
    skills: tuple[str, ...]
    business_hours: Mapping[str, tuple[tuple[dt.time, dt.time], ...]]
    sla: Mapping[str, str]


@dataclass(frozen=True, slots=True)
class TemplateVariant:
    subject: str | None
    body: str
    location: Location


@dataclass(frozen=True, slots=True)
class Template:
    id: str
    description: str
    variants: Mapping[tuple[str, str], TemplateVariant]  # (channel, locale) -> source


@dataclass(frozen=True, slots=True)
class Snippet:
    id: str
    description: str
    text: Mapping[str, str]  # locale -> text


@dataclass(frozen=True, slots=True)
class EntityPattern:
    regex: str
    value: str | None
    compiled: Any  # re2 pattern


@dataclass(frozen=True, slots=True)
class Entity:
    id: str
    title: str
    type: Literal["string", "number", "money", "date"]
    patterns: tuple[EntityPattern, ...]
    valid: Any  # compiled re2 pattern or None


@dataclass(frozen=True, slots=True)
class Field:
    name: str
    type: Literal["string", "number", "boolean", "date", "datetime", "list"]
    pointer: str | None = None
    values: tuple[str, ...] = ()  # the closed set of values of a text field, when declared


@dataclass(frozen=True, slots=True)
class Query:
    name: str
    description: str
    params: tuple[str, ...]
    fields: Mapping[str, Field]
    owner_field: str | None
    sql: str | None = None
    method: str = "GET"
    path: str | None = None
    query_params: Mapping[str, str] = field(default_factory=dict)
    result_pointer: str = ""


@dataclass(frozen=True, slots=True)
class Connector:
    id: str
    kind: Literal["sql", "http"]
    description: str
    timeout_ms: int
    max_age_s: float
    pool_size: int
    breaker_failures: int
    breaker_reset_s: float
    queries: Mapping[str, Query]
    dsn_setting: str | None = None
    base_url_setting: str | None = None
    auth_header: str | None = None
    auth_scheme: str | None = None
    auth_secret_setting: str | None = None


@dataclass(frozen=True, slots=True)
class TestCase:
    id: str
    suite: str
    inquiry: Mapping[str, Any]
    customer: Mapping[str, Any] | None
    data: Mapping[str, Mapping[str, Any]]  # "connector.query" -> row or {"error": kind}
    conversation: Mapping[str, Any]
    time: Mapping[str, Any]
    expect: Mapping[str, Any]
    location: Location


@dataclass(frozen=True)
class Ruleset:
    """One revision, fully validated and compiled. Never mutated after construction."""

    revision: str
    settings: Settings
    intents: Mapping[str, Intent]
    rules: tuple[Rule, ...]  # in evaluation order
    queues: Mapping[str, Queue]
    templates: Mapping[str, Template]
    snippets: Mapping[str, Snippet]
    entities: Mapping[str, Entity]
    connectors: Mapping[str, Connector]
    tests: tuple[TestCase, ...]
    files: tuple[FileInfo, ...]
    facts: Mapping[str, str]  # fact name -> type, the catalogue for this revision
    classifier: Any = None  # engine.classifier.Classifier, trained for this revision
    renderer: Any = None  # engine.render.Renderer, templates compiled in the sandbox
