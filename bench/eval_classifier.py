"""How well would the engine automate? Runs `decide` over a labelled set of inquiries.

    python bench/eval_classifier.py [--rules rules-repo] [--data tests/data/dev_inquiries.jsonl]

Every lookup is assumed to succeed for a known standard customer who owns the data, so the
figures measure the classifier, the entity patterns and the rules, not the ERP. Printed:
automation precision (right routine class among automatic answers; the answer of a class
that declares `also_answers` for the labelled one counts when the two were joined), routine
recall (routine inquiries answered automatically with the right class), leak (share of
non-routine inquiries answered automatically, by reply or by a clarifying question), the
confusion per class and every leaked or wrongly answered inquiry.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
import time
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

from switchboard.engine.decide import classification_text, decide
from switchboard.engine.sources import ASSUMED_CUSTOMER, AssumedDataSource
from switchboard.engine.types import Context, Decision, Inquiry
from switchboard.rules import load_ruleset
from switchboard.rules.model import Ruleset

ROOT = Path(__file__).resolve().parent.parent
TARGETS = {"leak": 0.005, "precision": 0.98, "recall": 0.80}


def inquiry_of(row: dict[str, Any]) -> Inquiry:
    """The inquiry a gateway would send: the set writes an e-mail's subject as its first line."""
    text, subject = row["text"], None
    if text.startswith("Subject:"):
        first, _, rest = text.partition("\n")
        subject, text = first.removeprefix("Subject:").strip() or None, rest.strip()
    return Inquiry(channel=row.get("channel", "email"), text=text or row["text"], subject=subject)


def read_rows(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]


def evaluate(ruleset: Ruleset, rows: list[dict[str, Any]]) -> list[tuple[dict[str, Any], Decision]]:
    now = dt.datetime.now(dt.UTC)
    data = AssumedDataSource(ruleset, now, ASSUMED_CUSTOMER)
    context = Context(now=now, customer=ASSUMED_CUSTOMER)
    inquiries = [inquiry_of(row) for row in rows]
    predictions = ruleset.classifier.predict_many([classification_text(q) for q in inquiries])
    return [
        (row, decide(ruleset, inquiry, context, data, prediction=p, decision_id=row["id"]))
        for row, inquiry, p in zip(rows, inquiries, predictions, strict=True)
    ]


def answered(label: str, decision: Decision) -> bool:
    """The answer fits the labelled type: it is that type's answer, or the answer of a type
    declared to answer that question too (`also_answers`), chosen because the two were close."""
    return decision.intent == label or decision.joined_intent == label


def metrics(ruleset: Ruleset, results: list[tuple[dict[str, Any], Decision]]) -> dict[str, Any]:
    routine = {i for i, intent in ruleset.intents.items() if intent.routine}
    automatic = [(row, d) for row, d in results if d.automated]
    right = [
        (row, d) for row, d in automatic if answered(row["intent"], d) and row["intent"] in routine
    ]
    n_routine = sum(1 for row, _ in results if row["intent"] in routine)
    n_other = len(results) - n_routine
    leaked = [(row, d) for row, d in automatic if row["intent"] not in routine]
    wrong = [(row, d) for row, d in automatic if row["intent"] in routine and (row, d) not in right]
    return {
        "inquiries": len(results),
        "automatic": len(automatic),
        "precision": len(right) / len(automatic) if automatic else 1.0,
        "recall": len(right) / n_routine if n_routine else 0.0,
        "leak": len(leaked) / n_other if n_other else 0.0,
        "leaked": leaked,
        "wrong": wrong,
    }


def confusion(results: list[tuple[dict[str, Any], Decision]]) -> str:
    table: dict[str, Counter[str]] = defaultdict(Counter)
    for row, decision in results:
        table[row["intent"]][decision.intent] += 1
    names = sorted(set(table) | {p for counts in table.values() for p in counts})
    short = {name: name[:6] for name in names}
    lines = [" " * 18 + " ".join(f"{short[n]:>6}" for n in names) + "   right"]
    for truth in sorted(table):
        counts = table[truth]
        cells = " ".join(f"{counts.get(n, 0) or '.':>6}" for n in names)
        share = counts.get(truth, 0) / sum(counts.values())
        lines.append(f"{truth:>17} {cells}  {share:6.1%}")
    return "\n".join(lines)


def _show(row: dict[str, Any], decision: Decision) -> str:
    text = " ".join(row["text"].split())[:110]
    return (
        f"  {row['id']} {row['intent']} -> {decision.intent} ({decision.confidence:.2f}) "
        f"{decision.outcome} {decision.reasons}: {text}"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rules", type=Path, default=ROOT / "rules-repo")
    parser.add_argument("--rev", help="git revision of the rules (default: the working files)")
    parser.add_argument("--data", type=Path, default=ROOT / "tests/data/dev_inquiries.jsonl")
    parser.add_argument("--errors", action="store_true", help="list every misclassification")
    args = parser.parse_args(argv)

    started = time.perf_counter()
    loaded = load_ruleset(args.rules, args.rev)
    if loaded.ruleset is None:
        for problem in loaded.errors:
            print(problem, file=sys.stderr)
        return 1
    ruleset = loaded.ruleset
    trained = time.perf_counter()
    rows = read_rows(args.data)
    results = evaluate(ruleset, rows)
    done = time.perf_counter()
    found = metrics(ruleset, results)

    print(f"rules {args.rules} revision {ruleset.revision[:12]}, data {args.data.name}")
    print(f"load and train {trained - started:.1f} s, decide {len(rows)} in {done - trained:.1f} s")
    print(confusion(results))
    print(f"automatic answers: {found['automatic']} of {found['inquiries']}")
    for name in ("precision", "recall", "leak"):
        target = TARGETS[name]
        ok = found[name] <= target if name == "leak" else found[name] >= target
        sign = "<=" if name == "leak" else ">="
        label = {"precision": "automation precision", "recall": "routine recall"}.get(name, name)
        verdict = "ok" if ok else "MISSED"
        print(f"{label:>21}: {found[name]:7.2%}  (target {sign} {target:.1%}) {verdict}")
    print(f"leaked inquiries ({len(found['leaked'])}):")
    for row, decision in found["leaked"]:
        print(_show(row, decision))
    print(f"automatic answers of the wrong routine class ({len(found['wrong'])}):")
    for row, decision in found["wrong"]:
        print(_show(row, decision))
    stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%SZ")
    out = ROOT / "bench" / "results" / f"eval_classifier-{stamp}.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    summary = {
        name: found[name] for name in ("inquiries", "automatic", "precision", "recall", "leak")
    }
    summary |= {
        "at": stamp,
        "rules": str(args.rules),
        "revision": ruleset.revision,
        "leaked": [row["id"] for row, _ in found["leaked"]],
        "wrong_class": [row["id"] for row, _ in found["wrong"]],
    }
    out.write_text(json.dumps(summary, indent=2) + "\n")
    print(f"results: {out.relative_to(ROOT)}")
    if args.errors:
        print("every misclassification:")
        for row, decision in results:
            if decision.intent != row["intent"]:
                print(_show(row, decision))
    return 0


if __name__ == "__main__":
    sys.exit(main())
