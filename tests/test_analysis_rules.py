"""Static analysis of small rules repositories, each committed to a real git repository.

Every case adds or changes a few files of `repo_helpers.BASE` (plus a VIP rule, so that the
guarantees hold to begin with) and states the findings and guarantee results it expects.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from repo_helpers import BASE, META, commit, line_of, make_repo
from switchboard.analysis.model import Analysis, Finding
from switchboard.analysis.repo import CannotAnalyze, analyze_repo

VIP_RULE = """  - id: key_customers
    when: {fact: customer.tier, op: in, value: [vip, key_account]}
    then: {action: route, queue: order_desk, priority: high, reason: key_account}
"""
AMOUNT = META + "id: amount\ntitle: Amount\ntype: money\n"
ASK = (
    META
    + """id: ask_reference
channels:
  email:
    en: {subject: "Your order number", body: "Which order do you mean?"}
  sms:
    en: {body: "Which order do you mean?"}
  chat:
    en: {body: "Which order do you mean?"}
  voice:
    en: {body: "Which order do you mean?"}
"""
)
BIG_COMPLAINTS = """  - id: big_complaints
    when:
      all:
        - {fact: intent, op: eq, value: complaint}
        - {fact: confidence, op: gte, value: 0.9}
    then: {action: route, queue: order_desk, reason: big}
"""
SAFETY_LAST = {
    "escalation/safety.yaml": BASE["escalation/safety.yaml"].replace(
        "precedence: 10", "precedence: 30"
    )
}


def rules_file(body: str, precedence: int = 20, set_id: str = "extra") -> str:
    return META + f"id: {set_id}\ntitle: Extra rules\nprecedence: {precedence}\nrules:\n" + body


def files(extra: str = "", vip: str = VIP_RULE, **more: str) -> dict[str, str]:
    """BASE with the VIP rule (precedence 15) and `extra` rules (precedence 20)."""
    found = {**BASE, "escalation/vip.yaml": rules_file(vip, 15, "vip"), **more}
    if extra:
        found["escalation/extra.yaml"] = rules_file(extra)
    return found


@dataclass
class Case:
    id: str
    files: dict[str, str]
    codes: dict[str, list[str]] = field(default_factory=dict)  # code -> rule ids, in order
    guarantees: dict[str, str] = field(default_factory=dict)  # class id -> status
    example: dict[str, Any] = field(default_factory=dict)  # facts one of the findings shows
    absent: tuple[str, ...] = ()  # codes (or code:rule) that must not be reported


CASES = [
    Case(
        "base_with_vip_rule_is_clean",
        files(),
        guarantees={"complaints": "proved", "key_customers": "proved"},
        absent=("shadowed_rule", "never_true", "never_fires", "contradictory_condition"),
    ),
    Case(
        "rule_behind_a_wider_earlier_rule_is_shadowed",
        files(
            """  - id: lawyer_to_desk
    when: {fact: text, op: contains_any, value: [Lawyer]}
    then: {action: route, queue: order_desk, reason: lawyer}
""",
        ),
        # legal_threat (precedence 10) matches every text with "lawyer", and comes first
        codes={"shadowed_rule": ["lawyer_to_desk", "legal_threat"]},
    ),
    Case(
        "narrower_rule_after_a_wider_one_is_shadowed",
        files(BIG_COMPLAINTS),
        codes={"shadowed_rule": ["big_complaints", "complaints_to_claims"]},
        absent=("overlap:big_complaints",),
    ),
    Case(
        "narrower_rule_first_is_not_shadowed_but_overlaps",
        files(BIG_COMPLAINTS, **SAFETY_LAST),
        absent=("shadowed_rule",),
        codes={"overlap": ["big_complaints", "complaints_to_claims"]},
        example={"intent": "complaint", "confidence": 0.9},
    ),
    Case(
        "overlap_of_two_queues_shows_an_example",
        files(
            """  - id: unsure_complaints
    when:
      all:
        - {fact: intent, op: eq, value: complaint}
        - {fact: confidence, op: lt, value: 0.8}
    then: {action: route, queue: order_desk, reason: unsure}
""",
            **SAFETY_LAST,
        ),
        codes={"overlap": ["unsure_complaints", "complaints_to_claims"]},
        example={"intent": "complaint", "confidence": 0.5},
    ),
    Case(
        "contradiction_is_never_true",
        files(
            """  - id: impossible_amount
    when:
      all:
        - {fact: entities.amount, op: gt, value: 5000}
        - {fact: entities.amount, op: lt, value: 1000}
    then: {action: route, queue: quality_claims, reason: odd}
""",
            **{"entities/amount.yaml": AMOUNT},
        ),
        codes={"never_true": ["impossible_amount"]},
    ),
    Case(
        "dead_branch_of_an_any_is_reported",
        files(
            """  - id: odd_branch
    when:
      any:
        - {fact: intent, op: eq, value: complaint}
        - all:
            - {fact: customer.tier, op: eq, value: vip}
            - {fact: customer.tier, op: eq, value: standard}
    then: {action: route, queue: quality_claims, reason: odd}
