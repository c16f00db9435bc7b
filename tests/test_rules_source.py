"""Reading a revision: from git objects (never the working tree) or from a plain folder."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from repo_helpers import BASE, commit, edit, git, make_repo, write_files
from switchboard.rules import load_ruleset, load_source, open_source, source, source_from_files
from switchboard.rules.source import WORKTREE

BROKEN_QUEUE = edit("taxonomy/complaint.yaml", "queue: quality_claims", "queue: nowhere")


def test_reads_head_commit_not_the_working_tree(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "rules")
    write_files(repo, {"taxonomy/complaint.yaml": BROKEN_QUEUE["taxonomy/complaint.yaml"]})
    result = load_ruleset(repo, build_engine=False)
    assert result.ok, [str(p) for p in result.problems]
    assert result.revision == git(repo, "rev-parse", "HEAD")


def test_rev_picks_a_commit_branch_or_tag(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "rules")
    good = git(repo, "rev-parse", "HEAD")
    git(repo, "tag", "approved")
    bad = commit(repo, BROKEN_QUEUE)
    assert not load_ruleset(repo, build_engine=False).ok
    for rev in (good, "approved", "HEAD~1"):
        result = load_ruleset(repo, rev, build_engine=False)
        assert result.ok and result.revision == good
    assert load_ruleset(repo, "main", build_engine=False).revision == bad


def test_blob_shas_are_gits_own(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "rules")
    ruleset = load_ruleset(repo, build_engine=False).ruleset
    assert ruleset is not None
    info = {f.path: f for f in ruleset.files}
    assert set(info) == set(BASE)
    assert info["queues/order_desk.yaml"].blob_sha == git(
        repo, "rev-parse", "HEAD:queues/order_desk.yaml"
    )
    assert info["queues/order_desk.yaml"].kind == "queue"
    assert info["switchboard.yaml"].metadata.review_every_days == 90


def test_plain_folder_is_read_as_worktree_with_the_same_shas(tmp_path: Path) -> None:
    write_files(tmp_path, BASE)
    result = load_ruleset(tmp_path, build_engine=False)
    assert result.ok and result.revision == WORKTREE
    assert result.ruleset is not None
    expected = git(tmp_path.parent, "hash-object", str(tmp_path / "snippets/signature.yaml"))
    shas = {f.path: f.blob_sha for f in result.ruleset.files}
    assert shas["snippets/signature.yaml"] == expected


def test_bare_repository_is_read(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "rules")
    git(tmp_path, "clone", "-q", "--bare", str(repo), str(tmp_path / "mirror.git"))
    result = load_ruleset(tmp_path / "mirror.git", build_engine=False)
    assert result.ok and result.revision == git(repo, "rev-parse", "HEAD")


@pytest.mark.parametrize("rev", ["no-such-branch", "--output=/tmp/x", "HEAD~5"])
def test_unknown_revision_is_a_problem(tmp_path: Path, rev: str) -> None:
    repo = make_repo(tmp_path / "rules")
    result = load_ruleset(repo, rev, build_engine=False)
    assert [p.code for p in result.problems] == ["unknown_revision"]
    assert result.ruleset is None


def test_repository_without_commits(tmp_path: Path) -> None:
    git(tmp_path, "init", "-q")
    result = load_ruleset(tmp_path, build_engine=False)
    assert [p.code for p in result.problems] == ["unknown_revision"]
    assert "no commits" in result.problems[0].message


def test_rev_needs_a_git_repository(tmp_path: Path) -> None:
    write_files(tmp_path, BASE)
    assert [p.code for p in open_source(tmp_path, "main").problems] == ["not_a_repository"]


def test_missing_folder(tmp_path: Path) -> None:
    assert [p.code for p in open_source(tmp_path / "nothing").problems] == ["not_found"]


def test_too_many_files_are_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(source, "MAX_FILES", len(BASE) - 1)
    result = load_ruleset(make_repo(tmp_path / "rules"), build_engine=False)
    assert [p.code for p in result.problems if p.code == "too_many_files"] == ["too_many_files"]
    assert result.ruleset is None


def test_oversized_file_is_not_read_from_git(tmp_path: Path) -> None:
    big = BASE["snippets/signature.yaml"].replace("Kind regards", "x" * (300 * 1024))
    repo = make_repo(tmp_path / "rules", {**BASE, "snippets/signature.yaml": big})
    found = open_source(repo)
    assert [(p.file, p.code) for p in found.problems] == [
        ("snippets/signature.yaml", "file_too_large")
    ]
    assert "snippets/signature.yaml" not in {f.path for f in found.files}


def test_symbolic_links_are_never_followed(tmp_path: Path) -> None:
    outside = tmp_path / "secret.yaml"
    outside.write_text("id: secret\n")
    repo = make_repo(tmp_path / "rules")
    os.symlink(outside, repo / "snippets/secret.yaml")
    commit(repo, {})
    assert "snippets/secret.yaml" not in {f.path for f in open_source(repo).files}
    plain = tmp_path / "plain"
    write_files(plain, BASE)
    os.symlink(outside, plain / "snippets/secret.yaml")
    found = open_source(plain)
    assert "snippets/secret.yaml" not in {f.path for f in found.files}
    assert [p.code for p in found.problems] == ["symlink_ignored"]


def test_yaml_outside_known_folders_is_ignored_with_a_warning(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "rules", {**BASE, "notes/todo.yaml": "- a\n", ".ci/x.yaml": "a"})
    result = load_ruleset(repo, build_engine=False)
    assert result.ok
    assert [(p.file, p.code, p.severity) for p in result.problems] == [
        ("notes/todo.yaml", "unknown_file", "warning")
    ]


def test_files_in_memory_load_like_a_folder() -> None:
    files = {path: text.encode() for path, text in BASE.items()}
    result = load_source(source_from_files(files, revision="draft"), build_engine=False)
    assert result.ok and result.revision == "draft"
    broken = {**files, "queues/order_desk.yaml": b"id: [unclosed\n"}
    result = load_source(source_from_files(broken), build_engine=False)
    assert [(p.file, p.code) for p in result.errors] == [("queues/order_desk.yaml", "yaml_syntax")]


def test_git_variables_of_the_caller_do_not_redirect_reading(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    repo = make_repo(tmp_path / "rules")
    other = make_repo(tmp_path / "other", BROKEN_QUEUE)
    monkeypatch.setenv("GIT_DIR", str(other / ".git"))  # as inside a git hook of `other`
    result = load_ruleset(repo, build_engine=False)
    assert result.ok
