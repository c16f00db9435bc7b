"""The impact preview on the demo rules: two proposals replayed against the approved rules.

The demo repository is committed to a temporary git repository; one proposal lowers the claim
threshold from 5,000 to 2,000, another makes `return_request` routine. The same inquiries,
with the same recorded data, go through each proposal and the approved revision.
"""

from __future__ import annotations

import datetime as dt
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from repo_helpers import commit, git
from switchboard.analysis.impact import Impact, impact, render
from switchboard.analysis.replay_items import ReplayItem, item_of
from switchboard.analysis.repo import analyze_repo
from switchboard.rules import load_ruleset
from switchboard.rules.model import Ruleset

DEMO = Path(__file__).resolve().parent.parent / "rules-repo"
NOW = dt.datetime(2026, 12, 1, 9, 30, tzinfo=dt.UTC)
CLAIMS = [
    "Warranty claim for order SO4500123: the pump housing cracked after two weeks. "
    "We claim EUR {amount} for the replacement.",
    "Transport damage on delivery SO4500124, the impeller arrived bent. Our claim amounts to "
    "{amount} EUR.",
    "Gewährleistungsanspruch zu Auftrag SO4500125: Die Pumpe ist nach drei Tagen ausgefallen, "
    "wir fordern {amount} EUR Schadenersatz.",
]
AMOUNTS = {"800,00": 800, "1.999,00": 1999, "2.000,00": 2000, "3.500,00": 3500}
AMOUNTS |= {"4.999,00": 4999, "5.000,00": 5000, "12.500,00": 12500}
RETURNS = [
    "We ordered two seal kits too many on SO4500123, can we send them back unused?",
    "Please arrange the return of the surplus coupling from order SO4500123.",
    "Can we return the spare impeller from SO4500123? We will not need it after all.",
]
OTHERS = [
    "Where is my order SO4500123?",
    "When will order SO4500123 be delivered?",
    "Please send a copy of invoice INV26004512.",
    "The pump you delivered with SO4500123 is leaking, this is unacceptable.",
    "Can you quote 20 mechanical seals for the NCP 50-160?",
    "Our lawyer will contact you about order SO4500123.",
]
ORDER_ROW = {
    "order_no": "SO4500123",
    "po_number": "4711-0045",
    "customer_id": "C10023",
    "status": "shipped",
    "order_date": "2026-11-02",
    "confirmed_date": "2026-11-03",
    "eta": "2026-12-04",
    "value": 4200,
    "currency": "EUR",
    "line_count": 2,
    "last_update": "2026-11-30",
}
CUSTOMER = {"id": "C10023", "name": "Hydro-Kraft GmbH", "tier": "standard", "locale": "en"}


@dataclass
class Demo:
    root: Path
    live: Ruleset
    threshold: Ruleset
    routine: Ruleset
    commits: dict[str, str]


def _line(n: int, text: str) -> dict[str, Any]:
    return {
        "id": f"q{n:03d}",
        "channel": "email",
        "text": text,
        "customer": CUSTOMER,
        "data": {"erp.order_by_reference": ORDER_ROW},
    }


def _items() -> tuple[list[ReplayItem], dict[str, int]]:
    """Every inquiry, and the claim amount of each claim."""
    lines, amounts = [], {}
    for written, amount in AMOUNTS.items():
        for template in CLAIMS:
            line = _line(len(lines), template.format(amount=written))
            amounts[line["id"]] = amount
            lines.append(line)
    lines += [_line(len(lines) + n, text) for n, text in enumerate(RETURNS + OTHERS)]
    return [item_of(line, NOW, line["id"]) for line in lines], amounts


