"""The compiled Ruleset of a valid repository: order, defaults, prepared values, facts."""

from __future__ import annotations

import dataclasses
import datetime as dt
from pathlib import Path

import pytest

from repo_helpers import BASE, META, edit, line_of, make_repo
from switchboard.rules import load_ruleset, model
from switchboard.rules.model import AnyOf, Ruleset

EARLY_SET = (
    META
    + """id: early
title: Checked first
precedence: 5
rules:
  - id: refund_words
    when: {fact: text, op: contains_any, value: [Rückerstattung, "Money back"]}
    then: {action: route, queue: order_desk, reason: refund}
  - id: switched_off
    enabled: false
    when: {fact: customer.tier, op: eq, value: vip}
    then: {action: route, queue: order_desk, reason: vip}
  - id: late_order
    when: {fact: data.order.eta, op: gt, value: 2026-12-31}
    then: {action: route, queue: order_desk, reason: late}
"""
)
SECOND_LOOKUP = """    - {connector: erp, query: order_by_reference, as: order}
    - connector: erp
      query: order_by_reference
      as: again
      params: {order_number: data.order.order_no}
"""


def load(tmp_path: Path, files: dict[str, str | bytes | None] | None = None) -> Ruleset:
    result = load_ruleset(make_repo(tmp_path / "rules", files), build_engine=False)
    assert result.ruleset is not None, [str(p) for p in result.problems]
    return result.ruleset


def test_base_repository_validates_clean(tmp_path: Path) -> None:
    result = load_ruleset(make_repo(tmp_path / "rules"), build_engine=False)
    assert result.problems == []
    assert result.ruleset is not None
    assert set(result.timings) == {"read", "parse", "validate", "compile"}


def test_rules_in_evaluation_order_without_disabled_ones(tmp_path: Path) -> None:
    files = edit("connectors/erp.yaml", "      status: {type: string}\n",
                 "      status: {type: string}\n      eta: {type: date}\n")  # fmt: skip
    ruleset = load(tmp_path, {**files, "escalation/early.yaml": EARLY_SET})
    assert [r.id for r in ruleset.rules] == [
        "refund_words", "late_order", "legal_threat", "complaints_to_claims"]  # fmt: skip
    assert [r.set_id for r in ruleset.rules][:2] == ["early", "early"]
    first = ruleset.rules[0]
    assert isinstance(first.when, model.Test)
    assert first.when.compiled == ("ruckerstattung", "money back")
    assert first.location.file == "escalation/early.yaml"
    assert first.location.line == line_of(EARLY_SET, "  - id: refund_words")
    late = ruleset.rules[1].when
    assert isinstance(late, model.Test) and late.compiled == dt.date(2026, 12, 31)
    assert ruleset.facts["data.order.eta"] == "date"


def test_prepared_values_of_conditions(tmp_path: Path) -> None:
    ruleset = load(tmp_path)
    legal = ruleset.rules[0].when
    assert isinstance(legal, AnyOf)
    words, pattern = legal.items
    assert isinstance(words, model.Test) and words.value == ("lawyer", "court")
    assert isinstance(pattern, model.Test) and pattern.compiled.search("LEGAL   Action") is not None
    claims = ruleset.rules[1].when
    assert isinstance(claims.items[0], model.Test) and claims.items[0].compiled == frozenset(
        {"complaint"}
    )


def test_lookup_params_are_spelled_out(tmp_path: Path) -> None:
    first = "    - {connector: erp, query: order_by_reference, as: order}\n"
    files = edit("taxonomy/order_status.yaml", first, SECOND_LOOKUP)
    answer = load(tmp_path, files).intents["order_status"].answer
    assert answer is not None
    assert [dict(lookup.params) for lookup in answer.lookups] == [
        {"order_number": "entities.order_number"},
        {"order_number": "data.order.order_no"},
    ]


def test_data_from_a_later_lookup_cannot_feed_an_earlier_one(tmp_path: Path) -> None:
    files = edit("taxonomy/order_status.yaml", "data.order.order_no", "data.again.order_no",
                 edit("taxonomy/order_status.yaml",
                      "    - {connector: erp, query: order_by_reference, as: order}\n",
                      SECOND_LOOKUP))  # fmt: skip
    result = load_ruleset(make_repo(tmp_path / "rules", files), build_engine=False)
    assert [p.code for p in result.errors] == ["unknown_fact"]


def test_settings_queues_entities_and_metadata(tmp_path: Path) -> None:
    ruleset = load(tmp_path)
    assert ruleset.settings.business_hours["fri"] == ((dt.time(7, 30), dt.time(15)),)
    assert str(ruleset.settings.customer_lookup) == "erp.customer_by_identifier"
    assert ruleset.queues["quality_claims"].sla["first_response"] == "4h"
    entity = ruleset.entities["order_number"]
    assert entity.patterns[0].compiled.search("see so 4500123 please").group(1) == "4500123"
    assert entity.valid.search("SO4500123") and not entity.valid.search("SO450012")
    assert ruleset.facts["entities.order_number"] == "string"
    assert ruleset.connectors["erp"].queries["order_by_reference"].owner_field == "customer_id"
    assert ruleset.templates["order_status"].variants[("sms", "en")].body.startswith("Order")
    info = {f.path: f for f in ruleset.files}["switchboard.yaml"]
    assert info.metadata.last_reviewed == dt.date(2026, 9, 15) and info.kind == "settings"
    assert [c.id for c in ruleset.tests] == ["lawyer_goes_to_claims"]


def test_ruleset_is_frozen(tmp_path: Path) -> None:
    ruleset = load(tmp_path)
    with pytest.raises(dataclasses.FrozenInstanceError):
        ruleset.revision = "other"  # type: ignore[misc]
    with pytest.raises(TypeError):
        ruleset.intents["x"] = ruleset.intents["complaint"]  # type: ignore[index]


def test_engine_is_built_when_asked(tmp_path: Path) -> None:
    result = load_ruleset(make_repo(tmp_path / "rules"), cache_dir=tmp_path / "cache")
    assert result.ruleset is not None, [str(p) for p in result.problems]
    assert result.ruleset.renderer is not None and result.ruleset.classifier is not None
    assert "engine" in result.timings
    reply = result.ruleset.renderer.render(
        "order_status", "sms", "en", {"order": {"order_no": "SO4500123", "status": "shipped"}}
    )
    assert reply.body == "Order SO4500123: shipped"


def test_a_money_entity_gives_two_facts(tmp_path: Path) -> None:
    amount = META + "id: amount\ntitle: Amount\ntype: money\n"
    ruleset = load(tmp_path, {**BASE, "entities/amount.yaml": amount})
    assert ruleset.facts["entities.amount"] == "number"
    assert ruleset.facts["entities.currency"] == "string"
