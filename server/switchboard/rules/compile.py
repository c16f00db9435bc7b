"""Builds the frozen Ruleset from documents that passed every check.

Nothing here can fail on valid input: every value was checked before (dates, hours,
expressions, references), so this is a plain translation into the model's dataclasses.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import Any

from switchboard.rules.document import Document
from switchboard.rules.facts import Catalogue
from switchboard.rules.index import Index
from switchboard.rules.model import (
    Answer,
    Entity,
    EntityPattern,
    FileInfo,
    Intent,
    Lookup,
    Metadata,
    QueryRef,
    Queue,
    Rule,
    Ruleset,
    Settings,
    Snippet,
    Template,
    TemplateVariant,
    TestCase,
)
from switchboard.rules.parts import connector
from switchboard.rules.regex import compile_re2
from switchboard.rules.units import parse_date, parse_hours, period_days


def build_ruleset(
    index: Index, facts: Catalogue, rules: tuple[Rule, ...], revision: str
) -> Ruleset:
    assert index.settings is not None
    by_kind = {kind: index.valid(kind) for kind in index.ids}
    return Ruleset(
        revision=revision,
        settings=_settings(index.settings.data),
        intents=_by_id(_intent(d, index) for d in by_kind.get("intent", [])),
        rules=rules,
        queues=_by_id(_queue(d.data) for d in by_kind.get("queue", [])),
        templates=_by_id(_template(d) for d in by_kind.get("template", [])),
        snippets=_by_id(_snippet(d.data) for d in by_kind.get("snippet", [])),
        entities=_by_id(_entity(d.data) for d in by_kind.get("entity", [])),
        connectors=_by_id(connector(d.data) for d in by_kind.get("connector", [])),
        tests=tuple(case for d in by_kind.get("test", []) for case in _cases(d)),
        files=tuple(_file_info(d) for d in index.docs),
        facts=MappingProxyType(dict(facts.types)),
    )


def _by_id(items: Any) -> Mapping[str, Any]:
    return MappingProxyType({item.id: item for item in items})


def _hours(days: Mapping[str, str]) -> Mapping[str, Any]:
    return MappingProxyType({day: parse_hours(text) for day, text in days.items()})


def _phrases(by_locale: Mapping[str, list[str]]) -> Mapping[str, tuple[str, ...]]:
    return MappingProxyType({locale: tuple(items) for locale, items in by_locale.items()})


def _settings(data: dict[str, Any]) -> Settings:
    ref = data.get("customer_lookup")
    return Settings(
        name=data["name"],
        locales=tuple(data["locales"]),
        default_locale=data["default_locale"],
        time_zone=data["time_zone"],
        approved_ref=data["approved_ref"],
        default_queue=data["default_queue"],
        confidence_floor=float(data["confidence_floor"]),
        conversation_window_days=int(data.get("conversation_window_days", 14)),
        customer_lookup=QueryRef(ref["connector"], ref["query"]) if ref else None,
        business_hours=_hours(data.get("business_hours", {})),
        classifier=_classifier(data.get("classifier", {})),
    )


def _classifier(data: Mapping[str, Any]) -> Mapping[str, Any]:
    """The `classifier:` options as written, numbers as floats (the schema checked them)."""
    options: dict[str, Any] = {}
    for name, value in data.items():
        if name == "intent_thresholds":
            value = MappingProxyType({k: float(v) for k, v in value.items()})
        elif name in ("threshold", "min_margin"):
            value = float(value)
        options[name] = value
    return MappingProxyType(options)


def _intent(doc: Document, index: Index) -> Intent:
    data = doc.data
    answer = None
    if "answer" in data:
        lookups = []
        for raw in data["answer"].get("lookups", []):
            query = index.query(raw["connector"], raw["query"]) or {"params": []}
            given = raw.get("params", {})
            params = {p: given.get(p, f"entities.{p}") for p in query["params"]}
            lookups.append(
                Lookup(raw["connector"], raw["query"], raw["as"], MappingProxyType(params))
            )
        answer = Answer(data["answer"]["template"], tuple(lookups))
    floor = data.get("confidence_floor")
    return Intent(
        id=data["id"],
        title=data["title"],
        description=data.get("description", ""),
        routine=data["routine"],
        out_of_scope=data.get("out_of_scope", False),
        queue=data["queue"],
        priority=data.get("priority", "normal"),
        confidence_floor=None if floor is None else float(floor),
        one_of=tuple(data.get("entities", {}).get("one_of", [])),
        answer=answer,
        clarify_template=data.get("clarify_template"),
        examples=_phrases(data["examples"]),
        keywords=_phrases(data.get("keywords", {})),
        location=doc.location(""),
        also_answers=tuple(data.get("also_answers", [])),
    )


def _queue(data: dict[str, Any]) -> Queue:
    return Queue(
        id=data["id"],
        name=data["name"],
        description=data.get("description", ""),
        contact=MappingProxyType(dict(data.get("contact", {}))),
        skills=tuple(data.get("skills", [])),
        business_hours=_hours(data.get("business_hours", {})),
        sla=MappingProxyType(dict(data.get("sla", {}))),
    )


def _template(doc: Document) -> Template:
    variants = {}
    for channel, by_locale in doc.data["channels"].items():
        for locale, text in by_locale.items():
            at = doc.location(f"/channels/{channel}/{locale}/body")
            variants[(channel, locale)] = TemplateVariant(text.get("subject"), text["body"], at)
    return Template(doc.data["id"], doc.data.get("description", ""), MappingProxyType(variants))


def _snippet(data: dict[str, Any]) -> Snippet:
    text = MappingProxyType(dict(data["text"]))
    return Snippet(data["id"], data.get("description", ""), text)


def _entity(data: dict[str, Any]) -> Entity:
    patterns = tuple(
        EntityPattern(p["regex"], p.get("value"), compile_re2(p["regex"]))
        for p in data.get("patterns", [])
    )
    valid = compile_re2(data["valid"]) if "valid" in data else None
    return Entity(data["id"], data["title"], data["type"], patterns, valid)


def _cases(doc: Document) -> list[TestCase]:
    return [
        TestCase(
            id=case["id"],
            suite=doc.data["id"],
            inquiry=MappingProxyType(case["inquiry"]),
            customer=case.get("customer"),
            data=MappingProxyType(case.get("data", {})),
            conversation=MappingProxyType(case.get("conversation", {})),
            time=MappingProxyType(case.get("time", {})),
            expect=MappingProxyType(case["expect"]),
            location=doc.location(f"/cases/{n}"),
        )
        for n, case in enumerate(doc.data["cases"])
    ]


def _file_info(doc: Document) -> FileInfo:
    meta = doc.data["metadata"]
    review_by = meta.get("review_by")
    metadata = Metadata(
        owner=meta["owner"],
        review_every_days=period_days(meta["review_every"]),
        last_reviewed=parse_date(meta["last_reviewed"]),
        reviewers=tuple(meta.get("reviewers", [])),
        review_by=parse_date(review_by) if review_by else None,
        change_note=meta.get("change_note"),
        review_every=meta["review_every"],
    )
    return FileInfo(doc.path, doc.kind, doc.id or "", metadata, doc.blob_sha)
