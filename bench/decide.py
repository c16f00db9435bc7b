"""Decision latency in-process: median and p99 microseconds per decision, no I/O.

    python bench/decide.py [--rules rules-repo] [--rounds 2000]

Two rulesets: the demo repository, and a generated one with 30 intents and 500 escalation
rules (most scoped to a few intents, a quarter looking at the text, the rest at customer,
conversation and time facts). Live data comes from a fixture source that answers at once.
Classification (with the default embedding backend: the model runs for every decision) is
reported apart from rule evaluation; `rules` is the evaluation of every escalation rule plus
the precedence, `rules only` times the rule evaluation alone.
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime as dt
import json
import random
import statistics
import sys
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

from switchboard.engine.classifier import train
from switchboard.engine.decide import decide
from switchboard.engine.embedding import set_memo_entries
from switchboard.engine.program import program_for
from switchboard.engine.render import Renderer
from switchboard.engine.sources import AssumedDataSource
from switchboard.engine.types import Context, Customer, Decision, Inquiry
from switchboard.rules import load_ruleset
from switchboard.rules.model import (
    All,
    Answer,
    AnyOf,
    Condition,
    Connector,
    Field,
    Intent,
    Location,
    Lookup,
    Query,
    Rule,
    Ruleset,
    Settings,
    Template,
    TemplateVariant,
    Test,
)

ROOT = Path(__file__).resolve().parent.parent
NOW = dt.datetime(2026, 12, 1, 9, 30, tzinfo=dt.UTC)
CUSTOMER = Customer(id="C10023", name="Hydro-Kraft GmbH", tier="standard", locale="de")
HERE = Location("bench/decide.py")
DEMO_TEXTS = [
    ("email", "Where is our order SO4500123? We need it for a site visit next week."),
    ("email", "Wann wird Auftrag SO4500871 geliefert? Wir brauchen einen festen Termin."),
    ("chat", "pls send invoice INV26004512 again as pdf"),
    ("sms", "Is PO 4711-0045 shipped yet?"),
    ("email", "The pump from SO4500123 arrived with a cracked housing, we claim EUR 12.500,00."),
    ("voice", "hi, it's about order S O four five zero zero one two three, when does it arrive"),
    ("chat", "I want to speak to a person please"),
    ("email", "Bitte stornieren Sie die Bestellung 4711-0052, wir haben doppelt bestellt."),
]


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def measure(ruleset: Ruleset, texts: list[tuple[str, str]], rounds: int) -> dict[str, Any]:
    # Every decision embeds its text afresh: the encoder's memo would otherwise turn the
    # repeated sample texts into lookups and hide the model's cost.
    set_memo_entries(0)
    context = Context(NOW, CUSTOMER)
    data = AssumedDataSource(ruleset, NOW, CUSTOMER)
    inquiries = [Inquiry(channel=c, text=t) for c, t in texts]  # type: ignore[arg-type]
    phases: dict[str, list[int]] = defaultdict(list)
    decisions: list[Decision] = []
    for i in range(rounds):
        decision = decide(ruleset, inquiries[i % len(inquiries)], context, data)
        decisions.append(decision)
        for phase, micros in decision.timings_us.items():
            phases[phase].append(micros)
    figures: dict[str, Any] = {}
    for phase in ("total", "classify", "extract", "lookups", "rules", "render"):
        values = phases[phase]
        median, p99 = statistics.median(values), percentile(values, 0.99)
        figures[phase] = {"median_us": median, "p99_us": p99}
        print(f"  {phase:>10}: median {median:8.1f} us   p99 {p99:8.1f} us")
    figures["rules_only"] = rule_only(ruleset, decisions, rounds)
    return figures


def rule_only(ruleset: Ruleset, decisions: list[Decision], rounds: int) -> dict[str, float]:
    """Rule evaluation alone, timed with nanosecond resolution over recorded facts."""
    program = program_for(ruleset)
    samples = []
    for i in range(rounds):
        decision = decisions[i % len(decisions)]
        facts = dict(decision.facts)
        facts["text"] = facts.get("text") or "a plain text"
        view = program.view(facts)
        start = time.perf_counter_ns()
        program.fired(decision.intent, view)
        samples.append((time.perf_counter_ns() - start) / 1000)
    evaluated = statistics.mean(program.evaluated(d.intent) for d in decisions)
    median, p99 = statistics.median(samples), percentile(samples, 0.99)
    print(
        f"  rules only: median {median:8.1f} us   p99 {p99:8.1f} us   ({evaluated:.0f} of "
        f"{len(ruleset.rules)} rules can match the intent and are evaluated)"
    )
    return {"median_us": median, "p99_us": p99, "rules_evaluated": evaluated}


# ----- the generated ruleset ------------------------------------------------------------------

WORDS = [f"{a}{b}" for a in ("pel", "dor", "kam", "ris", "tun", "vex") for b in ("ano", "ito")]


def _t(fact: str, op: str, value: Any) -> Test:
    return Test(fact, op, value, HERE)


def _intents(rng: random.Random, count: int) -> dict[str, Intent]:
    intents = {}
    for n in range(count):
        routine = n < 10
        vocabulary = [f"topic{n}w{k}" for k in range(6)]
        examples = tuple(
            " ".join(rng.sample(vocabulary, 3) + rng.sample(WORDS, 2)) + f" SO45{n:02d}{k:03d}"
            for k in range(12)
        )
        intents[f"intent_{n:02d}"] = Intent(
            id=f"intent_{n:02d}", title=f"Intent {n}", description="", routine=routine,
            out_of_scope=n == count - 1, queue="desk", priority="normal", confidence_floor=None,
            one_of=("order_number",) if routine else (),
            answer=Answer("answer", (Lookup("erp", "order", "order"),)) if routine else None,
            clarify_template=None, examples={"en": examples}, keywords={}, location=HERE,
        )  # fmt: skip
    return intents


def _rule(rng: random.Random, n: int, intent_ids: list[str]) -> Rule:
    kind = rng.random()
    when: Condition
    if kind < 0.6:
        scope = _t("intent", "in", rng.sample(intent_ids, rng.randint(1, 3)))
        other = rng.choice(
            [
                _t("data.order.value", "gt", rng.randint(1000, 50000)),
                _t("customer.tier", "in", ["key_account", "vip"]),
                _t("confidence", "lt", round(rng.uniform(0.5, 0.9), 2)),
                _t("entities.order_number", "exists", False),
            ]
        )
        when = All((scope, other))
    elif kind < 0.85:
        phrases = [f"{rng.choice(WORDS)} {rng.choice(WORDS)}" for _ in range(4)]
        when = _t("text", "contains_any", phrases + rng.sample(WORDS, 3))
    else:
        when = AnyOf(
            (
                _t("conversation.contacts_last_7d", "gte", rng.randint(3, 9)),
                All((_t("time.business_hours", "eq", False), _t("customer.tier", "eq", "vip"))),
            )
        )
    return Rule(
        id=f"rule_{n:03d}", title="", description="", set_id="generated", when=when,
        action="route", reason=f"reason_{n:03d}", queue="desk", priority=None, template=None,
        location=HERE,
    )  # fmt: skip


def generated_ruleset(intent_count: int = 30, rule_count: int = 500) -> Ruleset:
    rng = random.Random(20261201)
    intents = _intents(rng, intent_count)
    rules = tuple(_rule(rng, n, list(intents)) for n in range(rule_count))
    fields = {
        name: Field(name, kind)  # type: ignore[arg-type]
        for name, kind in [("order_no", "string"), ("customer_id", "string"),
                           ("status", "string"), ("value", "number")]
    }  # fmt: skip
    query = Query("order", "", ("order_number",), fields, "customer_id", sql="SELECT 1")
    connector = Connector("erp", "sql", "", 800, 0, 1, 5, 30, {"order": query}, "DSN")
    variants = {
        (channel, locale): TemplateVariant("Order" if channel == "email" else None,
                                           "Order {{ order.order_no }}: {{ order.status }}", HERE)
        for channel in ("email", "sms", "chat", "voice") for locale in ("en", "de")
    }  # fmt: skip
    settings = Settings(
        name="generated", locales=("en", "de"), default_locale="en", time_zone="Europe/Berlin",
        approved_ref="main", default_queue="desk", confidence_floor=0.3,
        conversation_window_days=14, customer_lookup=None,
        business_hours={"mon": ((dt.time(8), dt.time(17)),)},
    )  # fmt: skip
    base_facts = {
        "intent": "enum", "confidence": "number", "text": "text", "customer.tier": "enum",
        "entities.order_number": "string", "data.order.value": "number",
        "conversation.contacts_last_7d": "number", "time.business_hours": "boolean",
    }  # fmt: skip
    from switchboard.engine.extract import compile_pattern
    from switchboard.rules.model import Entity, EntityPattern

    pattern = r"\bSO[\s-]?(\d{7})\b"
    entity = Entity("order_number", "Order number", "string",
                    (EntityPattern(pattern, "SO{1}", compile_pattern(pattern)),), None)  # fmt: skip
    ruleset = Ruleset(
        revision="generated", settings=settings, intents=intents, rules=rules, queues={},
        templates={"answer": Template("answer", "", variants)}, snippets={},
        entities={"order_number": entity}, connectors={"erp": connector}, tests=(), files=(),
        facts=base_facts,
    )  # fmt: skip
    return dataclasses.replace(ruleset, classifier=train(ruleset), renderer=Renderer.build(ruleset))


def generated_texts(ruleset: Ruleset) -> list[tuple[str, str]]:
    rng = random.Random(7)
    texts = []
    for intent in list(ruleset.intents.values())[:16]:
        example = rng.choice(intent.examples["en"])
        texts.append(("email", f"{example} {rng.choice(WORDS)} please answer soon"))
    return texts


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rules", type=Path, default=ROOT / "rules-repo")
    parser.add_argument("--rounds", type=int, default=2000)
    args = parser.parse_args(argv)

    results: dict[str, Any] = {"rounds": args.rounds}
    loaded = load_ruleset(args.rules)
    if loaded.ruleset is None:
        print(f"demo ruleset {args.rules}: cannot be loaded ({len(loaded.errors)} errors)")
    else:
        demo = loaded.ruleset
        print(f"demo ruleset: {len(demo.intents)} intents, {len(demo.rules)} escalation rules")
        results["demo"] = measure(demo, DEMO_TEXTS, args.rounds)

    generated = generated_ruleset()
    print(
        f"generated ruleset: {len(generated.intents)} intents, "
        f"{len(generated.rules)} escalation rules"
    )
    results["generated"] = measure(generated, generated_texts(generated), args.rounds)
    stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%SZ")
    out = ROOT / "bench" / "results" / f"decide-{stamp}.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps({"at": stamp, **results}, indent=2) + "\n")
    print(f"results: {out.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
