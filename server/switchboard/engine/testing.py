"""Runs a repository's own test cases (`tests/<suite>.yaml`) through `decide`.

Each case's data fixtures stand in for the live connectors; its `time` facts pick the moment
of the decision: the first quarter hour of the current week (in the repository's time zone)
whose weekday, hour and business-hours state match them.
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any
from zoneinfo import ZoneInfo

import msgspec

from switchboard.engine.classifier import Prediction
from switchboard.engine.decide import classification_text, decide
from switchboard.engine.facts import WEEKDAYS, time_facts
from switchboard.engine.sources import FixtureDataSource
from switchboard.engine.types import (
    Context,
    ConversationFacts,
    Customer,
    Decision,
    Inquiry,
)
from switchboard.rules.model import Ruleset, TestCase

_TIME_KEYS = {
    "business_hours": "time.business_hours",
    "weekday": "time.weekday",
    "hour": "time.hour",
}


class CaseError(ValueError):
    """A test case that cannot be run as written."""


@dataclass(slots=True)
class CaseResult:
    case: TestCase
    problems: list[str] = field(default_factory=list)  # empty when the case passed
    decision: Decision | None = None

    @property
    def passed(self) -> bool:
        return not self.problems


def moment(ruleset: Ruleset, wanted: Mapping[str, Any], today: dt.date) -> dt.datetime:
    """A time in `today`'s week whose time facts equal `wanted` (Tuesday 10:00 if none)."""
    unknown = set(wanted) - set(_TIME_KEYS)
    if unknown:
        raise CaseError(f"unknown time facts: {', '.join(sorted(unknown))}")
    zone = ZoneInfo(ruleset.settings.time_zone)
    monday = today - dt.timedelta(days=today.weekday())
    start = dt.datetime(monday.year, monday.month, monday.day, tzinfo=zone)
    preferred = start + dt.timedelta(days=1, hours=10)
    # lazily: most cases match the preferred time, and building all 673 costs milliseconds
    candidates = itertools.chain(
        [preferred], (start + dt.timedelta(minutes=15 * i) for i in range(7 * 96))
    )
    for candidate in candidates:
        facts = time_facts(ruleset.settings, candidate)
        if all(facts[_TIME_KEYS[k]] == v for k, v in wanted.items()):
            return candidate
    shown = ", ".join(f"{k}={v}" for k, v in wanted.items())
    raise CaseError(f"no time in a week has {shown} (weekdays are {', '.join(WEEKDAYS)})")


def inquiry_of(case: TestCase) -> Inquiry:
    raw = dict(case.inquiry)
    sender = raw.pop("from", None)
    identifiers = dict(raw.pop("identifiers", None) or {})
    if sender:
        identifiers.setdefault("email" if "@" in str(sender) else "phone", str(sender))
    try:
        return msgspec.convert(
            {**raw, "identifiers": identifiers}, Inquiry, from_attributes=False, strict=False
        )
    except msgspec.ValidationError as exc:
        raise CaseError(f"inquiry: {exc}") from None


def context_of(ruleset: Ruleset, case: TestCase, today: dt.date) -> Context:
    try:
        customer = msgspec.convert(case.customer, Customer, strict=False) if case.customer else None
        conversation = msgspec.convert(dict(case.conversation), ConversationFacts, strict=False)
    except msgspec.ValidationError as exc:
        raise CaseError(f"customer or conversation: {exc}") from None
    return Context(moment(ruleset, case.time, today), customer, conversation)


def _reply_text(decision: Decision) -> str:
    reply = decision.reply
    return "" if reply is None else f"{reply.subject or ''}\n{reply.body}"


def compare(expect: Mapping[str, Any], decision: Decision) -> list[str]:
    """One line per expectation the decision does not meet."""
    problems = []
    for key in ("outcome", "queue", "intent", "priority"):
        if key in expect and expect[key] != getattr(decision, key):
            problems.append(f"{key}: expected {expect[key]!r}, got {getattr(decision, key)!r}")
    missing = [r for r in expect.get("reasons") or [] if r not in decision.reasons]
    if missing:
        problems.append(f"reasons: expected {missing} among {decision.reasons}")
    text = _reply_text(decision)
    for phrase in expect.get("reply_contains") or []:
        if str(phrase) not in text:
            problems.append(
                f"reply_contains: {phrase!r} not in the reply"
                + ("" if decision.reply else " (there is no reply)")
            )
    for phrase in expect.get("reply_excludes") or []:
        if str(phrase) in text:
            problems.append(f"reply_excludes: {phrase!r} is in the reply")
    return problems


def run_case(
    ruleset: Ruleset,
    case: TestCase,
    today: dt.date | None = None,
    prediction: Prediction | None = None,
) -> CaseResult:
    today = today or dt.date.today()
    try:
        inquiry = inquiry_of(case)
        context = context_of(ruleset, case, today)
    except CaseError as exc:
        return CaseResult(case, [f"cannot run: {exc}"])
    data = FixtureDataSource(case.data, context.now)
    decision = decide(
        ruleset, inquiry, context, data, decision_id=f"test-{case.id}", prediction=prediction
    )
    return CaseResult(case, compare(case.expect, decision), decision)


def run_tests(ruleset: Ruleset, today: dt.date | None = None) -> list[CaseResult]:
    """Every case of the repository; their texts are classified in one batch, which is
    several times faster per text than one at a time (a reload runs them all)."""
    predictions: list[Prediction | None] = [None] * len(ruleset.tests)
    readable = []
    for index, case in enumerate(ruleset.tests):
        try:
            readable.append((index, classification_text(inquiry_of(case))))
        except CaseError:
            continue  # run_case reports it
    if ruleset.classifier is not None and readable:
        found = ruleset.classifier.predict_many([text for _, text in readable])
        for (index, _), prediction in zip(readable, found, strict=True):
            predictions[index] = prediction
    return [
        run_case(ruleset, case, today, prediction)
        for case, prediction in zip(ruleset.tests, predictions, strict=True)
    ]


def describe(result: CaseResult) -> str:
    """A failed case: where it is, what differed, and what the engine decided."""
    case = result.case
    lines = [f"FAIL {case.suite}/{case.id} ({case.location.file}:{case.location.line})"]
    lines += [f"  {problem}" for problem in result.problems]
    decision = result.decision
    if decision is not None:
        fired = ", ".join(hit.id for hit in decision.rules_fired) or "none"
        lines.append(
            f"  decided: {decision.outcome} queue={decision.queue} intent={decision.intent} "
            f"({decision.confidence:.2f}) reasons={decision.reasons} rules fired: {fired}"
        )
    return "\n".join(lines)
