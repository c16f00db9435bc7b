"""`switchboard reviews`: the table and JSON of files due, on the demo rules and a git repo."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from repo_helpers import BASE, commit, git, make_repo
from switchboard.cli import main

DEMO = Path(__file__).resolve().parent.parent / "rules-repo"


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(["reviews", *args])
    out = capsys.readouterr()
    return code, out.out, out.err


def as_json(capsys: pytest.CaptureFixture[str], *args: str) -> list[dict[str, Any]]:
    code, out, _ = run(capsys, *args, "--format", "json")
    assert code == 0
    items: list[dict[str, Any]] = json.loads(out)
    return items


def test_the_demo_rules_have_one_overdue_file_and_a_few_due_soon(
    capsys: pytest.CaptureFixture[str],
) -> None:
    items = as_json(capsys, str(DEMO), "--today", "2026-12-03")
    states = [item["state"] for item in items]
    assert states.count("overdue") == 1
    assert 2 <= states.count("due_soon") <= 8
    assert set(states) == {"overdue", "due_soon"}
    assert all(item["due"] <= "2026-12-17" for item in items)
    assert items[0]["state"] == "overdue"  # earliest first
    assert [item["due"] for item in items] == sorted(item["due"] for item in items)
    overdue = items[0]
    assert overdue["days_left"] < 0 and overdue["owner"].endswith("@nordwerk.example")


def test_the_text_table_lists_path_owner_due_date_state_and_reason(
    capsys: pytest.CaptureFixture[str],
) -> None:
    items = as_json(capsys, str(DEMO), "--today", "2026-12-03")
    code, out, _ = run(capsys, str(DEMO), "--today", "2026-12-03")
    assert code == 0
    lines = out.splitlines()
    assert lines[0].split() == ["path", "owner", "due", "state", "reason"]
    for item, line in zip(items, lines[1:], strict=False):
        assert line.split()[:4] == [item["path"], item["owner"], item["due"], item["state"]]
        assert line.endswith(item["reason"])
    assert lines[-1] == f"{len(items)} file(s) due by 2026-12-17, 1 overdue"


def test_due_within_and_all_widen_the_list(capsys: pytest.CaptureFixture[str]) -> None:
    two_weeks = as_json(capsys, str(DEMO), "--today", "2026-12-03")
    a_year = as_json(capsys, str(DEMO), "--today", "2026-12-03", "--due-within", "1y")
    everything = as_json(capsys, str(DEMO), "--today", "2026-12-03", "--all")
    assert len(two_weeks) < len(a_year) <= len(everything)
    assert {i["state"] for i in everything} >= {"ok", "due_soon", "overdue"}
    assert {i["state"] for i in a_year} == {"due_soon", "overdue"}


def test_a_git_repository_is_read_at_its_approved_branch(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    repo = make_repo(tmp_path / "rules")  # every file: 90d from 2026-09-15, due 2026-12-14
    git(repo, "checkout", "-q", "-b", "draft")
    draft = BASE["queues/order_desk.yaml"].replace(
        "last_reviewed: 2026-09-15", "last_reviewed: 2026-12-01"
    )
    commit(repo, {"queues/order_desk.yaml": draft}, "Draft: order desk reviewed")
    approved = as_json(capsys, str(repo), "--today", "2026-12-03")
    assert len(approved) == len(BASE)
    assert {i["due"] for i in approved} == {"2026-12-14"}
    on_draft = as_json(capsys, str(repo), "--today", "2026-12-03", "--rev", "draft")
    assert "queues/order_desk.yaml" not in {i["path"] for i in on_draft}
    assert len(on_draft) == len(BASE) - 1


def test_bad_input_gets_a_clear_message(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, str(tmp_path / "missing"))
    assert code == 1
    assert "There is no folder" in err and "does not load" in err
    with pytest.raises(SystemExit) as exited:
        main(["reviews", str(DEMO), "--due-within", "soon"])
    assert exited.value.code == 2
    assert "'soon' is not a period" in capsys.readouterr().err
