"""`switchboard validate`: exit status, output formats and `--rev`, through the real CLI."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from repo_helpers import commit, edit, git, line_of, make_repo
from switchboard.cli import main
from switchboard.resources import resource_dir

SWITCHBOARD = str(Path(sys.executable).parent / "switchboard")
BROKEN = edit("taxonomy/complaint.yaml", "queue: quality_claims", "queue: nowhere")
BROKEN_LINE = line_of(BROKEN["taxonomy/complaint.yaml"], "queue: nowhere")


def run(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [SWITCHBOARD, "validate", *args], capture_output=True, text=True, cwd=cwd, check=False
    )


def test_rev_validates_that_commit_not_head(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "rules")
    good = git(repo, "rev-parse", "HEAD")
    commit(repo, BROKEN, "Break the complaint queue")
    head = run(str(repo))
    assert head.returncode == 1
    assert head.stdout.splitlines()[0].startswith(
        f"taxonomy/complaint.yaml:{BROKEN_LINE}:1: unknown_queue: "
    )
    old = run(str(repo), "--rev", "HEAD~1")
    assert old.returncode == 0, old.stdout
    assert old.stdout.splitlines() == [old.stdout.strip()]  # one summary line
    assert good[:12] in old.stdout and "valid" in old.stdout and "3 inquiry types" in old.stdout


def test_broken_old_revision_and_good_head(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "rules", BROKEN)
    commit(repo, edit("taxonomy/complaint.yaml", "queue: nowhere", "queue: quality_claims", BROKEN))
    assert run(str(repo)).returncode == 0
    old = run(str(repo), "--rev", "HEAD~1")
    assert old.returncode == 1
    assert f"taxonomy/complaint.yaml:{BROKEN_LINE}:1: unknown_queue:" in old.stdout


def test_path_defaults_to_the_current_folder(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "rules")
    assert run(cwd=repo).returncode == 0


def test_json_format_lists_every_problem(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    files = edit("taxonomy/order_status.yaml", "queue: order_desk", "queue: desk", BROKEN)
    repo = make_repo(tmp_path / "rules", files)
    assert main(["validate", str(repo), "--format", "json"]) == 1
    problems = json.loads(capsys.readouterr().out)
    assert [(p["file"], p["code"], p["pointer"]) for p in problems] == [
        ("taxonomy/complaint.yaml", "unknown_queue", "/queue"),
        ("taxonomy/order_status.yaml", "unknown_queue", "/queue"),
    ]
    assert set(problems[0]) == {"file", "line", "column", "pointer", "code", "message", "severity"}


def test_json_format_of_a_valid_repository_is_an_empty_list(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    repo = make_repo(tmp_path / "rules")
    assert main(["validate", str(repo), "--format", "json"]) == 0
    assert json.loads(capsys.readouterr().out) == []


def test_unknown_revision_exits_1(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    repo = make_repo(tmp_path / "rules")
    assert main(["validate", str(repo), "--rev", "nope"]) == 1
    assert ".:1:1: unknown_revision:" in capsys.readouterr().out


def test_demo_rules_repository_is_valid(capsys: pytest.CaptureFixture[str]) -> None:
    status = main(["validate", str(resource_dir("rules-repo"))])
    assert status == 0, capsys.readouterr().out
