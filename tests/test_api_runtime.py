"""The active ruleset: a good load goes live in one swap; a bad one never replaces it."""

from __future__ import annotations

from pathlib import Path

import pytest

from repo_helpers import BASE, commit, make_repo
from switchboard.errors import NotReady
from switchboard.runtime.active import ActiveRuleset, LoadFailure, Snapshot, load_snapshot


def test_not_ready_until_the_first_good_load(tmp_path: Path) -> None:
    active = ActiveRuleset()
    with pytest.raises(NotReady) as caught:
        active.get()
    assert caught.value.details == {"reason": "loading"}
    failure = load_snapshot(tmp_path / "missing", None, None, {})
    assert isinstance(failure, LoadFailure)
    active.fail(failure)
    with pytest.raises(NotReady) as caught:
        active.get()
    assert caught.value.details == {"reason": "load_failed"}


def test_a_broken_revision_leaves_the_live_one_serving(tmp_path: Path) -> None:
    root = make_repo(tmp_path / "rules")
    first = commit(root, {}, "Nothing changed")
    broken = {
        **BASE,
        "taxonomy/complaint.yaml": BASE["taxonomy/complaint.yaml"] + "queue: nowhere\n",
    }
    bad = commit(root, broken, "Point complaints at a queue that does not exist")
    active = ActiveRuleset()
    good = load_snapshot(root, first, tmp_path / "cache", {})
    assert isinstance(good, Snapshot) and good.revision == first
    assert active.swap(good) is None
    failed = load_snapshot(root, bad, tmp_path / "cache", {})
    assert isinstance(failed, LoadFailure)
    active.fail(failed)
    assert active.get() is good
    details = active.failure_details()
    assert details["reason"] == "load_failed"
    assert any(p["file"] == "taxonomy/complaint.yaml" for p in details["problems"])
    again = load_snapshot(root, first, tmp_path / "cache", {})
    assert isinstance(again, Snapshot)
    assert active.swap(again) is good
    assert active.get() is again and active.last_failure is None
