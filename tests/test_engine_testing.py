"""engine.testing: a repository's own test cases run through decide with fixture data."""

from __future__ import annotations

import dataclasses
import datetime as dt
from typing import Any

import pytest

from engine_support import HERE, mini_ruleset
from switchboard.engine.testing import describe, moment, run_case, run_tests
from switchboard.rules import model

ORDER = {"order_no": "SO4500123", "customer_id": "C10023", "status": "shipped"}
CUSTOMER = {"id": "C10023", "name": "Hydro-Kraft GmbH", "tier": "standard"}
TODAY = dt.date(2026, 12, 2)  # a Wednesday


def case(case_id: str, expect: dict[str, Any], **fields: Any) -> model.TestCase:
    values: dict[str, Any] = {
        "inquiry": {
            "channel": "email",
            "from": "einkauf@hydro-kraft.example",
            "subject": "Order SO4500123",
            "text": "Where is order SO4500123?",
        },
        "customer": CUSTOMER,
        "data": {"erp.order_by_reference": ORDER},
        "conversation": {},
        "time": {},
    }
    values.update(fields)
    return model.TestCase(id=case_id, suite="suite", expect=expect, location=HERE, **values)


@pytest.fixture(scope="module")
def ruleset() -> model.Ruleset:
    return mini_ruleset()


def test_a_passing_routine_case(ruleset: model.Ruleset) -> None:
    result = run_case(
        ruleset,
        case(
            "answer",
            {
                "outcome": "auto_reply",
                "intent": "order_status",
                "reply_contains": ["SO4500123", "shipped"],
                "reply_excludes": ["on_hold"],
            },
        ),
        TODAY,
    )
    assert result.passed, result.problems
    assert result.decision is not None and result.decision.decision_id == "test-answer"


def test_failures_are_listed_one_line_each_with_the_decision(ruleset: model.Ruleset) -> None:
    vip = {**CUSTOMER, "tier": "vip"}
    expect = {
        "outcome": "auto_reply",
        "queue": "order_desk",
        "reasons": ["legal_threat"],
        "reply_contains": ["shipped"],
    }
    result = run_case(ruleset, case("vip", expect, customer=vip), TODAY)
    assert result.problems == [
        "outcome: expected 'auto_reply', got 'route'",
        "queue: expected 'order_desk', got 'key_accounts'",
        "reasons: expected ['legal_threat'] among ['vip_customer']",
        "reply_contains: 'shipped' not in the reply (there is no reply)",
    ]
    text = describe(result)
    assert text.startswith("FAIL suite/vip (tests/engine_support.py:1)")
    assert "rules fired: vip_customer" in text


@pytest.mark.parametrize(
    ("fixture", "reason"),
    [
        ({"error": "timeout"}, "data_timeout"),
        ({"error": "circuit_open"}, "circuit_open"),
        ({"error": "not_found"}, "data_not_found"),
        ({"error": "something else"}, "data_error"),
    ],
)
def test_error_fixtures(ruleset: model.Ruleset, fixture: dict[str, str], reason: str) -> None:
    data = {"erp.order_by_reference": fixture}
    expect = {"outcome": "route", "reasons": [reason]}
    assert run_case(ruleset, case("err", expect, data=data), TODAY).passed


def test_a_lookup_without_fixture_is_a_data_error(ruleset: model.Ruleset) -> None:
    result = run_case(ruleset, case("none", {"reasons": ["data_error"]}, data={}), TODAY)
    assert result.passed, result.problems


def test_unknown_sender_and_conversation_facts(ruleset: model.Ruleset) -> None:
    unknown = case("unknown", {"outcome": "route", "reasons": ["unknown_customer"]}, customer=None)
    repeated = case(
        "repeated",
        {"outcome": "route", "reasons": ["repeated_contact"]},
        conversation={"contacts_last_7d": 5, "open": True},
    )
    results = run_tests(dataclasses.replace(ruleset, tests=(unknown, repeated)), TODAY)
    assert [r.passed for r in results] == [True, True], [r.problems for r in results]


def test_time_facts_pick_a_matching_moment(ruleset: model.Ruleset) -> None:
    assert moment(ruleset, {}, TODAY).strftime("%a %H:%M") == "Tue 10:00"
    saturday = moment(ruleset, {"weekday": "sat"}, TODAY)
    assert saturday.strftime("%a") == "Sat" and saturday.date() == dt.date(2026, 12, 5)
    evening = moment(ruleset, {"business_hours": False, "weekday": "wed", "hour": 17}, TODAY)
    assert evening.strftime("%a %H:%M") == "Wed 17:00"
    early = moment(ruleset, {"business_hours": True, "hour": 7}, TODAY)
    assert early.strftime("%H:%M") == "07:30"


def test_a_case_that_cannot_run_fails_with_the_reason(ruleset: model.Ruleset) -> None:
    impossible = case("weekend_hours", {}, time={"weekday": "sun", "business_hours": True})
    result = run_case(ruleset, impossible, TODAY)
    assert not result.passed and result.problems[0].startswith("cannot run: no time in a week")
    typo = case("typo", {}, time={"wekday": "mon"})
    assert run_case(ruleset, typo, TODAY).problems == ["cannot run: unknown time facts: wekday"]
    bad = case("bad_channel", {}, inquiry={"channel": "fax", "text": "hello"})
    assert run_case(ruleset, bad, TODAY).problems[0].startswith("cannot run: inquiry:")