""",
        ),
        codes={"contradictory_condition": ["odd_branch"]},
        absent=("never_true",),
    ),
    Case(
        "data_never_fetched_for_a_non_routine_type",
        files(
            """  - id: shipped_complaint
    when:
      all:
        - {fact: intent, op: eq, value: complaint}
        - {fact: data.order.status, op: eq, value: shipped}
    then: {action: route, queue: quality_claims, reason: shipped_complaint}
""",
        ),
        codes={"never_fires": ["shipped_complaint"]},
        absent=("never_true",),
    ),
    Case(
        "clarify_rule_for_a_non_routine_type_never_asks",
        files(
            """  - id: ask_complainer
    when: {fact: intent, op: eq, value: complaint}
    then: {action: clarify, template: ask_reference, reason: ask}
""",
            **{"templates/ask_reference.yaml": ASK},
        ),
        codes={"shadowed_rule": ["ask_complainer"]},
    ),
    Case(
        "vip_rule_switched_off_fails_the_guarantee",
        files(vip=VIP_RULE + "    enabled: false\n"),
        codes={"rule_disabled": ["key_customers"], "guarantee_failed": ["key_customers"]},
        guarantees={"key_customers": "failed", "complaints": "proved"},
        example={"intent": "order_status"},
    ),
    Case(
        "vip_rule_narrowed_to_vip_leaves_key_accounts_uncovered",
        files(vip=VIP_RULE.replace("op: in, value: [vip, key_account]", "op: eq, value: vip")),
        codes={"guarantee_failed": ["key_customers"]},
        guarantees={"key_customers": "failed"},
        example={"customer.tier": "key_account", "intent": "order_status"},
    ),
    Case(
        "vip_rule_split_in_two_still_holds",
        files(
            vip=VIP_RULE.replace("op: in, value: [vip, key_account]", "op: eq, value: vip")
            + VIP_RULE.replace("key_customers", "key_accounts_too").replace(
                "op: in, value: [vip, key_account]", "op: ne, value: standard"
            )
        ),
        guarantees={"key_customers": "proved"},
        absent=("guarantee_failed",),
    ),
    Case(
        "vip_rule_limited_by_a_text_test_is_not_a_proof",
        files(
            vip="""  - id: key_customers
    when:
      all:
        - {fact: customer.tier, op: in, value: [vip, key_account]}
        - {fact: text, op: matches, value: '.'}
    then: {action: route, queue: order_desk, reason: key_account}
"""
        ),
        guarantees={"key_customers": "failed"},
    ),
    Case(
        "routine_complaints_fail_when_no_rule_covers_them",
        files(
            vip=VIP_RULE,
            **{
                "taxonomy/complaint.yaml": BASE["taxonomy/order_status.yaml"]
                .replace("id: order_status", "id: complaint")
                .replace("Where is my order", "My pump broke, order")
                .replace("Status of order", "Complaint about order"),
                "escalation/safety.yaml": BASE["escalation/safety.yaml"].replace(
                    "[complaint]", "[out_of_scope]"
                ),
            },
        ),
        guarantees={"complaints": "failed"},
        codes={"guarantee_failed": ["complaints"]},
        example={"intent": "complaint"},
    ),
]


def too_complex_vip_rule() -> str:
    """A VIP rule that covers every key account, but only in its last branch: before the
    proof gets there, the earlier branches multiply into 2**15 cases."""
    branches = "".join(
        f"""            - all:
                - {{fact: customer.tier, op: in, value: [vip, key_account]}}
                - {{fact: text, op: matches, value: 'a{n}'}}
                - {{fact: text, op: matches, value: 'b{n}'}}
"""
        for n in range(15)
    )
    return f"""  - id: key_customers
    when:
      any:
        - {{fact: customer.tier, op: eq, value: vip}}
        - any:
{branches}            - {{fact: customer.tier, op: eq, value: key_account}}
    then: {{action: route, queue: order_desk, reason: key_account}}
"""


CASES.append(
    Case(
        "too_complex_is_reported_not_guessed",
        files(vip=too_complex_vip_rule()),
        guarantees={"key_customers": "too_complex"},
        codes={"guarantee_too_complex": ["key_customers"]},
        absent=("guarantee_failed",),
    )
)


def _codes(report: Analysis, code: str) -> list[Finding]:
    return [f for f in report.findings if f.code == code]


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_analysis(case: Case, tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "rules", case.files)
    report = analyze_repo(repo)
    examples = []
    for code, rules in case.codes.items():
        found = [f for f in _codes(report, code) if f.rules == rules]
        assert found, f"no {code} for {rules} in {[(f.code, f.rules) for f in report.findings]}"
        examples += [f.example for f in found if f.example is not None]
    if case.example:
        wanted = case.example.items()
        assert any(wanted <= example.items() for example in examples), examples
    statuses = {g.id: g.status for g in report.guarantees}
    for class_id, status in case.guarantees.items():
        assert statuses.get(class_id) == status, report.guarantees
    for entry in case.absent:
        code, _, rule = entry.partition(":")
        found = [f for f in _codes(report, code) if not rule or rule in f.rules]
        assert not found, found


def test_findings_point_at_file_and_line(tmp_path: Path) -> None:
    extra = """  - id: impossible_amount
    when:
      all:
        - {fact: entities.amount, op: gt, value: 5000}
        - {fact: entities.amount, op: lt, value: 1000}
    then: {action: route, queue: quality_claims, reason: odd}
