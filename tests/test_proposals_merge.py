"""Merging approved proposals: trailers, real three-way merges, conflicts and the test gate."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from proposals_support import (
    ANNA,
    ELENA,
    JONAS,
    MARC,
    approved,
    bare_repo,
    branch_head,
    commit_as,
    open_service,
    show,
    tip,
)
from repo_helpers import git
from switchboard.proposals.errors import (
    ConcurrentUpdate,
    InvalidEdit,
    InvalidRevision,
    InvalidState,
    MergeConflict,
    TestsFailed,
)
from switchboard.proposals.model import FileEdit
from switchboard.proposals.service import ProposalService

DESK = "queues/order_desk.yaml"
CLAIMS = "queues/quality_claims.yaml"


@pytest.fixture(scope="module")
def cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("engine-cache")


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    return bare_repo(tmp_path)


@pytest.fixture
def service(repo: Path, tmp_path: Path, cache: Path) -> Iterator[ProposalService]:
    service = open_service(repo, tmp_path, cache)
    yield service
    service.ws.store.db.close()


def test_merge_records_the_review_and_deletes_the_branch(
    service: ProposalService, repo: Path
) -> None:
    proposal = approved(service, "Rename the desk", DESK, "name: Order desk", "name: Orders")
    service.approve(MARC, proposal.id)  # a second reviewer
    before = branch_head(repo, "main")
    merged = service.merge(ELENA, proposal.id)
    main = tip(repo, "main")
    assert merged.state == "merged" and merged.merged_commit == main
    assert git(repo, "rev-parse", f"{main}^1", f"{main}^2").split() == [before, proposal.head]
    trailers = git(repo, "log", "-1", "--format=%(trailers:only,unfold)", main).splitlines()
    assert trailers == [
        f"Proposal: {proposal.id}",
        "Approved-by: Elena Roth <elena.roth@nordwerk.example>",
        "Approved-by: Marc Vogel <marc.vogel@nordwerk.example>",
    ]
    assert "name: Orders" in show(repo, "main", DESK)
    assert branch_head(repo, proposal.branch) is None
    kept = service.get(proposal.id)
    assert kept.state == "merged" and kept.head == proposal.head
    assert [d.path for d in service.diff(proposal.id)] == [DESK]


def test_file_history_shows_who_changed_and_who_approved(service: ProposalService) -> None:
    proposal = approved(service, "Rename the desk", DESK, "name: Order desk", "name: Orders")
    service.merge(ELENA, proposal.id)
    newest, initial = service.history(DESK)
    assert newest.proposal == proposal.id
    assert newest.approved_by == [ELENA.person]
    assert newest.message == f"Merge proposal {proposal.id}: Rename the desk"
    assert [(e.author, e.message) for e in newest.edits] == [(ANNA.person, f"Change {DESK}")]
    assert initial.message == "Initial rules" and initial.approved_by == []
    assert service.history(CLAIMS)[0].commit == initial.commit
    assert service.history("queues/never.yaml") == []


def test_two_proposals_on_the_same_lines_the_second_conflicts(
    service: ProposalService, repo: Path
) -> None:
    first = approved(service, "North", DESK, "name: Order desk", "name: Order desk North")
    second = approved(service, "South", DESK, "name: Order desk", "name: Order desk South")
    service.merge(ELENA, first.id)
    main = branch_head(repo, "main")
    with pytest.raises(MergeConflict) as caught:
        service.merge(ELENA, second.id)
    assert caught.value.status_code == 409
    assert caught.value.details["paths"] == [DESK]
    assert branch_head(repo, "main") == main
    assert "Order desk North" in show(repo, "main", DESK)
    assert service.get(second.id).state == "approved"
    assert branch_head(repo, second.branch) == second.head


def test_two_proposals_on_different_files_both_merge(service: ProposalService, repo: Path) -> None:
    desk = approved(service, "Desk", DESK, "name: Order desk", "name: Order desk Mannheim")
    claims = approved(service, "Claims", CLAIMS, "resolution: 5d", "resolution: 3d")
    service.merge(ELENA, desk.id)
    moved = branch_head(repo, "main")
    assert moved != claims.base  # the approved branch moved since the second one started
    merged = service.merge(ELENA, claims.id)
    main = tip(repo, "main")
    assert git(repo, "rev-parse", f"{main}^1", f"{main}^2").split() == [moved, claims.head]
    assert "Order desk Mannheim" in show(repo, main, DESK)
    assert "resolution: 3d" in show(repo, main, CLAIMS)
    assert merged.state == "merged"


def test_changes_to_distant_lines_of_one_file_merge(service: ProposalService, repo: Path) -> None:
    name = approved(service, "Name", DESK, "name: Order desk", "name: Order desk Ost")
    hours = approved(service, "Hours", DESK, 'mon: "07:30-17:00"', 'mon: "07:00-17:00"')
    service.merge(ELENA, name.id)
    service.merge(ELENA, hours.id)
    text = show(repo, "main", DESK)
    assert "name: Order desk Ost" in text and 'mon: "07:00-17:00"' in text


def test_merge_is_blocked_when_a_repository_test_fails(
    service: ProposalService, repo: Path
) -> None:
    proposal = approved(
        service,
        "Legal threats to the order desk",
        "escalation/safety.yaml",
        "      queue: quality_claims\n      priority: urgent",
        "      queue: order_desk\n      priority: urgent",
    )
    main = branch_head(repo, "main")
    with pytest.raises(TestsFailed) as caught:
        service.merge(ELENA, proposal.id)
    failed = caught.value.details["failed"]
    assert [(f["suite"], f["case"]) for f in failed] == [("basics", "lawyer_goes_to_claims")]
    assert any("queue" in problem for problem in failed[0]["problems"])
    assert branch_head(repo, "main") == main
    assert branch_head(repo, proposal.branch) == proposal.head
    checks = service.checks(proposal.id)
    assert checks.valid and [c.case for c in checks.failed_tests] == ["lawyer_goes_to_claims"]


def test_a_merge_that_would_break_the_rules_is_refused(
    service: ProposalService, repo: Path
) -> None:
    """Each proposal is valid alone; merged, the second would route to a removed queue."""
    drop = service.create(ANNA, "Retire the claims queue")
    moved = {
        "escalation/safety.yaml": 2,
        "taxonomy/complaint.yaml": 1,
        "tests/basics.yaml": 1,
    }
    edits = [FileEdit(CLAIMS, None, service.file(CLAIMS, drop.id).blob)]
    for path, count in moved.items():
        current = service.file(path, drop.id)
        assert current.content.count("quality_claims") == count
        text = current.content.replace("quality_claims", "order_desk")
        edits.append(FileEdit(path, text, current.blob))
    service.edit(ANNA, drop.id, "Claims go to the order desk", edits)
    service.submit(ANNA, drop.id)
    service.approve(ELENA, drop.id)
    uses = approved(
        service,
        "Out of scope to claims",
        "taxonomy/out_of_scope.yaml",
        "queue: order_desk",
        "queue: quality_claims",
    )
    service.merge(ELENA, drop.id)
    main = branch_head(repo, "main")
    with pytest.raises(InvalidRevision) as caught:
        service.merge(ELENA, uses.id)
    problems = caught.value.details["problems"]
    assert [p["file"] for p in problems] == ["taxonomy/out_of_scope.yaml"]
    assert "quality_claims" in problems[0]["message"]
    assert branch_head(repo, "main") == main


def test_the_approved_branch_moving_during_a_merge_is_detected(
    service: ProposalService, repo: Path
) -> None:
    proposal = approved(service, "Desk", DESK, "name: Order desk", "name: Order desk 9")
    main = branch_head(repo, "main")
    assert main is not None
    original = service.ws.now

    def someone_commits_meanwhile() -> object:
        current = branch_head(repo, "main")
        if current == main:
            other = commit_as(repo, "Ops", "ops@nordwerk.example", main, "Hotfix")
            git(repo, "update-ref", "refs/heads/main", other, main)
        return original()

    service.ws.now = someone_commits_meanwhile  # type: ignore[assignment]
    with pytest.raises(ConcurrentUpdate):
        service.merge(ELENA, proposal.id)
    service.ws.now = original
    assert git(repo, "log", "-1", "--format=%s", "main") == "Hotfix"
    assert service.merge(ELENA, proposal.id).state == "merged"


def test_a_conflict_is_resolved_by_updating_from_the_approved_branch(
    service: ProposalService, repo: Path
) -> None:
    first = approved(service, "North", DESK, "name: Order desk", "name: Order desk North")
    second = approved(service, "South", DESK, "name: Order desk", "name: Order desk South")
    service.merge(ELENA, first.id)
    with pytest.raises(MergeConflict) as caught:
        service.update(ANNA, second.id)
    assert caught.value.details["missing"] == [DESK]
    assert tip(repo, second.branch) == second.head
    mine = service.file(DESK, second.id)
    resolution = mine.content.replace("Order desk South", "Order desk North and South")
    updated = service.update(ANNA, second.id, [FileEdit(DESK, resolution, mine.blob)])
    assert updated.state == "in_review" and updated.approvals == []
    parents = git(repo, "rev-parse", f"{updated.head}^1", f"{updated.head}^2").split()
    assert parents == [second.head, tip(repo, "main")]
    service.approve(ELENA, second.id)
    service.merge(ELENA, second.id)
    assert "name: Order desk North and South" in show(repo, "main", DESK)
    assert [e.kind for e in service.view(second.id).events][-3:] == [
        "updated",
        "approved",
        "merged",
    ]


def test_a_clean_update_takes_in_the_approved_changes(service: ProposalService, repo: Path) -> None:
    desk = approved(service, "Desk", DESK, "name: Order desk", "name: Order desk Nord")
    claims = approved(service, "Claims", CLAIMS, "resolution: 5d", "resolution: 4d")
    service.merge(ELENA, desk.id)
    with pytest.raises(InvalidEdit):
        service.update(ANNA, claims.id, [FileEdit(DESK, "x", None)])  # no conflict to resolve
    updated = service.update(JONAS, claims.id)
    assert "Order desk Nord" in show(repo, updated.head, DESK)
    assert JONAS.person in updated.authors
    with pytest.raises(InvalidState, match="already contains"):
        service.update(ANNA, claims.id)
