"""Loading a large rules repository: seconds per phase, from git objects to a frozen Ruleset.

    python bench/load_ruleset.py [--files 1000] [--rounds 3] [--engine]

Generates the demo scaled up (inquiry types, escalation sets, answer texts in two languages
and four channels, teams, shared texts, references, data connections and tests; about 3 KB
per file like the demo) as a real git repository in a temporary folder, then loads it.
Phases: read (git ls-tree + cat-file), parse (YAML), validate (schemas, references,
conditions, templates), compile. Target: read + parse + validate + compile <= 1.0 s.
With --engine, building the renderer and training the classifier is timed separately.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

from switchboard.rules import load_ruleset

META = """metadata:
  owner: owner{n}@nordwerk.example
  review_every: 90d
  last_reviewed: 2026-09-15
  reviewers: [reviewer@nordwerk.example]
  change_note: Generated for the load benchmark; wording varies a little per file.
"""
WORDS = ("pump", "seal", "impeller", "bearing", "valve", "motor", "gasket", "shaft", "casing")
WORDS += ("flange", "rotor", "coupling")


def _share(files: int) -> dict[str, int]:
    """How many files of each kind, in the demo's proportions."""
    base = {"connectors": 10, "entities": 20, "queues": 40, "snippets": 60}
    rest = files - 1 - sum(base.values())
    intents = rest * 25 // 100
    templates = rest * 15 // 100
    escalation = rest * 20 // 100
    return {**base, "taxonomy": intents, "templates": templates, "escalation": escalation,
            "tests": rest - intents - templates - escalation}  # fmt: skip


def _settings() -> str:
    return (
        META.format(n=0)
        + """name: Generated order desk
locales: [en, de]
default_locale: en
time_zone: Europe/Berlin
approved_ref: main
default_queue: queue_0
confidence_floor: 0.6
customer_lookup: {connector: conn_0, query: customer_by_identifier}
business_hours: {mon: "07:30-17:00", tue: "07:30-17:00", wed: "07:30-17:00",
  thu: "07:30-17:00", fri: "07:30-15:00"}
"""
    )


def _connector(n: int) -> str:
    queries = "".join(
        f"""  order_{q}:
    description: Order {q} by order number or PO number.
    params: [order_number, po_number]
    sql: |
      SELECT o.order_no, o.po_number, o.customer_id, o.status, o.eta, o.total AS value,
             o.currency, o.line_count
      FROM orders_{q} o WHERE o.order_no = :order_number OR o.po_number = :po_number
    owner_field: customer_id
    fields:
      order_no: {{type: string}}
      po_number: {{type: string}}
      customer_id: {{type: string}}
      status: {{type: string, values: [received, confirmed, shipped, delivered, on_hold]}}
      eta: {{type: date}}
      value: {{type: number}}
      currency: {{type: string}}
      line_count: {{type: number}}
"""
        for q in range(5)
    )
    return (
        META.format(n=n)
        + f"""id: conn_{n}
kind: sql
description: ERP database copy {n}.
dsn_setting: SWITCHBOARD_ERP_DSN_{n}
timeout_ms: 800
max_age: 0s
pool_size: 4
circuit_breaker: {{failures: 5, reset_after: 30s}}
queries:
  customer_by_identifier:
    params: [email, phone, account_no, customer_id]
    sql: SELECT customer_id, name, tier FROM customers WHERE email = :email OR phone = :phone
    fields:
      customer_id: {{type: string}}
      name: {{type: string}}
      tier: {{type: string}}
{queries}"""
    )


def _entity(n: int) -> str:
    ids = {0: ("order_number", "string"), 1: ("po_number", "string"), 2: ("amount", "money")}
    name, kind = ids.get(n, (f"ref_{n}", "string"))
    patterns = "" if kind == "money" else (
        f"patterns:\n  - regex: '\\b(?:SO|AB|X{n})[\\s-]?(\\d{{4}})[\\s-]?(\\d{{3}})\\b'\n"
        f"    value: 'SO{{1}}{{2}}'\n  - regex: '\\border\\s+(?:no\\.?|number)\\s*(\\d{{7}})\\b'\n"
        f"    value: 'SO{{1}}'\nvalid: '^SO\\d{{7}}$'\n"
    )  # fmt: skip
    return META.format(n=n) + f"id: {name}\ntitle: Reference {n}\ntype: {kind}\n{patterns}"


def _queue(n: int) -> str:
    return (
        META.format(n=n)
        + f"""id: queue_{n}
name: Team {n}
description: Handles {WORDS[n % len(WORDS)]} questions and everything routed to team {n}.
contact: {{email: team{n}@nordwerk.example, phone: "+49 621 555 0{n:03d}"}}
skills: [en, de, {WORDS[n % len(WORDS)]}]
business_hours: {{mon: "08:00-16:30", tue: "08:00-16:30", wed: "08:00-16:30",
  thu: "08:00-16:30", fri: "08:00-14:00"}}
sla: {{first_response: 4h, resolution: 5d}}
"""
    )


