"""External forge mode: proposal branches are pushed to a remote (GitHub, GitLab, ...).

Reviewers can then use the forge's pull requests, and merging happens there. A push is never
forced: if the forge's branch has commits this server has not seen, the push is refused and
the local branch is not moved either.
"""

from __future__ import annotations

from dataclasses import dataclass

from switchboard.proposals.errors import PushFailed
from switchboard.proposals.gitcmd import Git, GitFailed, redact

PUSH_TIMEOUT_S = 60.0


@dataclass(frozen=True, slots=True)
class Forge:
    remote: str  # a URL or the name of a configured remote

    @property
    def shown(self) -> str:
        return redact(self.remote)

    def push(self, git: Git, commit: str, branch: str) -> None:
        """Make the forge's `branch` point at `commit` (a fast-forward, or a new branch)."""
        try:
            git.call(
                "push",
                "--porcelain",
                "--no-verify",
                self.remote,
                f"{commit}:refs/heads/{branch}",
                timeout_s=PUSH_TIMEOUT_S,
            )
        except GitFailed as exc:
            raise PushFailed(
                f"The forge at {self.shown} did not take the branch {branch}, so the change "
                "was not saved here either. If someone pushed to that branch on the forge, it "
                "holds commits this server does not know.",
                {"remote": self.shown, "branch": branch, "git": exc.stderr},
            ) from None
