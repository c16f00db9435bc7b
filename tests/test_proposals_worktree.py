"""A non-bare rules repository: proposals never touch its working tree or its index."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from proposals_support import (
    ANNA,
    ELENA,
    JONAS,
    branch_head,
    change,
    file_stamps,
    open_service,
    show,
)
from repo_helpers import git, make_repo
from switchboard.proposals.errors import BranchCheckedOut, RepositoryUnavailable
from switchboard.proposals.service import ProposalService

DESK = "queues/order_desk.yaml"


def status(work: Path) -> str:
    """`git status` without refreshing the index, so the check itself changes nothing."""
    return git(work, "--no-optional-locks", "status", "--porcelain")


@pytest.fixture
def work(tmp_path: Path) -> Path:
    return make_repo(tmp_path / "rules")


@pytest.fixture
def service(work: Path, tmp_path: Path) -> Iterator[ProposalService]:
    service = open_service(work, tmp_path, tmp_path / "cache")
    yield service
    service.ws.store.db.close()


def test_the_working_tree_is_never_modified(service: ProposalService, work: Path) -> None:
    stamps = file_stamps(work)
    assert status(work) == ""
    proposal = service.create(ANNA, "In a working tree")
    change(service, ANNA, proposal.id, DESK, "Order desk", "Order desk Worktree")
    change(service, JONAS, proposal.id, "snippets/signature.yaml", "Kind regards", "Regards")
    service.submit(ANNA, proposal.id)
    service.approve(ELENA, proposal.id)
    main = branch_head(work, "main")
    with pytest.raises(BranchCheckedOut) as caught:
        service.merge(ELENA, proposal.id)  # main is checked out here: it is not moved
    assert caught.value.details["branch"] == "main"
    assert branch_head(work, "main") == main
    assert status(work) == ""
    assert file_stamps(work) == stamps

    git(work, "switch", "-q", "-c", "workbench")  # the people using this tree moved off main
    stamps = file_stamps(work)
    merged = service.merge(ELENA, proposal.id)
    assert branch_head(work, "main") == merged.merged_commit != main
    assert "Order desk Worktree" in show(work, "main", DESK)
    assert status(work) == ""
    assert file_stamps(work) == stamps
    assert "Order desk Worktree" not in (work / DESK).read_text()


def test_a_folder_inside_another_repository_is_refused(work: Path, tmp_path: Path) -> None:
    inner = work / "queues"
    with pytest.raises(RepositoryUnavailable) as caught:
        open_service(inner, tmp_path, tmp_path / "cache")
    assert caught.value.details["reason"] == "not_a_repository"
    with pytest.raises(RepositoryUnavailable):
        open_service(tmp_path / "missing", tmp_path, tmp_path / "cache")