def _snippet(n: int) -> str:
    return (
        META.format(n=n)
        + f"""id: snippet_{n}
description: Shared text {n}.
text:
  en: "Kind regards\\nThe Nordwerk order desk (team {n})\\nPhone +49 621 555 0100"
  de: "Mit freundlichen Grüßen\\nIhr Nordwerk Auftragsservice (Team {n})"
"""
    )


def _intent(n: int, templates: int, queues: int) -> str:
    routine = n % 2 == 1 and n // 2 < templates
    word = WORDS[n % len(WORDS)]
    examples = ", ".join(f'"Where is my {word} order SO45{n:05d} number {k}?"' for k in range(6))
    beispiele = ", ".join(
        f'"Wo bleibt unsere {word} Bestellung SO45{n:05d} Nr. {k}?"' for k in range(6)
    )
    answer = (
        f"answer:\n  template: template_{n // 2}\n  lookups:\n"
        f"    - {{connector: conn_{n % 10}, query: order_{n % 5}, as: order}}\n"
        if routine else ""
    )  # fmt: skip
    return (
        META.format(n=n)
        + f"""id: {"out_of_scope" if n == 0 else f"intent_{n}"}
title: Inquiry type {n}
description: The customer asks about {word} order number {n}; generated for the benchmark.
routine: {"true" if routine else "false"}
out_of_scope: {"true" if n == 0 else "false"}
queue: queue_{n % queues}
priority: normal
entities:
  one_of: [order_number, po_number]
{answer}examples:
  en: [{examples}]
  de: [{beispiele}]
keywords:
  en: [{word}, tracking, shipped]
  de: [{word}, Sendung]
"""
    )


def _template(n: int, snippets: int) -> str:
    channels = ""
    for channel in ("email", "sms", "chat", "voice"):
        channels += f"  {channel}:\n"
        for locale, text in (("en", "Your order"), ("de", "Ihre Bestellung")):
            subject = (
                f'      subject: "{text} {{{{ order.order_no }}}} ({n})"\n'
                if channel == "email"
                else ""
            )
            body = (
                f"{text} {{{{ order.order_no }}}} ({{{{ customer.name }}}}) is "
                f"{{{{ order.status }}}}, expected {{{{ order.eta | date }}}} "
                f"({channel} answer {n})."
            )  # every text differs, as in a real repository: no check result is shared
            if channel == "email":
                body += f"\\n{{{{ snippet('snippet_{n % snippets}') }}}}"
            channels += f'    {locale}:\n{subject}      body: "{body}"\n'
    return META.format(n=n) + f"id: template_{n}\ndescription: Answer {n}.\nchannels:\n{channels}"


def _rule_set(n: int, intents: int, queues: int) -> str:
    rules = ""
    for r in range(5):
        target = f"intent_{1 + (n * 5 + r) % (intents - 1)}"
        word = WORDS[(n + r) % len(WORDS)]
        rules += f"""  - id: rule_{n}_{r}
    title: Rule {r} of set {n}
    description: Sends {word} questions with a large amount or a legal word to a person.
    when:
      all:
        - {{fact: intent, op: in, value: [{target}, out_of_scope]}}
        - any:
            - {{fact: text, op: contains_any, value: [{word}, lawyer, Anwalt, Rückerstattung]}}
            - {{fact: text, op: matches, value: '(?i)\\b{word}s?\\s+(broken|defect)'}}
            - {{fact: entities.amount, op: gte, value: {1000 * (r + 1)}}}
            - {{fact: data.order.status, op: in, value: [on_hold, received]}}
        - not: {{fact: customer.tier, op: eq, value: standard}}
        - {{fact: time.business_hours, op: eq, value: true}}
    then: {{action: route, queue: queue_{(n + r) % queues}, priority: high, reason: reason_{r}}}
"""
    return (
        META.format(n=n)
        + f"""id: set_{n}
title: Escalation set {n}
description: Generated set {n}.
precedence: {n * 10}
rules:
{rules}"""
    )


def _tests(n: int, intents: int, queues: int) -> str:
    previous = f"intent_{1 + n % (intents - 1)}"
    cases = "".join(
        f"""  - id: case_{c}
    description: Case {c} of suite {n}.
    inquiry:
      channel: email
      from: buyer{n}@customer.example
      subject: Order SO45{n:05d}
      text: Where is order SO45{n:05d}? Third time I ask.
    customer: {{id: C{n:05d}, name: Customer {n}, tier: standard}}
    data:
      conn_{n % 10}.order_{c}: {{order_no: SO45{n:05d}, customer_id: C{n:05d}, status: shipped}}
    conversation: {{contacts_last_7d: 3, open: true, previous_intent: {previous}}}
    time: {{business_hours: true, weekday: tue, hour: 10}}
    expect:
      outcome: route
      queue: queue_{n % queues}
      reasons: [reason_{c}]
      intent: {previous}
"""
        for c in range(3)
    )
    return META.format(n=n) + f"id: suite_{n}\ncases:\n{cases}"


