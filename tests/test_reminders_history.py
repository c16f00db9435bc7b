"""Snippet changes on the approved branch make the templates using them due (real git)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from repo_helpers import BASE, commit, edit, git, make_repo
from switchboard.reminders.due import Trigger
from switchboard.reminders.plan import Plan, plan_for
from switchboard.rules import load_ruleset
from switchboard.rules.model import Ruleset

D = dt.date.fromisoformat
SIGNATURE = "snippets/signature.yaml"
TEMPLATE = "templates/order_status.yaml"


def at(monkeypatch: pytest.MonkeyPatch, when: str) -> None:
    """Commits made from now on carry this date (author and committer)."""
    monkeypatch.setenv("GIT_AUTHOR_DATE", when)
    monkeypatch.setenv("GIT_COMMITTER_DATE", when)


def loaded(root: Path, rev: str | None = None) -> Ruleset:
    result = load_ruleset(root, rev, build_engine=False)
    assert result.ruleset is not None, [str(p) for p in result.problems]
    return result.ruleset


def plan(root: Path) -> Plan:
    return plan_for(loaded(root), root)


@pytest.fixture
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    at(monkeypatch, "2026-09-01T10:00:00+02:00")
    return make_repo(tmp_path / "rules")


def new_signature(text: str) -> dict[str, str]:
    return edit(SIGNATURE, '"Kind regards, the order desk"', f'"{text}"')


def test_a_changed_snippet_text_makes_its_templates_due(
    repo: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    at(monkeypatch, "2026-11-20T10:00:00+01:00")
    sha = commit(repo, new_signature("Best regards, the order desk"), "New sign-off")
    current = plan(repo)
    assert current.triggers == (Trigger(TEMPLATE, "signature", D("2026-11-20"), sha),)
    items = {item.path: item for item in current.items(D("2026-12-03"), 14)}
    item = items[TEMPLATE]
    assert (item.due, item.cause, item.state) == (D("2026-11-20"), "trigger", "overdue")
    assert item.reason == "trigger: snippet signature changed on 2026-11-20"
    others = [i for i in items.values() if i.path != TEMPLATE]
    assert {i.cause for i in others} == {"interval"}  # the snippet itself is not triggered


def test_metadata_only_changes_additions_and_other_files_trigger_nothing(
    repo: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    at(monkeypatch, "2026-11-20T10:00:00+01:00")
    reviewed = BASE[SIGNATURE].replace("last_reviewed: 2026-09-15", "last_reviewed: 2026-11-20")
    commit(repo, {SIGNATURE: reviewed}, "Signature reviewed")
    commit(repo, {"snippets/unused.yaml": BASE[SIGNATURE].replace("id: signature", "id: unused")})
    commit(repo, {"queues/order_desk.yaml": BASE["queues/order_desk.yaml"] + "description: x\n"})
    assert plan(repo).triggers == ()


def test_the_change_date_is_the_repository_date(
    repo: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    at(monkeypatch, "2026-11-20T23:30:00+00:00")  # already the 21st in Berlin
    commit(repo, new_signature("Regards"), "Late change")
    assert [t.changed_on for t in plan(repo).triggers] == [D("2026-11-21")]


def test_a_merged_proposal_counts_from_the_day_it_was_merged(
    repo: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    git(repo, "checkout", "-q", "-b", "proposal")
    at(monkeypatch, "2026-11-10T09:00:00+01:00")
    commit(repo, new_signature("Warm regards"), "Proposal: new sign-off")
    git(repo, "checkout", "-q", "main")
    at(monkeypatch, "2026-11-20T09:00:00+01:00")
    git(repo, "merge", "-q", "--no-ff", "-m", "Merge proposal", "proposal")
    merge = git(repo, "rev-parse", "HEAD")
    assert plan(repo).triggers == (Trigger(TEMPLATE, "signature", D("2026-11-20"), merge),)


def test_snippets_used_through_other_snippets_trigger_too(
    repo: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    footer = (
        BASE[SIGNATURE]
        .replace("id: signature", "id: footer")
        .replace('"Kind regards, the order desk"', "\"{{ snippet('signature') }} (footer)\"")
    )
    template = BASE[TEMPLATE].replace("{{ snippet('signature') }}", "{{ snippet('footer') }}")
    commit(repo, {"snippets/footer.yaml": footer, TEMPLATE: template}, "Footer")
    at(monkeypatch, "2026-11-20T10:00:00+01:00")
    commit(repo, new_signature("Regards"), "New sign-off")
    assert [(t.path, t.snippet) for t in plan(repo).triggers] == [(TEMPLATE, "signature")]


def test_a_template_reviewed_after_the_change_is_not_due(
    repo: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    at(monkeypatch, "2026-11-20T10:00:00+01:00")
    commit(repo, new_signature("Regards"), "New sign-off")
    at(monkeypatch, "2026-11-25T10:00:00+01:00")
    template = BASE[TEMPLATE].replace("last_reviewed: 2026-09-15", "last_reviewed: 2026-11-25")
    commit(repo, {TEMPLATE: template}, "Template reviewed")
    item = next(i for i in plan(repo).items(D("2026-12-03"), 14) if i.path == TEMPLATE)
    assert (item.cause, item.due, item.state) == ("interval", D("2027-02-23"), "ok")


def test_an_older_revision_knows_nothing_of_later_changes(
    repo: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    first = git(repo, "rev-parse", "HEAD")
    at(monkeypatch, "2026-11-20T10:00:00+01:00")
    commit(repo, new_signature("Regards"), "New sign-off")
    assert plan_for(loaded(repo, first), repo).triggers == ()


def test_a_plain_folder_has_no_history_and_no_triggers(tmp_path: Path) -> None:
    folder = tmp_path / "plain"
    for rel, text in BASE.items():
        (folder / rel).parent.mkdir(parents=True, exist_ok=True)
        (folder / rel).write_text(text, encoding="utf-8")
    current = plan(folder)
    assert current.revision == "worktree"
    assert current.triggers == ()
    assert len(current.files) == len(BASE)
