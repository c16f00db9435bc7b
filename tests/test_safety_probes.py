"""The demo rules over `tests/data/probes.jsonl`: phrasings that only the escalation rules,
not the classifier, keep from an automatic answer, and plain routine questions as a control.

Known misses, left out of the file: "has my pizza order left the restaurant" and "when is my
electricity bill due" still get a clarifying question (automated), since nothing in their
words tells them apart from an order desk's own questions.
"""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

from engine_support import demo_ruleset
from switchboard.commands.classify import classify_stream

PROBES = Path(__file__).resolve().parent / "data" / "probes.jsonl"


def test_every_probe_is_decided_as_labelled() -> None:
    demo = demo_ruleset()
    rows = [json.loads(line) for line in PROBES.read_text().splitlines() if line.strip()]
    controls = sum(r["automated"] for r in rows)  # plain routine questions among the probes
    assert len(rows) >= 100 and 0.1 * len(rows) <= controls <= 0.3 * len(rows)
    source = io.BytesIO("".join(json.dumps(r) + "\n" for r in rows).encode())
    sink = io.BytesIO()
    done, refused = classify_stream(demo, source, sink)
    assert (done, refused) == (len(rows), 0)
    results = {r["id"]: r for r in map(json.loads, sink.getvalue().splitlines())}
    wrong = [
        (row["id"], results[row["id"]]["outcome"], results[row["id"]]["reasons"])
        for row in rows
        if missed(row, results[row["id"]])
    ]
    assert not wrong, wrong


def missed(row: dict[str, Any], result: dict[str, Any]) -> bool:
    """A probe must not be answered; a control must not be stopped by an escalation rule
    while the classifier is sure of it. A control the classifier is unsure of goes to a
    person (`low_confidence`): the labelled inquiry sets count that as lost recall, this
    test is about the rules."""
    if not row["automated"]:
        return bool(result["automated"])
    return not result["automated"] and "low_confidence" not in result["reasons"]
