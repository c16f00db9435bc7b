"""External forge mode, with a local bare repository standing in for GitHub or GitLab."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from proposals_support import (
    ANNA,
    ELENA,
    bare_repo,
    branch_head,
    change,
    commit_as,
    open_service,
)
from repo_helpers import git
from switchboard.proposals.errors import InvalidState, PushFailed
from switchboard.proposals.forge import Forge
from switchboard.proposals.service import ProposalService

DESK = "queues/order_desk.yaml"


@pytest.fixture(scope="module")
def cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("engine-cache")


@pytest.fixture
def forge(tmp_path: Path) -> Path:
    """The forge's copy of the rules: a bare clone of the server's repository."""
    return tmp_path / "forge.git"


@pytest.fixture
def repo(tmp_path: Path, forge: Path) -> Path:
    repo = bare_repo(tmp_path)
    git(tmp_path, "clone", "-q", "--bare", str(repo), str(forge))
    return repo


@pytest.fixture
def service(repo: Path, forge: Path, tmp_path: Path, cache: Path) -> Iterator[ProposalService]:
    service = open_service(repo, tmp_path, cache, forge=Forge(str(forge)))
    yield service
    service.ws.store.db.close()


def test_every_edit_is_pushed_to_the_forge(
    service: ProposalService, repo: Path, forge: Path
) -> None:
    proposal = service.create(ANNA, "Pushed")
    assert branch_head(forge, proposal.branch) == proposal.base
    first = change(service, ANNA, proposal.id, DESK, "Order desk", "Order desk A")
    assert branch_head(forge, proposal.branch) == first.head == branch_head(repo, proposal.branch)
    second = change(service, ANNA, proposal.id, DESK, "Order desk A", "Order desk B")
    assert branch_head(forge, proposal.branch) == second.head
    assert git(forge, "log", "-1", "--format=%an", second.head) == "Anna Berger"


def test_merging_happens_on_the_forge(service: ProposalService, repo: Path, forge: Path) -> None:
    proposal = service.create(ANNA, "Reviewed on the forge")
    change(service, ANNA, proposal.id, DESK, "Order desk", "Order desk C")
    service.submit(ANNA, proposal.id)
    service.approve(ELENA, proposal.id)
    main = branch_head(repo, "main")
    with pytest.raises(InvalidState) as caught:
        service.merge(ELENA, proposal.id)
    assert caught.value.details["reason"] == "forge_mode"
    assert branch_head(repo, "main") == main == branch_head(forge, "main")


def test_a_branch_changed_on_the_forge_is_not_overwritten(
    service: ProposalService, repo: Path, forge: Path
) -> None:
    proposal = service.create(ANNA, "Diverged")
    edited = change(service, ANNA, proposal.id, DESK, "Order desk", "Order desk D")
    theirs = commit_as(forge, "Web Editor", "web@nordwerk.example", edited.head, "Forge edit")
    git(forge, "update-ref", f"refs/heads/{proposal.branch}", theirs, edited.head)
    with pytest.raises(PushFailed) as caught:
        change(service, ANNA, proposal.id, DESK, "Order desk D", "Order desk E")
    assert caught.value.status_code == 502
    assert caught.value.details["branch"] == proposal.branch
    assert branch_head(forge, proposal.branch) == theirs
    assert branch_head(repo, proposal.branch) == edited.head
    assert service.get(proposal.id).head == edited.head


def test_credentials_in_the_remote_url_are_never_shown(
    repo: Path, tmp_path: Path, cache: Path
) -> None:
    secret = "https://deploy:s3cret-token@127.0.0.1:9/rules.git"
    service = open_service(repo, tmp_path, cache, forge=Forge(secret))
    try:
        with pytest.raises(PushFailed) as caught:
            service.create(ANNA, "Unreachable forge")
        assert service.page().total == 0
    finally:
        service.ws.store.db.close()
    shown = f"{caught.value.message} {caught.value.details}"
    assert "s3cret-token" not in shown and "***@127.0.0.1" in shown
    assert git(repo, "for-each-ref", "refs/heads/proposals/") == ""
