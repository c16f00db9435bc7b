"""What the reloader follows, from the settings: a local repository's approved branch, a
remote's approved branch through a bare mirror, or a plain folder (loaded as it is)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from switchboard.proposals.gitcmd import Git
from switchboard.runtime._gitref import follow_target
from switchboard.settings import Settings

MIRROR_DIR = "rules-mirror.git"


@dataclass(frozen=True, slots=True)
class Follow:
    mode: Literal["local", "remote", "folder"]
    repo: Path  # what is read: the work tree (or bare repository), the mirror or the folder
    rev: str = ""  # the configured branch or revision; "" for the repository's approved_ref
    url: str | None = None  # the remote, in remote mode

    @classmethod
    def from_settings(cls, settings: Settings) -> Follow:
        rev = settings.rules_rev or ""
        if settings.rules_remote:
            return cls("remote", settings.data_dir / MIRROR_DIR, rev, settings.rules_remote)
        if settings.rules_path is None:
            raise ValueError("no rules repository is configured")
        from switchboard.rules.gitread import is_git_root

        mode: Literal["local", "folder"] = "local" if is_git_root(settings.rules_path) else "folder"
        return cls(mode, settings.rules_path, rev)


def local_ref(follow: Follow) -> str:
    """The ref to follow in a local repository: the configured branch (or tag or commit),
    else `approved_ref` of switchboard.yaml at HEAD, the branch proposals are merged into."""
    from switchboard.proposals.wiring import approved_branch

    name = approved_branch(follow.repo, follow.rev or None)
    return follow_target(Git(follow.repo), name)
