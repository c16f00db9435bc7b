"""A local bare mirror of a remote rules repository's approved branch.

Only the one branch is fetched, forced (the remote decides what is approved, even after a
history rewrite), without tags. The runtime then reads revisions from the mirror exactly as it
reads a local repository.
"""

from __future__ import annotations

from pathlib import Path

import yaml

from switchboard.proposals.gitcmd import Git, GitFailed, redact

FETCH_TIMEOUT_S = 120.0
DEFAULT_BRANCH = "main"


class MirrorError(Exception):
    """Fetching or pushing failed; the message carries git's explanation, credentials removed."""


class Mirror:
    def __init__(self, url: str, path: Path, timeout_s: float = FETCH_TIMEOUT_S) -> None:
        self.url = url
        self.path = path
        self.timeout_s = timeout_s
        self.git = Git(path)

    @property
    def shown_url(self) -> str:
        return redact(self.url)

    def ensure(self) -> None:
        """Create the bare repository if needed and point its `origin` at the URL."""
        try:
            if not (self.path / "HEAD").is_file():
                self.path.mkdir(parents=True, exist_ok=True)
                self.git.run("init", "--bare", "--quiet")
            self.git.run("config", "remote.origin.url", self.url)
        except (GitFailed, OSError) as exc:
            raise MirrorError(f"The mirror {self.path} cannot be set up: {exc}") from None

    def approved_branch(self) -> str:
        """`approved_ref` of switchboard.yaml on the remote's default branch (else `main`)."""
        self._call("fetch", "--quiet", "--no-tags", "origin", "HEAD")
        code, out = self.git.call(
            "cat-file", "blob", "FETCH_HEAD:switchboard.yaml", ok_codes=(0, 128)
        )
        try:
            data = yaml.safe_load(out) if code == 0 else None
        except yaml.YAMLError:
            data = None
        value = data.get("approved_ref") if isinstance(data, dict) else None
        return value if isinstance(value, str) and value else DEFAULT_BRANCH

    def fetch(self, branch: str) -> None:
        ref = f"refs/heads/{branch}"
        self._call("fetch", "--quiet", "--no-tags", "origin", f"+{ref}:{ref}")

    def push(self, commit: str, branch: str, expected: str) -> None:
        """Move the remote branch to `commit`, only if it is still at `expected`."""
        ref = f"refs/heads/{branch}"
        self._call(
            "push", "--quiet", f"--force-with-lease={ref}:{expected}", "origin", f"{commit}:{ref}"
        )

    def _call(self, *args: str) -> None:
        try:
            self.git.call(*args, timeout_s=self.timeout_s)
        except GitFailed as exc:
            raise MirrorError(f"git {args[0]} from {self.shown_url}: {exc.stderr}") from None
