"""A regression guard on answer safety: the demo rules over every labelled inquiry set.

`tests/data/dev_inquiries.jsonl` is the development set; `tests/data/holdout_inquiries.jsonl`
was written later, in phrasing unlike the training examples and the development set, as a
check that the rules generalise; the two `crosscheck_*` sets were written by other authors
who never saw the taxonomy, in chat style and in other industries' business phrasing. Every
lookup is assumed to succeed for a known standard customer who owns the data (as in
bench/eval_classifier.py, which prints the exact figures), so what is measured is the
classifier, the references and the escalation rules.

Automatic answers are replies and clarifying questions. The limits are looser than the
targets the bench checks (leak <= 0.5 %, precision >= 98 %, recall >= 80 %), so that only a
real regression fails here; recall has a floor too, or routing everything would pass.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest

from switchboard.engine.decide import classification_text, decide
from switchboard.engine.sources import ASSUMED_CUSTOMER, AssumedDataSource
from switchboard.engine.types import Context, Inquiry
from switchboard.rules import load_ruleset
from switchboard.rules.model import Ruleset

ROOT = Path(__file__).resolve().parent.parent
SETS = [
    ROOT / "tests/data/dev_inquiries.jsonl",
    ROOT / "tests/data/holdout_inquiries.jsonl",
    ROOT / "tests/data/crosscheck_chat.jsonl",
    ROOT / "tests/data/crosscheck_b2b.jsonl",
]
MAX_LEAK, MIN_PRECISION, MIN_RECALL = 0.01, 0.95, 0.70
KEYS = {"id", "text", "channel", "language", "intent"}


def read(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text("utf-8").splitlines() if line.strip()]


def inquiry_of(row: dict[str, Any]) -> Inquiry:
    """An e-mail in the sets starts with its subject line: a gateway sends it apart."""
    text, subject = row["text"], None
    if text.startswith("Subject:"):
        first, _, rest = text.partition("\n")
        subject, text = first.removeprefix("Subject:").strip() or None, rest.strip()
    return Inquiry(channel=row["channel"], text=text or row["text"], subject=subject)


@pytest.fixture(scope="module")
def demo() -> Ruleset:
    loaded = load_ruleset(ROOT / "rules-repo")
    assert loaded.ruleset is not None, loaded.errors
    return loaded.ruleset


@pytest.fixture(scope="module")
def outcomes(demo: Ruleset) -> list[tuple[dict[str, Any], bool, str]]:
    """(row, answered automatically, decided intent) for every line of both sets."""
    now = dt.datetime.now(dt.UTC)
    data = AssumedDataSource(demo, now, ASSUMED_CUSTOMER)
    context = Context(now=now, customer=ASSUMED_CUSTOMER)
    rows = [row for path in SETS for row in read(path)]
    inquiries = [inquiry_of(row) for row in rows]
    predictions = demo.classifier.predict_many([classification_text(q) for q in inquiries])
    result = []
    for row, inquiry, prediction in zip(rows, inquiries, predictions, strict=True):
        decision = decide(demo, inquiry, context, data, prediction=prediction)
        result.append((row, decision.automated, decision.intent))
    return result


def test_both_sets_are_there_well_formed_and_distinct(demo: Ruleset) -> None:
    dev, holdout, *crosschecks = (read(path) for path in SETS)
    assert len(dev) > 600 and len(holdout) >= 60 and all(len(c) == 300 for c in crosschecks)
    rows = [row for rows in (dev, holdout, *crosschecks) for row in rows]
    assert len({r["text"] for r in rows}) == len({r["id"] for r in rows}) == len(rows)
    examples = {
        " ".join(phrase.split())
        for intent in demo.intents.values()
        for phrases in intent.examples.values()
        for phrase in phrases
    }
    assert not examples & {" ".join(r["text"].split()) for r in rows}, "a set line is trained on"
    for later in (holdout, *crosschecks):
        for row in later:
            assert KEYS <= set(row) <= {*KEYS, "note"}, row.get("id")
            assert row["channel"] in {"email", "sms", "chat", "voice"}, row["id"]
            assert row["language"] in demo.settings.locales and row["intent"] in demo.intents
        routine = sum(demo.intents[r["intent"]].routine for r in later)
        assert routine == round(0.4 * len(later))


def test_few_non_routine_inquiries_are_answered_and_answers_are_right(
    demo: Ruleset, outcomes: list[tuple[dict[str, Any], bool, str]]
) -> None:
    routine = {name for name, intent in demo.intents.items() if intent.routine}
    answered = [(row, intent) for row, automated, intent in outcomes if automated]
    leaked = [row["id"] for row, _ in answered if row["intent"] not in routine]
    right = [row for row, intent in answered if row["intent"] == intent and intent in routine]
    non_routine = sum(1 for row, _, _ in outcomes if row["intent"] not in routine)
    routine_rows = len(outcomes) - non_routine

    assert len(leaked) <= MAX_LEAK * non_routine, f"answered although not routine: {leaked}"
    wrong = [row["id"] for row, intent in answered if row not in right]
    assert len(right) >= MIN_PRECISION * len(answered), f"wrong automatic answers: {wrong}"
    assert len(right) >= MIN_RECALL * routine_rows, f"only {len(right)} of {routine_rows}"
