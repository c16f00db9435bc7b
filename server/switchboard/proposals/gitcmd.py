"""Runs git plumbing commands against one repository (bare or not) and reports failures.

Every command runs with `git -C <root>` and a fixed environment: no terminal prompts, the C
locale (so messages can be recognised), no pager, and paths taken literally (never as
patterns). Nothing here checks out files.
"""

from __future__ import annotations

import os
import re
import subprocess
from collections.abc import Mapping, Sequence
from pathlib import Path

_CREDENTIALS = re.compile(r"(\w+://)[^/@\s]+@")


class GitFailed(Exception):
    """A git command failed; `stderr` holds git's own explanation (credentials removed)."""

    def __init__(self, args: Sequence[str], returncode: int, stderr: str) -> None:
        self.command = list(args)
        self.returncode = returncode
        self.stderr = redact(stderr.strip())
        super().__init__(f"git {self.command[0]} failed ({returncode}): {self.stderr}")


def redact(text: str) -> str:
    """`https://user:token@host/...` -> `https://***@host/...`."""
    return _CREDENTIALS.sub(r"\1***@", text)


class Git:
    """One repository. `run` returns stdout as bytes; `text` returns it decoded and stripped."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self._env = {
            **os.environ,
            "GIT_TERMINAL_PROMPT": "0",
            "GIT_PAGER": "cat",
            "LC_ALL": "C",
            "GIT_LITERAL_PATHSPECS": "1",  # a path is a path, never a pattern
            "GIT_SSH_COMMAND": os.environ.get("GIT_SSH_COMMAND", "ssh -o BatchMode=yes"),
        }

    def run(
        self,
        *args: str,
        stdin: bytes | None = None,
        env: Mapping[str, str] | None = None,
        ok_codes: tuple[int, ...] = (0,),
    ) -> bytes:
        return self.call(*args, stdin=stdin, env=env, ok_codes=ok_codes)[1]

    def call(
        self,
        *args: str,
        stdin: bytes | None = None,
        env: Mapping[str, str] | None = None,
        ok_codes: tuple[int, ...] = (0,),
        timeout_s: float | None = None,
    ) -> tuple[int, bytes]:
        """(exit code, stdout); exit codes outside `ok_codes` raise GitFailed."""
        full_env = {**self._env, **env} if env else self._env
        try:
            done = subprocess.run(
                ["git", "-C", str(self.root), *args],
                input=stdin,
                capture_output=True,
                env=full_env,
                check=False,
                timeout=timeout_s,
            )
        except subprocess.TimeoutExpired:
            raise GitFailed(args, -1, f"no answer within {timeout_s} s") from None
        if done.returncode not in ok_codes:
            raise GitFailed(args, done.returncode, done.stderr.decode("utf-8", "replace"))
        return done.returncode, done.stdout

    def text(
        self, *args: str, stdin: bytes | None = None, env: Mapping[str, str] | None = None
    ) -> str:
        return self.run(*args, stdin=stdin, env=env).decode("utf-8", "replace").strip()

    def git_dir(self) -> Path:
        return Path(self.text("rev-parse", "--absolute-git-dir"))

    def is_root(self) -> bool:
        """True when `root` is a bare repository or the top of a working tree, not a folder
        somewhere inside another repository."""
        try:
            if self.text("rev-parse", "--is-bare-repository") == "true":
                return self.git_dir().resolve() == self.root.resolve()
            return Path(self.text("rev-parse", "--show-toplevel")).resolve() == self.root.resolve()
        except (GitFailed, OSError):
            return False
