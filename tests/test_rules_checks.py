"""Checks that need several files to go wrong together, and the warnings."""

from __future__ import annotations

from pathlib import Path

import pytest

from repo_helpers import BASE, META, edit, make_repo
from switchboard.rules import load_ruleset

ORDER = "taxonomy/order_status.yaml"
TEMPLATE = "templates/order_status.yaml"
CLARIFY_RULE = """  - id: ask_for_reference
    when: {fact: entities.order_number, op: exists, value: false}
    then: {action: clarify, template: order_status, reason: missing_reference}
"""
INVOICE_INTENT = (
    META
    + """id: invoice
title: Invoice
routine: true
queue: order_desk
answer:
  template: order_status
  lookups:
    - {connector: erp, query: invoice_by_number, as: order}
examples:
  en: ["Send me invoice INV26004512"]
"""
)
INVOICE_QUERY = """  invoice_by_number:
    params: [order_number]
    sql: SELECT amount, customer_id FROM invoices WHERE invoice_no = :order_number
    owner_field: customer_id
    fields:
      status: {type: number}
      customer_id: {type: string}
"""
GREETING = META + 'id: greeting\ntext:\n  en: "Dear {{ customer.name }},"\n'


def with_german(files: dict[str, str]) -> dict[str, str]:
    """Locales [en, de] with every template text also in German."""
    files = edit("switchboard.yaml", "locales: [en]", "locales: [en, de]", files)
    text = files[TEMPLATE]
    for channel in ("sms", "chat", "voice"):
        head = f"  {channel}:\n    en: "
        start = text.index(head) + len(head)
        body = text[start : text.index("\n", start)]
        text = text.replace(head + body, head + body + "\n    de: " + body)
    email = text[text.index("    en:\n      subject") : text.index("  sms:")]
    text = text.replace(email, email + email.replace("    en:", "    de:"))
    files[TEMPLATE] = text
    files["taxonomy/order_status.yaml"] = files[ORDER]
    return files


