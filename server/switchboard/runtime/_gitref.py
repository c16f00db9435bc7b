"""Where a branch points, read cheaply enough to ask several times a second.

Asking git costs a process (about 3 ms, far more on a busy machine); a `stat` of the files
that can hold the ref costs microseconds (measured by bench/reload.py). So the files are
stat-ed on every poll, and git is asked only when one of them changed, or every
`FULL_CHECK_S` in case the ref is kept somewhere the stat does not see.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from pathlib import Path

from switchboard.proposals.gitcmd import Git, GitFailed

FULL_CHECK_S = 5.0
HEADS = "refs/heads/"

Stamp = tuple[tuple[int, int, int] | None, ...]


class RefError(Exception):
    """The ref cannot be read; the message says which and where."""


def follow_target(git: Git, name: str) -> str:
    """The full ref to follow for `name`: `refs/heads/<name>` for a branch (existing or not),
    or `name` itself for a tag or commit that is not also a branch (served as it is)."""
    if name.startswith("refs/"):
        return name
    branch = HEADS + name
    if _resolves(git, branch) or not _resolves(git, name):
        return branch
    return name


def resolve(git: Git, ref: str) -> str:
    """The commit SHA `ref` names; RefError when there is none."""
    if ref.startswith("-"):
        raise RefError(f"`{ref}` is not a revision name.")
    code, out = git.call(
        "rev-parse", "--verify", "--quiet", "--end-of-options", f"{ref}^{{commit}}", ok_codes=(0, 1)
    )
    if code != 0:
        raise RefError(f"There is no commit at {ref} in {git.root}.")
    return out.decode().strip()


def _resolves(git: Git, ref: str) -> bool:
    try:
        resolve(git, ref)
    except (RefError, GitFailed):
        return False
    return True


class RefWatcher:
    """Reads one ref of one repository (a work tree or a bare repository)."""

    def __init__(self, repo: Path, ref: str, clock: Callable[[], float] = time.monotonic) -> None:
        self.git = Git(repo)
        self.ref = ref
        self._clock = clock
        try:
            common = Path(self.git.text("rev-parse", "--path-format=absolute", "--git-common-dir"))
            own = Path(self.git.text("rev-parse", "--path-format=absolute", "--git-dir"))
        except (GitFailed, OSError) as exc:
            raise RefError(f"{repo} is not a git repository: {exc}") from None
        files = [common / "packed-refs", common / "reftable" / "tables.list"]
        if ref.startswith("refs/"):
            files.insert(0, common / ref)
        else:
            files.append(own / "HEAD")
        self._files = tuple(files)
        self._stamp: Stamp | None = None
        self._sha: str | None = None
        self._checked = float("-inf")

    def read(self) -> str:
        """The commit the ref points to now; RefError when it points nowhere."""
        stamp = self._stamp_now()  # taken first: a change while git runs shows next time
        now = self._clock()
        if self._sha is not None and stamp == self._stamp and now - self._checked < FULL_CHECK_S:
            return self._sha
        try:
            sha = resolve(self.git, self.ref)
        except GitFailed as exc:
            raise RefError(str(exc)) from None
        self._stamp, self._sha, self._checked = stamp, sha, now
        return sha

    def _stamp_now(self) -> Stamp:
        return tuple(_stat(path) for path in self._files)


def _stat(path: Path) -> tuple[int, int, int] | None:
    try:
        st = os.stat(path)
    except OSError:
        return None
    return (st.st_ino, st.st_mtime_ns, st.st_size)
