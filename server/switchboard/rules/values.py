"""Checks values the schemas can only check by form: real dates and hours, known time zone,
and languages that are among the repository's languages."""

from __future__ import annotations

import zoneinfo
from collections.abc import Iterable
from typing import Any

from switchboard.rules.document import Document
from switchboard.rules.index import Index
from switchboard.rules.problems import Problem
from switchboard.rules.units import parse_date, parse_hours
from switchboard.rules.yamlread import escape


def check_values(index: Index) -> list[Problem]:
    problems: list[Problem] = []
    for doc in index.docs:
        if doc.valid:
            problems += _metadata(doc)
    settings = index.settings
    if settings is not None and settings.valid:
        problems += _settings(settings)
    locales = set(index.locales)
    for doc in index.valid("queue"):
        problems += _hours(doc, "/business_hours", doc.data.get("business_hours", {}))
    if not locales:
        return problems
    for doc in index.valid("intent"):
        for field in ("examples", "keywords"):
            problems += _locales(doc, f"/{field}", doc.data.get(field, {}), locales)
    for doc in index.valid("template"):
        for channel, texts in doc.data["channels"].items():
            problems += _locales(doc, f"/channels/{channel}", texts, locales)
    for doc in index.valid("snippet"):
        problems += _locales(doc, "/text", doc.data["text"], locales)
    return problems


def _metadata(doc: Document) -> list[Problem]:
    problems = []
    for field in ("last_reviewed", "review_by"):
        text = doc.data["metadata"].get(field)
        if text is None:
            continue
        try:
            parse_date(text)
        except ValueError:
            message = f"`metadata.{field}` is not a real date ({text}). Write it as YYYY-MM-DD."
            problems.append(doc.problem(f"/metadata/{field}", "bad_date", message))
    return problems


def _settings(doc: Document) -> list[Problem]:
    data = doc.data
    problems = _hours(doc, "/business_hours", data.get("business_hours", {}))
    if data["default_locale"] not in data["locales"]:
        known = ", ".join(data["locales"])
        message = f"`default_locale` {data['default_locale']} must be one of `locales`: {known}."
        problems.append(doc.problem("/default_locale", "unknown_locale", message))
    try:
        zoneinfo.ZoneInfo(data["time_zone"])
    except (ValueError, zoneinfo.ZoneInfoNotFoundError):
        message = (
            f"`time_zone` {data['time_zone']} is not a known time zone. "
            "Use a name such as Europe/Berlin."
        )
        problems.append(doc.problem("/time_zone", "unknown_time_zone", message))
    return problems


def _hours(doc: Document, at: str, days: dict[str, str]) -> list[Problem]:
    problems = []
    for day, text in days.items():
        try:
            parse_hours(text)
        except ValueError as exc:
            message = (
                f"The hours for {day} ({text}) are not possible: {exc}. Write e.g. 07:30-17:00."
            )
            problems.append(doc.problem(f"{at}/{day}", "bad_hours", message))
    return problems


def _locales(
    doc: Document, at: str, by_locale: dict[str, Any], locales: Iterable[str]
) -> list[Problem]:
    known = set(locales)
    problems = []
    for locale in by_locale:
        if locale not in known:
            message = (
                f"`{locale}` is not one of the repository's languages "
                f"({', '.join(sorted(known))}). "
                "Add it to `locales` in switchboard.yaml or remove this text."
            )
            problems.append(doc.problem(f"{at}/{escape(locale)}", "unknown_locale", message))
    return problems