"""
    repo = make_repo(tmp_path / "rules", files(extra, **{"entities/amount.yaml": AMOUNT}))
    (finding,) = _codes(analyze_repo(repo), "never_true")
    text = rules_file(extra)
    assert str(finding.places[0]) == f"escalation/extra.yaml:{line_of(text, '- id: imposs')}"
    assert f"line {line_of(text, 'op: gt')}" in finding.message
    assert f"line {line_of(text, 'op: lt')}" in finding.message
    assert finding.severity == "error"


def test_shadowed_route_rule_says_it_still_records_its_reason(tmp_path: Path) -> None:
    extra = """  - id: lawyer_to_desk
    when: {fact: text, op: contains_any, value: [lawyer]}
    then: {action: route, queue: order_desk, reason: lawyer}
"""
    repo = make_repo(tmp_path / "rules", files(extra))
    (finding,) = _codes(analyze_repo(repo), "shadowed_rule")
    assert "never choose the queue" in finding.message
    assert "still adds its reason `lawyer`" in finding.message


def test_switched_off_rule_is_named_in_the_failed_guarantee(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "rules", files(vip=VIP_RULE + "    enabled: false\n"))
    (guarantee,) = [g for g in analyze_repo(repo).guarantees if g.id == "key_customers"]
    assert "`key_customers` would cover it but is switched off" in guarantee.message
    assert guarantee.example is not None
    assert guarantee.example["customer.tier"] in ("vip", "key_account")


def test_against_marks_only_what_the_change_brought(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "rules", files())
    before = commit(repo, {}, "nothing yet")
    extra = """  - id: lawyer_to_desk
    when: {fact: text, op: contains_any, value: [lawyer]}
    then: {action: route, queue: order_desk, reason: lawyer}
"""
    commit(repo, {"escalation/extra.yaml": rules_file(extra)}, "Add a rule")
    report = analyze_repo(repo, against=before)
    assert report.base_revision == before
    new = [f.code for f in report.findings if f.new]
    assert "shadowed_rule" in new
    old = analyze_repo(repo, before, against=before)
    assert not any(f.new for f in old.findings)


def test_a_protected_type_made_routine_fails_against_its_base(tmp_path: Path) -> None:
    """Against the revision where `complaint` was not routine, making it routine (with a rule
    that no longer covers it) fails the guarantee, even under another protected list."""
    from switchboard.analysis.protection import Protection

    repo = make_repo(tmp_path / "rules", files())
    before = commit(repo, {}, "base")
    routine = (
        BASE["taxonomy/order_status.yaml"]
        .replace("id: order_status", "id: complaint")
        .replace("Where is my order", "My pump broke, order")
        .replace("Status of order", "Complaint about order")
    )
    safety = BASE["escalation/safety.yaml"].replace("[complaint]", "[out_of_scope]")
    commit(repo, {"taxonomy/complaint.yaml": routine, "escalation/safety.yaml": safety})
    nothing_named = Protection(complaint_intents=())
    alone = analyze_repo(repo, protection=nothing_named)
    assert "complaints" not in {g.id for g in alone.guarantees if g.status == "failed"}
    compared = analyze_repo(repo, against=before, protection=nothing_named)
    (failed,) = [g for g in compared.guarantees if g.id == "complaints"]
    assert failed.status == "failed"
    assert failed.example is not None and failed.example["intent"] == "complaint"


def test_a_broken_revision_cannot_be_analysed(tmp_path: Path) -> None:
    broken = {
        **files(),
        "escalation/vip.yaml": rules_file(
            VIP_RULE.replace("queue: order_desk", "queue: nowhere"), 15, "vip"
        ),
    }
    repo = make_repo(tmp_path / "rules", broken)
    with pytest.raises(CannotAnalyze) as caught:
        analyze_repo(repo)
    assert any(p.code == "unknown_queue" for p in caught.value.problems)


def test_the_demo_repository_keeps_every_guarantee() -> None:
    demo = Path(__file__).resolve().parent.parent / "rules-repo"
    report = analyze_repo(demo)
    assert {g.id: g.status for g in report.guarantees} == {
        "complaints": "proved",
        "large_claims": "proved",
        "key_customers": "proved",
    }
    assert report.count("error") == 0, [f.message for f in report.findings if f.severity == "error"]
    (vip,) = [g for g in report.guarantees if g.id == "key_customers"]
    assert "key_account_customer" in vip.covered_by
