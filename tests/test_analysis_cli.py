"""`switchboard analyze`: text and JSON reports, exit codes, options, comparing revisions."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from repo_helpers import commit, git, make_repo
from switchboard import cli
from test_analysis_rules import VIP_RULE, files, rules_file

DEMO = Path(__file__).resolve().parent.parent / "rules-repo"
ONLY_VIP = VIP_RULE.replace("op: in, value: [vip, key_account]", "op: eq, value: vip")


def test_demo_repository_proves_every_guarantee(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["analyze", str(DEMO)]) == 0
    out = capsys.readouterr().out
    assert out.count("PROVED") == 3
    assert "Findings: 0 error(s)" in out
    assert cli.main(["analyze", str(DEMO), "--format", "json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert [g["status"] for g in report["guarantees"]] == ["proved"] * 3
    overlaps = [f for f in report["findings"] if f["code"] == "overlap"]
    assert overlaps and all(f["example"] and len(f["rules"]) == 2 for f in overlaps)
    assert all(f["places"][0]["file"].startswith("escalation/") for f in overlaps)


def test_a_failed_guarantee_exits_1_with_an_example(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    repo = make_repo(tmp_path / "rules", files(vip=ONLY_VIP))
    assert cli.main(["analyze", str(repo)]) == 1
    out = capsys.readouterr().out
    assert "FAILED" in out and "customer.tier = key_account" in out
    assert "guarantee_failed" in out
    # the same rules pass when only VIP customers are promised a person
    assert cli.main(["analyze", str(repo), "--protect-tier", "vip"]) == 0
    capsys.readouterr()


def test_against_marks_new_findings(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    repo = make_repo(tmp_path / "rules", files())
    before = git(repo, "rev-parse", "HEAD")
    off = rules_file(VIP_RULE + "    enabled: false\n", 15, "vip")
    after = commit(repo, {"escalation/vip.yaml": off}, "VIP rule off")
    assert cli.main(["analyze", str(repo), "--rev", after, "--against", before]) == 1
    out = capsys.readouterr().out
    assert "warning NEW rule_disabled" in out
    assert cli.main(["analyze", str(repo), "--rev", before, "--format", "json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["revision"] == before
    assert not any(f.get("new") for f in report["findings"])


def test_a_revision_that_does_not_load_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    broken = files(vip=VIP_RULE.replace("queue: order_desk", "queue: nowhere"))
    repo = make_repo(tmp_path / "rules", broken)
    assert cli.main(["analyze", str(repo)]) == 1
    err = capsys.readouterr().err
    assert "unknown_queue" in err and "does not load" in err