def _load(root: Path, rev: str, cache: Path) -> Ruleset:
    result = load_ruleset(root, rev, cache_dir=cache)
    assert result.ruleset is not None, [str(p) for p in result.errors]
    return result.ruleset


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Demo]:
    base = tmp_path_factory.mktemp("impact-demo")
    root = base / "rules"
    shutil.copytree(DEMO, root)
    git(root, "init", "-q", "-b", "main")
    commits = {"live": commit(root, {}, "Demo rules")}
    complaints = (root / "escalation" / "complaints.yaml").read_text(encoding="utf-8")
    assert complaints.count("op: gte, value: 5000}") == 2
    lowered = complaints.replace("op: gte, value: 5000}", "op: gte, value: 2000}")
    commits["threshold"] = commit(root, {"escalation/complaints.yaml": lowered}, "Lower")
    git(root, "checkout", "-q", commits["live"])
    returns = (root / "taxonomy" / "return_request.yaml").read_text(encoding="utf-8")
    routine = returns.replace(
        "routine: false\n",
        "routine: true\nentities:\n  one_of: [order_number, po_number]\nanswer:\n"
        "  template: order_status\n  lookups:\n"
        "    - {connector: erp, query: order_by_reference, as: order}\n",
    )
    commits["routine"] = commit(root, {"taxonomy/return_request.yaml": routine}, "Routine")
    cache = base / "cache"
    yield Demo(
        root,
        _load(root, commits["live"], cache),
        _load(root, commits["threshold"], cache),
        _load(root, commits["routine"], cache),
        commits,
    )


def test_lowering_the_claim_threshold_changes_exactly_the_claims_in_between(demo: Demo) -> None:
    items, amounts = _items()
    report = impact(demo.live, demo.threshold, items, source="test")
    assert report.replayed == len(items)
    between = {i for i, amount in amounts.items() if 2000 <= amount < 5000}
    assert len(between) == 9
    (change,) = report.changes  # nothing else moved
    assert (change.before.queue, change.before.priority) == ("quality_claims", "normal")
    assert (change.after.queue, change.after.priority) == ("quality_claims", "urgent")
    assert change.before.intent == change.after.intent == "damage_claim"
    assert change.count == report.changed == len(between)
    assert not change.danger and report.dangerous == 0
    assert len(change.examples) == 5
    assert {e.id for e in change.examples} <= between
    assert all(e.reasons_after == ["claim_above_threshold"] for e in change.examples)
    assert "route quality_claims/normal (damage_claim)  ->  route quality_claims/urgent" in (
        render(report)
    )


def test_the_lowered_threshold_keeps_every_guarantee(demo: Demo) -> None:
    report = analyze_repo(demo.root, demo.commits["threshold"], against=demo.commits["live"])
    assert report.holds, report.guarantees
    assert not [f for f in report.findings if f.new and f.severity != "info"]


def test_making_returns_routine_flags_danger(demo: Demo) -> None:
    items, _ = _items()
    report = impact(demo.live, demo.routine, items, source="test")
    dangerous = [c for c in report.changes if c.danger]
    assert dangerous, render(report)
    for change in dangerous:
        assert change.before.outcome == "route"
        assert change.after.outcome in ("auto_reply", "clarify")
        assert change.after.intent == "return_request"
    assert report.dangerous == sum(c.count for c in dangerous) >= 1
    assert "DANGER" in render(report)
    # and the static analysis refuses the same proposal
    analysis = analyze_repo(demo.root, demo.commits["routine"], against=demo.commits["live"])
    (complaints,) = [g for g in analysis.guarantees if g.id == "complaints"]
    assert complaints.status == "failed"
    assert complaints.example is not None and complaints.example["intent"] == "return_request"


def test_two_workers_replay_exactly_like_one(demo: Demo) -> None:
    items, _ = _items()
    many = (items * 12)[:300]
    one = impact(demo.live, demo.threshold, many, source="test", workers=1)
    two = impact(demo.live, demo.threshold, many, source="test", workers=2)
    assert _plain(one) == _plain(two)


def _plain(report: Impact) -> Any:
    return [(c.before, c.after, c.count, [e.id for e in c.examples]) for c in report.changes]