def generate(root: Path, files: int) -> int:
    """Write and commit the repository; returns the number of rules files."""
    share = _share(files)
    out: dict[str, str] = {"switchboard.yaml": _settings()}
    makers = {
        "connectors": _connector,
        "entities": _entity,
        "queues": _queue,
        "snippets": _snippet,
        "taxonomy": lambda n: _intent(n, share["templates"], share["queues"]),
        "templates": lambda n: _template(n, share["snippets"]),
        "escalation": lambda n: _rule_set(n, share["taxonomy"], share["queues"]),
        "tests": lambda n: _tests(n, share["taxonomy"], share["queues"]),
    }
    for folder, count in share.items():
        for n in range(count):
            out[f"{folder}/{folder}_{n:04d}.yaml"] = makers[folder](n)
    for rel, text in out.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(text, encoding="utf-8")
    env = {**os.environ, "GIT_AUTHOR_NAME": "b", "GIT_AUTHOR_EMAIL": "b@x.example",
           "GIT_COMMITTER_NAME": "b", "GIT_COMMITTER_EMAIL": "b@x.example"}  # fmt: skip
    for args in (["init", "-q", "-b", "main"], ["add", "-A"], ["commit", "-q", "-m", "bench"]):
        subprocess.run(["git", "-C", str(root), *args], check=True, env=env)
    return len(out)


PHASES = ("read", "parse", "validate", "compile")


def _report(label: str, runs: list[dict[str, dict[str, float]]]) -> None:
    """Median and best of the runs, wall clock and CPU, per phase and in total."""
    print(f"{label}:")
    for phase in (*PHASES, "total"):
        names = PHASES if phase == "total" else (phase,)
        wall = [sum(run["timings"][p] for p in names) for run in runs]
        cpu = [sum(run["cpu"][p] for p in names) for run in runs]
        print(
            f"  {phase:<9} {statistics.median(wall):6.3f} s wall (best {min(wall):.3f})"
            f"  {statistics.median(cpu):6.3f} s cpu (best {min(cpu):.3f})"
        )


def _load(root: Path) -> dict[str, dict[str, float]]:
    result = load_ruleset(root, build_engine=False)
    if result.ruleset is None:
        raise SystemExit("\n".join(str(p) for p in result.problems[:20]))
    return {"timings": result.timings, "cpu": result.cpu}


def _cold(root: Path) -> dict[str, dict[str, float]]:
    """One load in a fresh interpreter, as at server start (nothing imported or cached)."""
    done = subprocess.run(
        [sys.executable, __file__, "--child", str(root)], capture_output=True, text=True
    )
    if done.returncode != 0:
        raise SystemExit(done.stdout + done.stderr)
    parsed: dict[str, dict[str, float]] = json.loads(done.stdout)
    return parsed


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--files", type=int, default=1000)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--engine", action="store_true", help="also build renderer + classifier")
    parser.add_argument("--child", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(_load(args.child)))
        return 0
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "rules"
        count = generate(root, args.files)
        size = sum(p.stat().st_size for p in root.rglob("*.yaml"))
        print(f"generated {count} files, {size / 1e6:.1f} MB, in a git repository")
        load = " ".join(f"{x:.1f}" for x in os.getloadavg())
        print(f"load average {load} on {os.cpu_count()} cpus (wall times suffer when busy)")
        ruleset = load_ruleset(root, build_engine=False).ruleset
        assert ruleset is not None
        print(f"{len(ruleset.intents)} intents, {len(ruleset.rules)} rules, "
              f"{len(ruleset.templates)} templates, {len(ruleset.tests)} test cases")  # fmt: skip
        _report(
            f"first load in a fresh process, {args.rounds} processes (target: total <= 1.0 s)",
            [_cold(root) for _ in range(args.rounds)],
        )
        _report(
            f"reload of the same revision in one process, {args.rounds} times (texts cached)",
            [_load(root) for _ in range(args.rounds)],
        )
        print("  (read is mostly git processes: their CPU time is not in the cpu column)")
        if args.engine:
            result = load_ruleset(root, build_engine=True, cache_dir=Path(tmp) / "cache")
            print(f"engine: {result.timings.get('engine', 0.0):.3f} s wall "
                  "(renderer + classifier training, apart from the target)")  # fmt: skip
            if result.ruleset is None:
                for problem in result.problems[:5]:
                    print(problem)
    return 0


if __name__ == "__main__":
    sys.exit(main())
