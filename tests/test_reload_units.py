"""The reloader's parts on their own: reading the ref, what a build reuses, rollback refusals."""

from __future__ import annotations

from pathlib import Path

import pytest

from repo_helpers import BASE, edit, git, make_repo
from switchboard.proposals.gitcmd import Git
from switchboard.rules import load_ruleset
from switchboard.rules.model import Ruleset
from switchboard.runtime._engine import MemoClassifier, build_parts
from switchboard.runtime._gitref import RefError, RefWatcher, follow_target
from switchboard.runtime.reloader import RollbackError, roll_back
from test_reload_support import marked, plumb_commit


def test_ref_watcher_follows_loose_and_packed_refs(tmp_path: Path) -> None:
    root = make_repo(tmp_path / "rules")
    first = git(root, "rev-parse", "main")
    watcher = RefWatcher(root, "refs/heads/main")
    assert watcher.read() == first
    second = plumb_commit(root, marked(1))
    assert watcher.read() == second
    git(root, "pack-refs", "--all")  # the loose file goes away, packed-refs changes
    assert watcher.read() == second
    third = plumb_commit(root, marked(2))
    assert watcher.read() == third
    git(root, "update-ref", "-d", "refs/heads/main")
    with pytest.raises(RefError, match="refs/heads/main"):
        watcher.read()


def test_ref_watcher_refuses_a_folder(tmp_path: Path) -> None:
    with pytest.raises(RefError, match="not a git repository"):
        RefWatcher(tmp_path, "refs/heads/main")


def test_follow_target_tells_branches_from_fixed_revisions(tmp_path: Path) -> None:
    root = make_repo(tmp_path / "rules")
    sha = git(root, "rev-parse", "main")
    git(root, "tag", "v1")
    repo = Git(root)
    assert follow_target(repo, "main") == "refs/heads/main"
    assert follow_target(repo, "release") == "refs/heads/release"  # not there yet: waited for
    assert follow_target(repo, "v1") == "v1"
    assert follow_target(repo, sha) == sha


def _ruleset(root: Path, files: dict[str, str]) -> Ruleset:
    sha = plumb_commit(root, files)
    result = load_ruleset(root, sha, build_engine=False)
    assert result.ruleset is not None, result.problems
    return result.ruleset


def test_a_build_reuses_exactly_the_parts_whose_inputs_did_not_change(tmp_path: Path) -> None:
    root = make_repo(tmp_path / "rules")
    cache = tmp_path / "cache"
    first, parts, reused = build_parts(_ruleset(root, dict(BASE)), None, cache)
    assert reused == []
    assert first.classifier.revision == first.revision
    threshold = edit("escalation/safety.yaml", "value: 0.5", "value: 0.55")
    second, parts2, reused = build_parts(_ruleset(root, threshold), parts, cache)
    assert reused == ["renderer", "classifier"]
    assert second.renderer is first.renderer
    assert second.classifier.backend is first.classifier.backend
    assert second.classifier.revision == second.revision != first.revision
    text = edit("snippets/signature.yaml", "the order desk", "your order desk")
    third, parts3, reused = build_parts(_ruleset(root, text), parts2, cache)
    assert reused == ["classifier"] and third.renderer is not second.renderer
    phrase = edit("taxonomy/complaint.yaml", "is broken", "is broken again", text)
    fourth, _, reused = build_parts(_ruleset(root, phrase), parts3, cache)
    assert reused == ["renderer"]
    assert fourth.classifier.backend is not third.classifier.backend
    routine = edit("taxonomy/complaint.yaml", "queue: quality_claims", "queue: order_desk", text)
    _, _, reused = build_parts(_ruleset(root, routine), parts3, cache)
    assert "classifier" in reused  # the queue is not something a classifier reads


def test_the_memo_answers_as_the_classifier_does(tmp_path: Path) -> None:
    root = make_repo(tmp_path / "rules")
    ruleset, parts, _ = build_parts(_ruleset(root, dict(BASE)), None, None)
    memo = MemoClassifier(ruleset.classifier, parts.predictions)
    text = "The pump you sent is broken"
    assert memo.predict(text) == ruleset.classifier.predict(text)
    assert memo.predict(text) is parts.predictions[text]
    assert memo.predict_many([text, "Do you sell bicycles?"]) == ruleset.classifier.predict_many(
        [text, "Do you sell bicycles?"]
    )
    assert memo.min_margin == ruleset.classifier.min_margin


def test_rollback_refuses_what_cannot_be_restored(tmp_path: Path) -> None:
    root = make_repo(tmp_path / "rules")
    first = git(root, "rev-parse", "main")
    plumb_commit(root, marked(1))
    repo = Git(root)
    git(root, "tag", "v1", first)
    with pytest.raises(RollbackError) as caught:
        roll_back(repo, "v1", first)
    assert caught.value.code == "not_a_branch"
    with pytest.raises(RollbackError) as caught:
        roll_back(repo, "refs/heads/gone", first)
    assert caught.value.code == "unknown_branch"
    done = roll_back(repo, "refs/heads/main", "v1", ("Anna Berger", "anna@nordwerk.example"))
    assert done.restored == first
    assert "Restores the rules as of commit " + first in git(root, "log", "-1", "--format=%B")
