"""Everything a reader sees: lists, a proposal with its diff and checks, files, history."""

from __future__ import annotations

import msgspec

from switchboard.proposals.checks import full_check
from switchboard.proposals.diffs import file_diffs
from switchboard.proposals.errors import InvalidArgument, NotFound
from switchboard.proposals.history import file_history
from switchboard.proposals.impact import analysis_of
from switchboard.proposals.merging import merge_base
from switchboard.proposals.model import (
    STATES,
    Checks,
    FileAt,
    FileDiff,
    HistoryEntry,
    Page,
    Proposal,
    ProposalView,
)
from switchboard.proposals.refs import head_of
from switchboard.proposals.trees import entries, read_blob
from switchboard.proposals.workspace import Workspace

MAX_PAGE = 200


def page(ws: Workspace, state: str | None, limit: int, offset: int) -> Page:
    if state is not None and state not in STATES:
        raise InvalidArgument(
            f"Unknown state {state!r}; use one of {', '.join(STATES)}.", {"state": state}
        )
    limit = max(1, min(limit, MAX_PAGE))
    offset = max(0, offset)
    items, total = ws.store.page(state, limit, offset)
    return Page(items, total, limit, offset)


def diff(ws: Workspace, proposal: Proposal) -> list[FileDiff]:
    head = ws.current_head(proposal)
    return file_diffs(ws.git, diff_base(ws, proposal, head), head)


def diff_base(ws: Workspace, proposal: Proposal, head: str) -> str:
    """Where the proposal's changes start: its merge base with the approved branch."""
    if proposal.merged_commit:
        before = ws.git.text("rev-parse", f"{proposal.merged_commit}^1")
        return merge_base(ws.git, before, head) or proposal.base
    approved = head_of(ws.git, ws.approved_ref)
    return (merge_base(ws.git, approved, head) if approved else None) or proposal.base


def checks(ws: Workspace, revision: str) -> Checks:
    """Full checks of a revision, computed once and kept (a commit's files never change)."""
    cached = ws.store.cached_checks(revision)
    if cached is not None:
        return msgspec.convert(cached, Checks)
    result = full_check(ws.repo, revision, ws.cache_dir)
    ws.store.cache_checks(revision, result, ws.now())
    return result


def view(ws: Workspace, proposal: Proposal) -> ProposalView:
    head = ws.current_head(proposal)
    return ProposalView(
        proposal=proposal,
        diff=diff(ws, proposal),
        checks=checks(ws, head),
        comments=ws.store.comments(proposal.id),
        events=ws.store.events(proposal.id),
        analysis=analysis_of(ws, head, diff_base(ws, proposal, head)),
    )


def file_at(ws: Workspace, path: str, proposal: Proposal | None) -> FileAt:
    """A file at the proposal's head (or the approved branch), with the blob to edit against."""
    revision = ws.current_head(proposal) if proposal else ws.approved_head()
    entry = entries(ws.git, revision, [path]).get(path)
    if entry is None:
        raise NotFound(f"There is no file {path} at {revision[:12]}.", {"path": path})
    content = read_blob(ws.git, entry.blob).decode("utf-8", "replace")
    return FileAt(path=path, revision=revision, content=content, blob=entry.blob)


def history(ws: Workspace, path: str, limit: int, offset: int) -> list[HistoryEntry]:
    ws.approved_head()  # the branch must exist
    return file_history(ws.git, ws.approved_ref, path, max(1, min(limit, MAX_PAGE)), max(0, offset))
