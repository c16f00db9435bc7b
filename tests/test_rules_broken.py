"""Broken rules repositories, each a real git repository: every problem is found exactly where
it is, with its code, and no ruleset is built."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest

from repo_helpers import BASE, META, edit, line_of, make_repo
from switchboard.rules import load_ruleset


@dataclass(frozen=True)
class Broken:
    name: str
    files: dict[str, str | bytes | None]
    file: str
    needle: str | None  # text on the expected line (None: line 1)
    code: str


def broken(
    name: str, path: str, old: str, new: str, code: str, needle: str | None = "", at: str = ""
) -> Broken:
    """`old` becomes `new` in `path`; the problem is in `at` (default: the same file) on the
    line holding `needle` (default: `new`)."""
    return Broken(name, edit(path, old, new), at or path, new if needle == "" else needle, code)


def added(name: str, path: str, text: str, code: str, needle: str | None) -> Broken:
    return Broken(name, {**BASE, path: text}, path, needle, code)


BOMB = (
    META
    + 'id: bomb\ntext:\n  a: &a ["lol", "lol", "lol", "lol"]\n'
    + "".join(
        f"  {chr(98 + i)}: &{chr(98 + i)} [*{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}]\n"
        for i in range(8)
    )
)
ORDER = "taxonomy/order_status.yaml"
SAFETY = "escalation/safety.yaml"
TEMPLATE = "templates/order_status.yaml"
ERP = "connectors/erp.yaml"
ROUTE_TO_CLAIMS = "      action: route\n      queue: quality_claims\n      reason: complaint"

CASES = [
    broken(
        "missing required field",
        "taxonomy/complaint.yaml",
        "queue: quality_claims\n",
        "",
        "missing_field",
        None,
    ),
    broken(
        "unknown key",
        ORDER,
        "routine: true\n",
        "routine: true\ncolour: blue\n",
        "unknown_field",
        "colour: blue",
    ),
    broken(
        "wrong type",
        "switchboard.yaml",
        "confidence_floor: 0.6",
        "confidence_floor: high",
        "wrong_type",
    ),
    broken(
        "wrong enum value",
        "taxonomy/complaint.yaml",
        "priority: high",
        "priority: medium",
        "not_allowed",
    ),
    broken(
        "bad format",
        "queues/order_desk.yaml",
        "review_every: 90d",
        "review_every: 90 days",
        "bad_format",
    ),
    broken(
        "unknown fact", SAFETY, "{fact: intent, op: in", "{fact: intnet, op: in", "unknown_fact"
    ),
    broken(
        "operator does not fit the type",
        SAFETY,
        "{fact: confidence, op: gte, value: 0.5}",
        "{fact: confidence, op: contains_any, value: [high]}",
        "operator_type",
    ),
    broken(
        "number fact compared with text",
        SAFETY,
        "{fact: confidence, op: gte, value: 0.5}",
        "{fact: confidence, op: gte, value: '0.5'}",
        "value_type",
    ),
    broken(
        "intent that does not exist",
        SAFETY,
        "value: [complaint]",
        "value: [complaints]",
        "value_not_allowed",
    ),
    broken(
        "dangling template",
        ORDER,
        "  template: order_status",
        "  template: order_state",
        "unknown_template",
    ),
    broken(
        "dangling queue",
        "taxonomy/complaint.yaml",
        "queue: quality_claims",
        "queue: quality",
        "unknown_queue",
    ),
    broken(
        "dangling snippet",
        TEMPLATE,
        "snippet('signature')",
        "snippet('signatur')",
        "unknown_snippet",
        "      body: |",
    ),
    broken(
        "dangling connector",
        ORDER,
        "{connector: erp, query: order_by_reference",
        "{connector: crm, query: order_by_reference",
        "unknown_connector",
    ),
    broken(
        "dangling query", ORDER, "query: order_by_reference", "query: order_by_ref", "unknown_query"
    ),
    broken(
        "dangling queue in a rule",
        SAFETY,
        ROUTE_TO_CLAIMS,
        "      action: route\n      queue: claims\n      reason: complaint",
        "unknown_queue",
        "      queue: claims",
    ),
    added(
        "duplicate id",
        "queues/order_desk_copy.yaml",
        BASE["queues/order_desk.yaml"],
        "duplicate_id",
        "id: order_desk",
    ),
    broken(
        "duplicate rule id",
        SAFETY,
        "  - id: complaints_to_claims",
        "  - id: legal_threat",
        "duplicate_id",
        "  - id: legal_threat\n    when:\n      all:",
    ),
    broken(
        "duplicate YAML key",
        "taxonomy/complaint.yaml",
        "routine: false\n",
        "routine: false\ntitle: Complaints\n",
        "duplicate_key",
        "title: Complaints",
    ),
    broken(
        "invalid regex",
        SAFETY,
        r"value: 'legal\s+action'",
        r"value: 'legal(\s+action'",
        "regex_invalid",
    ),
    broken(
        "back-reference regex",
        SAFETY,
        r"value: 'legal\s+action'",
        r"value: '(\w+)\s+\1'",
        "regex_unsupported",
    ),
    broken(
        "look-ahead in an entity pattern",
        "entities/order_number.yaml",
        r"regex: '\bSO[\s-]?(\d{7})\b'",
        r"regex: '\bSO(?=\d)[\s-]?(\d{7})\b'",
        "regex_unsupported",
    ),
    added("alias bomb", "snippets/bomb.yaml", BOMB, "yaml_alias", '  a: &a ["lol"'),
    added(
        "oversized file",
        "snippets/big.yaml",
        META + 'id: big\ntext:\n  en: "' + "x" * 300_000 + '"\n',
        "file_too_large",
        None,
    ),
    broken("missing metadata", "queues/quality_claims.yaml", META, "", "missing_field", None),
    broken(
        "routine intent without an answer",
        ORDER,
        "answer:\n  template: order_status\n  lookups:\n"
        "    - {connector: erp, query: order_by_reference, as: order}\n",
        "",
        "missing_answer",
        "routine: true",
    ),
    broken(
        "template variable nobody provides",
        TEMPLATE,
        'voice:\n    en: {body: "Your order is {{ order.status }}."}',
        'voice:\n    en: {body: "Your invoice is {{ invoice.amount }}."}',
        "template_variable",
        '    en: {body: "Your invoice',
    ),
    broken(
        "field the lookup does not return",
        TEMPLATE,
        'chat:\n    en: {body: "Your order {{ order.order_no }} is',
        'chat:\n    en: {body: "Your order {{ order.colour }} is',
        "template_variable",
        '    en: {body: "Your order {{ order.colour',
    ),
    broken(
        "unsafe template",
        TEMPLATE,
        "Your order is {{ order.status }}.",
        "Your order is {{ order.status.__class__ }}.",
        "template_unsafe",
        '    en: {body: "Your order is',
    ),
    broken(
        "template syntax error",
        TEMPLATE,
        "Your order is {{ order.status }}.",
        "Your order is {{ order.status .",
        "template_syntax",
        '    en: {body: "Your order is',
    ),
    broken(
        "template misses a channel",
        TEMPLATE,
        '  voice:\n    en: {body: "Your order is {{ order.status }}."}\n',
        "",
        "template_incomplete",
        "channels:",
    ),
    broken(
        "route rule without queue",
        SAFETY,
        ROUTE_TO_CLAIMS,
        "      action: route\n      reason: complaint",
        "route_without_queue",
        "    then:\n      action: route\n      reason: complaint",
    ),
    broken(
        "clarify rule without template",
        SAFETY,
        ROUTE_TO_CLAIMS,
        "      action: clarify\n      reason: complaint",
        "clarify_without_template",
        "    then:\n      action: clarify",
    ),
    added(
        "duplicate precedence",
        "escalation/urgent.yaml",
        BASE[SAFETY]
        .replace("id: safety", "id: other")
        .replace("legal_threat", "legal_two")
        .replace("complaints_to_claims", "claims_two"),
        "duplicate_precedence",
        "precedence: 10",
    ),
    broken(
        "second out-of-scope intent",
        "taxonomy/complaint.yaml",
        "routine: false\n",
        "routine: false\nout_of_scope: true\n",
        "out_of_scope_duplicate",
        "out_of_scope: true",
        at="taxonomy/out_of_scope.yaml",
    ),
    broken(
        "test expects an unknown intent",
        "tests/basics.yaml",
        "      outcome: route\n",
        "      outcome: route\n      intent: order_statuss\n",
        "unknown_intent",
        "      intent: order_statuss",
    ),
    broken(
        "answer data without owner check",
        ERP,
        "    owner_field: customer_id\n",
        "",
        "lookup_without_owner",
        "    - {connector: erp",
        at=ORDER,
    ),
    broken(
        "impossible date",
        "queues/order_desk.yaml",
        "last_reviewed: 2026-09-15",
        "last_reviewed: 2026-02-30",
        "bad_date",
    ),
    broken(
        "unknown time zone",
        "switchboard.yaml",
        "time_zone: Europe/Berlin",
        "time_zone: Europe/Springfield",
        "unknown_time_zone",
    ),
    broken(
        "YAML syntax error",
        "queues/order_desk.yaml",
        "contact: {email: orders@nordwerk.example}",
        "contact: {email: orders@nordwerk.example",
        "yaml_syntax",
        "business_hours:",
    ),
    broken(
        "custom YAML tag",
        "snippets/signature.yaml",
        'en: "Kind regards, the order desk"',
        "en: !!python/object:os.system ls",
        "yaml_tag",
    ),
    broken(
        "query input not declared",
        ERP,
        "WHERE order_no = :order_number",
        "WHERE order_no = :order_number OR po_number = :po_number",
        "unknown_param",
        "    sql: SELECT order_no",
    ),
    broken(
        "write statement as a query",
        ERP,
        "SELECT customer_id, name FROM customers WHERE email = :email",
        "DELETE FROM customers WHERE email = :email",
        "sql_not_select",
    ),
]


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_broken_repository_is_refused_with_the_exact_problem(case: Broken, tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "rules", case.files)
    result = load_ruleset(repo, build_engine=False)
    text = case.files[case.file]
    assert isinstance(text, str)
    line = 1 if case.needle is None else line_of(text, case.needle)
    found = [(p.file, p.line, p.code) for p in result.errors]
    assert found == [(case.file, line, case.code)], [str(p) for p in result.errors]
    assert result.ruleset is None
    assert result.errors[0].message  # a sentence for people, never empty


def test_at_least_25_broken_repositories() -> None:
    assert len(CASES) >= 25
    assert len({c.name for c in CASES}) == len(CASES)


def test_many_problems_are_all_reported_at_once(tmp_path: Path) -> None:
    files = edit("taxonomy/complaint.yaml", "queue: quality_claims", "queue: nowhere")
    files = edit(SAFETY, "{fact: intent, op: in", "{fact: intnet, op: in", files)
    files = edit(TEMPLATE, "snippet('signature')", "snippet('nothing')", files)
    result = load_ruleset(make_repo(tmp_path / "rules", files), build_engine=False)
    assert sorted(p.code for p in result.errors) == [
        "unknown_fact",
        "unknown_queue",
        "unknown_snippet",
    ]