CASES: list[tuple[str, dict[str, str | bytes | None], list[tuple[str, str, str]]]] = [
    ("clarify text cannot read lookup data",
     edit("escalation/safety.yaml", "rules:\n", "rules:\n" + CLARIFY_RULE),
     [(TEMPLATE, "template_variable", "error")] * 5),
    ("text shared by an intent that lacks a field",
     {**edit("connectors/erp.yaml", "queries:\n", "queries:\n" + INVOICE_QUERY),
      "taxonomy/invoice.yaml": INVOICE_INTENT},
     [("taxonomy/order_status.yaml", "fact_type_conflict", "error")]
     + [(TEMPLATE, "template_variable", "error")] * 4),
    ("snippet variables count for the texts using them",
     {**edit(TEMPLATE, "snippet('signature')", "snippet('greeting')"),
      "snippets/greeting.yaml": GREETING.replace("customer.name", "customer.phone")},
     [(TEMPLATE, "template_variable", "error")]),
    ("snippets including each other",
     {**BASE,
      "snippets/signature.yaml": META + "id: signature\ntext:\n  en: \"{{ snippet('a') }}\"\n",
      "snippets/a.yaml": META + "id: a\ntext:\n  en: \"{{ snippet('signature') }}\"\n"},
     [("snippets/a.yaml", "snippet_cycle", "error"),
      ("snippets/signature.yaml", "snippet_cycle", "error")]),
    ("snippet missing a language", with_german(dict(BASE)),
     [(TEMPLATE, "snippet_locale_missing", "error")]),
    ("unused template and unbound query input",
     {**edit(ORDER, "as: order}", "as: order, params: {}}",
             edit("connectors/erp.yaml", "WHERE order_no = :order_number",
                  "WHERE order_no = :order_number OR po_number = :po_number",
                  edit("connectors/erp.yaml", "params: [order_number]",
                       "params: [order_number, po_number]"))),
      "templates/spare.yaml": BASE[TEMPLATE].replace("id: order_status", "id: spare")},
     [(ORDER, "param_unbound", "warning"), ("templates/spare.yaml", "unused_template", "warning")]),
    ("declared field values are checked in rules",
     edit("escalation/safety.yaml", "{fact: confidence, op: gte, value: 0.5}",
          "{fact: data.order.status, op: in, value: [shiped]}",
          edit("connectors/erp.yaml", "      status: {type: string}",
               "      status: {type: string, values: [open, shipped]}")),
     [("escalation/safety.yaml", "value_not_allowed", "error")]),
    ("test data must match the query",
     edit("tests/basics.yaml", "status: shipped,", "colour: red,"),
     [("tests/basics.yaml", "unknown_field", "error")]),
    ("test data error kinds are fixed",
     edit("tests/basics.yaml",
          "{order_no: SO4500123, status: shipped, customer_id: C10023}", "{error: boom}"),
     [("tests/basics.yaml", "not_allowed", "error")]),
    ("two test cases with one name",
     edit("tests/basics.yaml", "cases:\n",
          "cases:\n  - id: lawyer_goes_to_claims\n    inquiry: {channel: sms, text: Hi}\n"
          "    expect: {outcome: route}\n"),
     [("tests/basics.yaml", "duplicate_id", "error")]),
    ("no out-of-scope intent", {**BASE, "taxonomy/out_of_scope.yaml": None},
     [("taxonomy/", "out_of_scope_missing", "error")]),
    ("reserved entity name and bad capture group",
     edit("entities/order_number.yaml", "value: 'SO{1}'", "value: 'SO{2}'",
          {**BASE, "entities/currency.yaml": META + "id: currency\ntitle: C\ntype: money\n"}),
     [("entities/currency.yaml", "reserved_id", "error"),
      ("entities/order_number.yaml", "bad_group", "error")]),
    ("also_answers names unknown, itself and a type that is not routine",
     edit(ORDER, "routine: true\n",
          "routine: true\nalso_answers: [order_staus, order_status, complaint]\n"),
     [(ORDER, "unknown_intent", "error"), (ORDER, "invalid_also_answers", "error"),
      (ORDER, "invalid_also_answers", "error")]),
    ("also_answers on a type that is not routine",
     edit("taxonomy/complaint.yaml", "routine: false\n",
          "routine: false\nalso_answers: [order_status]\n"),
     [("taxonomy/complaint.yaml", "invalid_also_answers", "error")]),
    ("two types that answer each other",
     {**edit(ORDER, "routine: true\n", "routine: true\nalso_answers: [shipment]\n"),
      "taxonomy/shipment.yaml": BASE[ORDER].replace("id: order_status", "id: shipment").replace(
          "routine: true\n", "routine: true\nalso_answers: [order_status]\n")},
     [(ORDER, "invalid_also_answers", "error"),
      ("taxonomy/shipment.yaml", "invalid_also_answers", "error")]),
    ("impossible opening hours", edit("switchboard.yaml", '"07:30-15:00"', '"15:00-07:30"'),
     [("switchboard.yaml", "bad_hours", "error")]),
    ("default language not among the languages",
     edit("switchboard.yaml", "default_locale: en", "default_locale: de"),
     [("switchboard.yaml", "unknown_locale", "error")]),
]  # fmt: skip


@pytest.mark.parametrize(("name", "files", "expected"), CASES, ids=[c[0] for c in CASES])
def test_problems_across_files(
    name: str, files: dict[str, str | bytes | None], expected: list[tuple[str, str, str]],
    tmp_path: Path,
) -> None:  # fmt: skip
    result = load_ruleset(make_repo(tmp_path / "rules", files), build_engine=False)
    assert [(p.file, p.code, p.severity) for p in result.problems] == expected, [
        str(p) for p in result.problems
    ]
    assert (result.ruleset is None) == any(s == "error" for _, _, s in expected)


def test_template_variable_message_names_who_lacks_it(tmp_path: Path) -> None:
    files = edit("escalation/safety.yaml", "rules:\n", "rules:\n" + CLARIFY_RULE)
    result = load_ruleset(make_repo(tmp_path / "rules", files), build_engine=False)
    message = result.problems[0].message
    assert "`{{ order.order_no }}` for rule `ask_for_reference`" in message
    assert "`{{ order.order_no }}`, `{{ order.status }}` for rule" in result.problems[1].message
