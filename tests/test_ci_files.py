"""The CI files offered to rules repositories (ci/, .pre-commit-hooks.yaml) run as written.

Each `switchboard ...` line of the GitHub and GitLab jobs is run in a real git copy of a
rules repository, with the CI variables they use set to the commit, and must pass; the
pre-commit hooks' `--worktree` must see an uncommitted breakage that the commit does not have.
"""

from __future__ import annotations

import os
import shlex
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from repo_helpers import BASE, git, make_repo

ROOT = Path(__file__).resolve().parent.parent
SWITCHBOARD = [sys.executable, "-m", "switchboard.cli"]


def _commands(lines: list[str], sha: str) -> list[list[str]]:
    found = []
    for line in lines:
        line = line.replace("$GITHUB_SHA", sha).replace("$CI_COMMIT_SHA", sha)
        words = shlex.split(line)
        if words and words[0] == "switchboard":
            found.append(words[1:])
    return found


def _github_steps() -> list[str]:
    workflow = yaml.safe_load((ROOT / "ci/github/switchboard-rules.yml").read_text())
    return [step["run"] for step in workflow["jobs"]["check"]["steps"] if "run" in step]


def _gitlab_script() -> list[str]:
    job = yaml.safe_load((ROOT / "ci/gitlab/switchboard-rules.gitlab-ci.yml").read_text())
    return list(job["switchboard-rules"]["script"])


def _run(args: list[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT / "server")}
    return subprocess.run(
        [*SWITCHBOARD, *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=300
    )


@pytest.fixture(scope="module")
def repo(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    root = make_repo(tmp_path_factory.mktemp("ci") / "rules", BASE)
    return root, git(root, "rev-parse", "HEAD").strip()


@pytest.mark.parametrize("source", [_github_steps, _gitlab_script], ids=["github", "gitlab"])
def test_the_ci_jobs_commands_pass_on_a_valid_commit(
    source: object, repo: tuple[Path, str]
) -> None:
    root, sha = repo
    commands = _commands(source(), sha)  # type: ignore[operator]
    assert [c[0] for c in commands] == ["validate", "test"]
    for args in commands:
        done = _run(args, root)
        assert done.returncode == 0, done.stdout + done.stderr
    assert " passed, 0 failed" in _run(commands[1], root).stdout


def test_the_pre_commit_hooks_check_the_working_files(repo: tuple[Path, str]) -> None:
    root, _ = repo
    hooks = {h["id"]: h for h in yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text())}
    validate = shlex.split(hooks["switchboard-validate"]["entry"])
    assert validate[:2] == ["switchboard", "validate"]
    queue = root / "queues" / "order_desk.yaml"
    original = queue.read_text()
    try:
        queue.write_text(original.replace("id: order_desk", "id: Order Desk"))
        worktree = _run(validate[1:], root)
        assert worktree.returncode == 1
        assert "queues/order_desk.yaml:" in worktree.stdout
        assert _run(["validate"], root).returncode == 0  # the commit itself is still valid
    finally:
        queue.write_text(original)
