"""What every proposal operation works with: the repository, the records, the settings."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from switchboard.proposals.errors import InvalidState, NotFound, RepositoryUnavailable
from switchboard.proposals.forge import Forge
from switchboard.proposals.gitcmd import Git
from switchboard.proposals.locking import repository_lock
from switchboard.proposals.model import Proposal
from switchboard.proposals.refs import head_of
from switchboard.store.proposals import ProposalStore


def not_a_repository(path: Path) -> RepositoryUnavailable:
    return RepositoryUnavailable(
        f"{path} is not the root of a git repository, so proposals cannot be made there.",
        {"reason": "not_a_repository"},
    )


def utc_now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


@dataclass(slots=True)
class Workspace:
    repo: Path
    store: ProposalStore
    approved_ref: str = "main"
    forge: Forge | None = None
    cache_dir: Path | None = None
    now: Callable[[], dt.datetime] = utc_now
    git: Git = field(init=False)
    git_dir: Path = field(init=False)

    def __post_init__(self) -> None:
        self.git = Git(self.repo)
        if not self.git.is_root():
            raise not_a_repository(self.repo)
        self.git_dir = self.git.git_dir()

    @contextmanager
    def locked(self) -> Iterator[None]:
        with repository_lock(self.git_dir):
            yield

    def proposal(self, proposal_id: str) -> Proposal:
        found = self.store.get(proposal_id)
        if found is None:
            raise NotFound(f"There is no proposal {proposal_id!r}.", {"id": proposal_id})
        return found

    def approved_head(self) -> str:
        head = head_of(self.git, self.approved_ref)
        if head is None:
            raise RepositoryUnavailable(
                f"The rules repository has no branch {self.approved_ref!r} to propose changes to.",
                {"reason": "no_approved_branch", "branch": self.approved_ref},
            )
        return head

    def branch_head(self, proposal: Proposal) -> str:
        """The proposal branch's commit; InvalidState when the branch has gone."""
        head = head_of(self.git, proposal.branch)
        if head is None:
            raise InvalidState(
                f"The branch {proposal.branch} of proposal {proposal.id} no longer exists.",
                {"state": proposal.state, "branch": proposal.branch},
            )
        return head

    def current_head(self, proposal: Proposal) -> str:
        """The branch's commit while it exists, else the last one recorded."""
        return head_of(self.git, proposal.branch) or proposal.head
