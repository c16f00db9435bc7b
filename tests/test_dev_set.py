"""Format checks for the held-out development set in tests/data/dev_inquiries.jsonl.

The set is read by evaluation scripts; a malformed line or an unknown label would silently
skew every figure measured on it, so the file is checked here line by line.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

DEV_SET = Path(__file__).parent / "data" / "dev_inquiries.jsonl"

ROUTINE = {"order_status", "delivery_date", "invoice"}
INTENTS = ROUTINE | {
    "complaint",
    "damage_claim",
    "return_request",
    "quote_request",
    "order_change",
    "technical_support",
    "account_change",
    "human_request",
    "out_of_scope",
}
CHANNELS = {"email", "sms", "chat", "voice"}
LANGUAGES = {"en", "de"}
REQUIRED_KEYS = {"id", "text", "channel", "language", "intent"}
ALLOWED_KEYS = REQUIRED_KEYS | {"note"}

MIN_TOTAL = 650
MIN_PER_INTENT = {intent: (80 if intent in ROUTINE else 35) for intent in INTENTS}
MIN_PER_INTENT_AND_LANGUAGE = 10
MIN_PER_CHANNEL = 80
MAX_TEXT_CHARS = 4000


def _load(path: Path) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        try:
            row = json.loads(line)
        except json.JSONDecodeError as exc:
            pytest.fail(f"{path.name}:{number}: not valid JSON ({exc.msg})")
        if not isinstance(row, dict):
            pytest.fail(f"{path.name}:{number}: expected a JSON object, got {type(row).__name__}")
        row["_line"] = number
        rows.append(row)
    return rows


@pytest.fixture(scope="module")
def rows() -> list[dict[str, Any]]:
    return _load(DEV_SET)


def _problems(rows: list[dict[str, Any]], check: Any) -> list[str]:
    return [f"line {row['_line']}: {msg}" for row in rows for msg in check(row)]


def _field_problems(row: dict[str, Any]) -> list[str]:
    keys = set(row) - {"_line"}
    out = []
    if missing := REQUIRED_KEYS - keys:
        out.append(f"missing keys {sorted(missing)}")
    if extra := keys - ALLOWED_KEYS:
        out.append(f"unknown keys {sorted(extra)}")
    if not re.fullmatch(r"dev-\d{4}", str(row.get("id", ""))):
        out.append(f"id {row.get('id')!r} is not dev-NNNN")
    text = row.get("text")
    if not isinstance(text, str) or not text.strip():
        out.append("text must be a non-empty string")
    elif len(text) > MAX_TEXT_CHARS:
        out.append(f"text longer than {MAX_TEXT_CHARS} characters")
    elif row.get("channel") == "email" and not text.startswith("Subject:"):
        out.append("an e-mail must start with a 'Subject:' line")
    if row.get("channel") not in CHANNELS:
        out.append(f"channel {row.get('channel')!r} not in {sorted(CHANNELS)}")
    if row.get("language") not in LANGUAGES:
        out.append(f"language {row.get('language')!r} not in {sorted(LANGUAGES)}")
    if row.get("intent") not in INTENTS:
        out.append(f"intent {row.get('intent')!r} is not one of the 12 intent ids")
    if "note" in row and (not isinstance(row["note"], str) or not row["note"].strip()):
        out.append("note, when present, must be a non-empty string")
    return out


def test_every_line_is_a_well_formed_inquiry(rows: list[dict[str, Any]]) -> None:
    assert _problems(rows, _field_problems) == []


def test_ids_are_unique(rows: list[dict[str, Any]]) -> None:
    repeated = [i for i, n in Counter(row["id"] for row in rows).items() if n > 1]
    assert repeated == []


def test_no_text_appears_twice(rows: list[dict[str, Any]]) -> None:
    # Also catches copies that differ only in case or spacing.
    seen: dict[str, int] = {}
    clashes = []
    for row in rows:
        key = " ".join(str(row["text"]).casefold().split())
        if key in seen:
            clashes.append(f"line {row['_line']} repeats line {seen[key]}")
        seen.setdefault(key, row["_line"])
    assert clashes == []


def test_enough_examples_overall_and_per_intent(rows: list[dict[str, Any]]) -> None:
    assert len(rows) >= MIN_TOTAL
    counts = Counter(row["intent"] for row in rows)
    short = {i: counts[i] for i, low in MIN_PER_INTENT.items() if counts[i] < low}
    assert short == {}, f"intents below their minimum: {short}"


def test_every_intent_is_covered_in_both_languages(rows: list[dict[str, Any]]) -> None:
    counts = Counter((row["intent"], row["language"]) for row in rows)
    thin = {
        f"{intent}/{lang}": counts[(intent, lang)]
        for intent in INTENTS
        for lang in LANGUAGES
        if counts[(intent, lang)] < MIN_PER_INTENT_AND_LANGUAGE
    }
    assert thin == {}


def test_every_channel_is_represented(rows: list[dict[str, Any]]) -> None:
    counts = Counter(row["channel"] for row in rows)
    assert {c: counts[c] for c in CHANNELS if counts[c] < MIN_PER_CHANNEL} == {}


def test_the_mix_matches_the_brief(rows: list[dict[str, Any]]) -> None:
    routine_share = sum(row["intent"] in ROUTINE for row in rows) / len(rows)
    german_share = sum(row["language"] == "de" for row in rows) / len(rows)
    assert 0.35 <= routine_share <= 0.45, routine_share
    assert 0.30 <= german_share <= 0.40, german_share


def test_tagged_hard_cases_follow_the_labelling_rules(rows: list[dict[str, Any]]) -> None:
    # README rules: other languages are out of scope; a legal threat never leaves a message
    # routine, whatever it asks.
    wrong = [
        f"line {row['_line']}: {row['intent']} with note {row['note']!r}"
        for row in rows
        if "note" in row
        and (
            ("foreign language" in row["note"] and row["intent"] != "out_of_scope")
            or (re.search(r"\blegal\b", row["note"]) and row["intent"] in ROUTINE)
        )
    ]
    assert wrong == []


def test_the_loader_reports_the_broken_line(tmp_path: Path) -> None:
    broken = tmp_path / "broken.jsonl"
    broken.write_text('{"id": "dev-0001"}\n{"id": "dev-0002", "text": \n', encoding="utf-8")
    with pytest.raises(pytest.fail.Exception, match=r"broken\.jsonl:2: not valid JSON"):
        _load(broken)


def test_the_field_checks_reject_bad_rows() -> None:
    bad = {
        "_line": 1,
        "id": "dev-1",
        "text": "Where is SO4500123?",
        "channel": "email",
        "language": "fr",
        "intent": "where_is_my_order",
        "extra": 1,
    }
    problems = " | ".join(_field_problems(bad))
    for expected in ("unknown keys", "not dev-NNNN", "Subject:", "language", "intent"):
        assert expected in problems
