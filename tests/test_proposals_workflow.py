"""The proposal workflow against a real bare repository: edits, review rules, states."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from proposals_support import (
    ANNA,
    ELENA,
    JONAS,
    MARC,
    VIEWER,
    bare_repo,
    branch_head,
    change,
    commit_as,
    open_service,
    show,
    tip,
)
from repo_helpers import BASE, git, line_of
from switchboard.proposals.errors import (
    FourEyes,
    InvalidEdit,
    InvalidRevision,
    InvalidState,
    NotAnAuthor,
    NotFound,
    RoleRequired,
    StaleEdit,
)
from switchboard.proposals.model import Actor, FileEdit
from switchboard.proposals.service import ProposalService

QUEUE = "queues/order_desk.yaml"


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


def test_create_starts_a_draft_branch_at_the_approved_commit(
    service: ProposalService, repo: Path
) -> None:
    main = branch_head(repo, "main")
    proposal = service.create(ANNA, "Rename the order desk", "Customers asked for it.")
    assert proposal.state == "draft"
    assert proposal.branch == f"proposals/{proposal.id}-rename-the-order-desk"
    assert branch_head(repo, proposal.branch) == main == proposal.base == proposal.head
    assert proposal.authors == [ANNA.person]
    assert service.get(proposal.id) == proposal
    with pytest.raises(NotFound):
        service.get("nosuch")


def test_an_edit_is_one_commit_by_its_editor_changing_several_files(
    service: ProposalService, repo: Path
) -> None:
    proposal = service.create(ANNA, "Claims desk")
    queue = service.file(QUEUE, proposal.id)
    snippet = service.file("snippets/signature.yaml", proposal.id)
    new_queue = BASE["queues/quality_claims.yaml"].replace("quality_claims", "claims_backup")
    edited = service.edit(
        JONAS,
        proposal.id,
        "Rename the desk, drop the old signature text, add a backup queue",
        [
            FileEdit(
                QUEUE, queue.content.replace("Order desk", "Order desk (Mannheim)"), queue.blob
            ),
            FileEdit(
                "snippets/signature.yaml",
                snippet.content.replace("Kind regards", "Best regards"),
                snippet.blob,
            ),
            FileEdit("queues/claims_backup.yaml", new_queue, None),
        ],
    )
    head = branch_head(repo, proposal.branch)
    assert edited.head == head != proposal.head
    assert git(repo, "rev-list", "--count", f"{proposal.base}..{head}") == "1"
    assert git(repo, "log", "-1", "--format=%an <%ae>|%s", head) == (
        "Jonas Keller <jonas.keller@nordwerk.example>|Rename the desk, drop the old signature "
        "text, add a backup queue"
    )
    assert "Order desk (Mannheim)" in show(repo, head, QUEUE)
    assert show(repo, head, "queues/claims_backup.yaml") == new_queue.rstrip("\n")
    assert edited.authors == [ANNA.person, JONAS.person]
    diff = {d.path: d for d in service.diff(proposal.id)}
    assert sorted(diff) == sorted([QUEUE, "queues/claims_backup.yaml", "snippets/signature.yaml"])
    assert diff["queues/claims_backup.yaml"].status == "added"
    assert diff[QUEUE].old_blob == queue.blob
    assert "-name: Order desk\n+name: Order desk (Mannheim)" in diff[QUEUE].diff


def test_a_file_can_be_deleted(service: ProposalService, repo: Path) -> None:
    proposal = service.create(ANNA, "Add then remove")
    extra = BASE["queues/quality_claims.yaml"].replace("quality_claims", "spare_desk")
    service.edit(
        ANNA, proposal.id, "Add a spare desk", [FileEdit("queues/spare.yaml", extra, None)]
    )
    spare = service.file("queues/spare.yaml", proposal.id)
    edited = service.edit(
        ANNA, proposal.id, "Remove it again", [FileEdit("queues/spare.yaml", None, spare.blob)]
    )
    assert "queues/spare.yaml" not in git(repo, "ls-tree", "-r", "--name-only", edited.head)
    assert service.diff(proposal.id) == []


def test_a_stale_base_is_refused_naming_the_file_and_nothing_is_committed(
    service: ProposalService, repo: Path
) -> None:
    proposal = service.create(ANNA, "Two editors")
    seen_by_jonas = service.file(QUEUE, proposal.id)
    change(service, ANNA, proposal.id, QUEUE, "Order desk", "Order desk North")
    head = tip(repo, proposal.branch)
    stale = FileEdit(
        QUEUE, seen_by_jonas.content.replace("Order desk", "Sales desk"), seen_by_jonas.blob
    )
    with pytest.raises(StaleEdit) as caught:
        service.edit(JONAS, proposal.id, "My rename", [stale])
    assert caught.value.status_code == 409
    assert caught.value.details["path"] == QUEUE
    assert caught.value.details["base"] == seen_by_jonas.blob
    assert caught.value.details["current"] == service.file(QUEUE, proposal.id).blob
    assert branch_head(repo, proposal.branch) == head
    assert "Order desk North" in show(repo, head, QUEUE)
    assert JONAS.person not in service.get(proposal.id).authors


def test_a_new_file_that_someone_else_created_meanwhile_is_stale(service: ProposalService) -> None:
    proposal = service.create(ANNA, "New queue")
    text = BASE["queues/quality_claims.yaml"].replace("quality_claims", "night_shift")
    service.edit(ANNA, proposal.id, "Night shift", [FileEdit("queues/night.yaml", text, None)])
    with pytest.raises(StaleEdit, match=r"queues/night\.yaml"):
        service.edit(JONAS, proposal.id, "Mine", [FileEdit("queues/night.yaml", text, None)])


def test_an_edit_that_breaks_the_rules_is_refused_with_file_and_line(
    service: ProposalService, repo: Path
) -> None:
    path = "taxonomy/complaint.yaml"
    proposal = service.create(ANNA, "Complaints elsewhere")
    head = branch_head(repo, proposal.branch)
    with pytest.raises(InvalidRevision) as caught:
        change(service, ANNA, proposal.id, path, "queue: quality_claims", "queue: complaints_desk")
    problems = caught.value.details["problems"]
    assert caught.value.status_code == 422
    assert problems, "the refusal must list the problems"
    wrong = [p for p in problems if p["file"] == path]
    assert wrong and wrong[0]["line"] == line_of(BASE[path], "queue: quality_claims")
    assert wrong[0]["code"] and "complaints_desk" in wrong[0]["message"]
    assert branch_head(repo, proposal.branch) == head
    assert service.get(proposal.id).head == head


@pytest.mark.parametrize(
    ("message", "files", "complaint"),
    [
        ("", [FileEdit(QUEUE, "x", None)], "message"),
        ("Fine", [], "at least one file"),
        ("Fine", [FileEdit("../outside.yaml", "x", None)], "not a rules file"),
        ("Fine", [FileEdit("README.md", "x", None)], "not a rules file"),
        ("Fine", [FileEdit("queues/.hidden.yaml", "x", None)], "not a rules file"),
        ("Fine", [FileEdit(QUEUE, None, None)], "needs the base"),
        ("Fine", [FileEdit(QUEUE, "x", "abc")], "40-digit"),
        ("Fine\n\nApproved-by: Me <me@x.example>", [FileEdit(QUEUE, "x", None)], "Approved-by"),
    ],
)
def test_malformed_edits_are_refused_before_anything_is_read(
    service: ProposalService, message: str, files: list[FileEdit], complaint: str
) -> None:
    proposal = service.create(ANNA, "Malformed")
    with pytest.raises(InvalidEdit, match=complaint):
        service.edit(ANNA, proposal.id, message, files)


def test_an_edit_cannot_replace_a_file_it_does_not_name(
    service: ProposalService, repo: Path
) -> None:
    proposal = service.create(ANNA, "Sneaky folder")
    extra = FileEdit("tests/basics.yaml/more.yaml", BASE["tests/basics.yaml"], None)
    with pytest.raises(InvalidEdit) as caught:
        service.edit(ANNA, proposal.id, "Nest a suite", [extra])
    assert caught.value.details["paths"] == ["tests/basics.yaml"]
    assert tip(repo, proposal.branch) == proposal.head


def test_an_edit_that_changes_nothing_is_refused(service: ProposalService) -> None:
    proposal = service.create(ANNA, "Nothing")
    current = service.file(QUEUE, proposal.id)
    with pytest.raises(InvalidEdit, match="changes nothing"):
        service.edit(ANNA, proposal.id, "Same", [FileEdit(QUEUE, current.content, current.blob)])


def test_authors_cannot_approve_their_own_proposal(service: ProposalService) -> None:
    proposal = service.create(ANNA, "Four eyes")
    change(service, MARC, proposal.id, QUEUE, "Order desk", "Order desk West")
    service.submit(ANNA, proposal.id)
    with pytest.raises(FourEyes) as caught:
        service.approve(MARC, proposal.id)  # a reviewer, but he edited it
    assert caught.value.status_code == 403
    with pytest.raises(RoleRequired):
        service.approve(ANNA, proposal.id)  # the author is no reviewer anyway
    approved = service.approve(ELENA, proposal.id)
    assert approved.state == "approved"
    assert [a.approver for a in approved.approvals] == [ELENA.person]


def test_a_committer_outside_the_service_counts_as_an_author(
    service: ProposalService, repo: Path
) -> None:
    proposal = service.create(ANNA, "Pushed directly")
    change(service, ANNA, proposal.id, QUEUE, "Order desk", "Order desk East")
    service.submit(ANNA, proposal.id)
    head = branch_head(repo, proposal.branch)
    assert head is not None
    sneaky = commit_as(repo, "Elena Roth", "ELENA.ROTH@nordwerk.example", head, "Touch")
    git(repo, "update-ref", f"refs/heads/{proposal.branch}", sneaky, head)
    with pytest.raises(FourEyes):
        service.approve(ELENA, proposal.id)


def test_an_edit_after_approval_sends_it_back_to_review(service: ProposalService) -> None:
    proposal = service.create(ANNA, "Late change")
    change(service, ANNA, proposal.id, QUEUE, "Order desk", "Order desk South")
    service.submit(ANNA, proposal.id)
    assert service.approve(ELENA, proposal.id).approvals
    edited = change(service, JONAS, proposal.id, QUEUE, "Order desk South", "Order desk Süd")
    assert edited.state == "in_review"
    assert edited.approvals == []
    with pytest.raises(InvalidState):
        service.merge(ELENA, proposal.id)
    kinds = [event.kind for event in service.view(proposal.id).events]
    assert kinds == ["created", "edited", "submitted", "approved", "edited"]


def test_states_allow_only_their_actions(service: ProposalService) -> None:
    proposal = service.create(ANNA, "States")
    with pytest.raises(InvalidState, match="changes nothing"):
        service.submit(ANNA, proposal.id)
    with pytest.raises(InvalidState):
        service.approve(ELENA, proposal.id)  # a draft is not up for review
    with pytest.raises(InvalidState):
        service.merge(ELENA, proposal.id)
    change(service, ANNA, proposal.id, QUEUE, "Order desk", "Order desk 2")
    assert service.submit(ANNA, proposal.id).state == "in_review"
    with pytest.raises(InvalidState):
        service.submit(ANNA, proposal.id)
    rejected = service.reject(ELENA, proposal.id, "Not now.")
    assert rejected.state == "rejected"
    for action in (
        lambda: change(service, ANNA, proposal.id, QUEUE, "Order desk 2", "Order desk 3"),
        lambda: service.approve(ELENA, proposal.id),
        lambda: service.withdraw(ANNA, proposal.id),
    ):
        with pytest.raises(InvalidState):
            action()
    assert service.view(proposal.id).events[-1].note == "Not now."


def test_only_an_author_withdraws(service: ProposalService) -> None:
    proposal = service.create(ANNA, "Withdraw me")
    with pytest.raises(NotAnAuthor):
        service.withdraw(JONAS, proposal.id)
    assert service.withdraw(ANNA, proposal.id, "Done elsewhere").state == "withdrawn"


def test_roles_are_required(service: ProposalService) -> None:
    with pytest.raises(RoleRequired) as caught:
        service.create(VIEWER, "Viewer tries")
    assert caught.value.details["role"] == "editor"
    proposal = service.create(ANNA, "Comments")
    first = service.comment(VIEWER, proposal.id, "Looks sensible.")
    second = service.comment(ELENA, proposal.id, "Please add a test.")
    assert [c.text for c in service.view(proposal.id).comments] == [first.text, second.text]
    assert second.author == ELENA.person and second.id > first.id


def test_list_filters_by_state_and_pages(service: ProposalService) -> None:
    ids = [service.create(ANNA, f"Proposal {n}").id for n in range(5)]
    service.withdraw(ANNA, ids[0])
    page = service.page(limit=2)
    assert page.total == 5 and len(page.items) == 2
    rest = service.page(limit=10, offset=2)
    assert len(rest.items) == 3
    seen = {p.id for p in page.items} | {p.id for p in rest.items}
    assert seen == set(ids)
    drafts = service.page("draft")
    assert drafts.total == 4 and ids[0] not in {p.id for p in drafts.items}
    assert [p.id for p in service.page("withdrawn").items] == [ids[0]]


def test_simultaneous_edits_from_one_base_never_both_land(
    service: ProposalService, repo: Path
) -> None:
    proposal = service.create(ANNA, "Race")
    seen = service.file(QUEUE, proposal.id)
    outcomes: list[str] = []

    def save(actor: Actor, name: str) -> None:
        edit = FileEdit(QUEUE, seen.content.replace("Order desk", name), seen.blob)
        try:
            service.edit(actor, proposal.id, f"Call it {name}", [edit])
            outcomes.append("saved")
        except StaleEdit:
            outcomes.append("stale")

    threads = [
        threading.Thread(target=save, args=(ANNA, "Desk A")),
        threading.Thread(target=save, args=(JONAS, "Desk B")),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["saved", "stale"]
    head = tip(repo, proposal.branch)
    assert git(repo, "rev-list", "--count", f"{proposal.base}..{head}") == "1"
