"""Shared pieces of the reload tests (no tests here): marked revisions, commits made with git
plumbing (no working tree is touched), a SQLite ERP, polling /v1/status.

Revision `n` carries its marker `mNN` twice: in the e-mail signature (so every automatic reply
shows it) and in the complaint rule's reason code (so every routed complaint shows it). A
decision whose text does not carry its own revision's marker mixed two revisions.
"""

from __future__ import annotations

import os
import sqlite3
import subprocess
import time
from collections.abc import Callable, Mapping
from contextlib import closing
from pathlib import Path
from typing import Any

from repo_helpers import _GIT_ENV, BASE, git, make_repo

ERP_ROWS = """
CREATE TABLE customers (customer_id TEXT PRIMARY KEY, name TEXT, email TEXT UNIQUE);
CREATE TABLE orders (order_no TEXT PRIMARY KEY, status TEXT, customer_id TEXT);
INSERT INTO customers VALUES ('C10023', 'Hydro-Kraft GmbH', 'einkauf@hydro-kraft.example');
INSERT INTO orders VALUES ('SO4500123', 'shipped', 'C10023');
"""
HYDRO = {"email": "einkauf@hydro-kraft.example"}
ROUTINE = {"channel": "email", "text": "Where is my order SO4500123?", "identifiers": HYDRO}
COMPLAINT = {
    "channel": "email",
    "text": "The pump you sent is broken and we are unhappy with the delivery.",
    "identifiers": HYDRO,
}
SIGNATURE = "snippets/signature.yaml"
SAFETY = "escalation/safety.yaml"


def marker(n: int) -> str:
    return f"m{n:02d}"


def marked(n: int) -> dict[str, str]:
    """The BASE repository with revision `n`'s marker in the signature and a reason code."""
    files = dict(BASE)
    files[SIGNATURE] = files[SIGNATURE].replace(
        '"Kind regards, the order desk"', f'"Kind regards, the order desk {marker(n)}"'
    )
    files[SAFETY] = files[SAFETY].replace("reason: complaint\n", f"reason: complaint_{marker(n)}\n")
    assert files != BASE
    return files


def make_marked_repo(root: Path) -> tuple[Path, str]:
    make_repo(root, marked(0))
    return root, git(root, "rev-parse", "HEAD")


def make_erp(path: Path) -> Path:
    with closing(sqlite3.connect(path)) as conn:
        conn.executescript(ERP_ROWS)
    return path


def plumb_commit(
    repo: Path, files: Mapping[str, str | None], message: str = "Change", branch: str = "main"
) -> str:
    """Commit `files` (None deletes) on top of `branch` with plumbing only: blobs, a tree from
    a private index, commit-tree and a compare-and-swap update-ref. No file is checked out."""
    ref = f"refs/heads/{branch}"
    head = git(repo, "rev-parse", ref)
    index = repo / ".git" / f"reload-test-index-{time.monotonic_ns()}"
    env = {"GIT_INDEX_FILE": str(index)}
    try:
        _git_env(repo, env, "read-tree", head)
        for path, content in files.items():
            if content is None:
                _git_env(repo, env, "update-index", "--force-remove", path)
                continue
            blob = _git_env(repo, env, "hash-object", "-w", "--stdin", stdin=content)
            _git_env(repo, env, "update-index", "--add", "--cacheinfo", f"100644,{blob},{path}")
        tree = _git_env(repo, env, "write-tree")
    finally:
        index.unlink(missing_ok=True)
    commit = _git_env(repo, {}, "commit-tree", tree, "-p", head, "-m", message)
    git(repo, "update-ref", ref, commit, head)
    return commit


def _git_env(repo: Path, env: Mapping[str, str], *args: str, stdin: str | None = None) -> str:
    done = subprocess.run(
        ["git", "-C", str(repo), *args],
        input=stdin,
        capture_output=True,
        text=True,
        check=True,
        env={**os.environ, **_GIT_ENV, **env},
    )
    return done.stdout.strip()


def wait_for(
    fetch: Callable[[], dict[str, Any]],
    until: Callable[[dict[str, Any]], bool],
    timeout: float = 30.0,
    what: str = "the status",
) -> dict[str, Any]:
    """Poll `fetch` until `until` holds; the last answer, or AssertionError after `timeout`."""
    deadline = time.monotonic() + timeout
    last: dict[str, Any] = {}
    while time.monotonic() < deadline:
        last = fetch()
        if until(last):
            return last
        time.sleep(0.05)
    raise AssertionError(f"{what} did not settle within {timeout} s; last: {last}")


def check_decision(decision: dict[str, Any], markers: Mapping[str, str]) -> str | None:
    """Why `decision` is wrong for the revision it names (None when it is right)."""
    revision = decision.get("revision")
    if revision not in markers:
        return f"revision {revision} was never approved"
    own = markers[revision]
    others = {m for m in markers.values() if m != own}
    if decision["intent"] == "order_status":
        if decision["outcome"] != "auto_reply":
            return f"the routine question was not answered: {decision['reasons']}"
        text = decision["reply"]["body"]
        found = {m for m in others if f"order desk {m}" in text}
        if f"order desk {own}" not in text or found:
            return f"reply of {revision[:8]} ({own}) reads {text!r}"
        return None
    reasons = set(decision["reasons"])
    if f"complaint_{own}" not in reasons or {f"complaint_{m}" for m in others} & reasons:
        return f"reasons of {revision[:8]} ({own}) are {sorted(reasons)}"
    return None
