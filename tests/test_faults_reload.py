"""A damaged git repository never replaces the revision being served.

tests/test_reload_local.py covers revisions that are invalid or fail their tests; here the
approved branch moves to a commit whose objects cannot be read: a corrupted loose object, a
missing one, and a corrupted object inside a pack. The old revision keeps answering, the
failure shows in /v1/status and /metrics, and the next readable commit goes live.
"""

from __future__ import annotations

import zlib
from collections.abc import Iterator
from pathlib import Path

import pytest

from ops_support import Small, scrape, small_server, value
from repo_helpers import git
from test_reload_support import ROUTINE, _git_env, marked, marker, plumb_commit, wait_for

SIGNATURE = "snippets/signature.yaml"


@pytest.fixture
def small(tmp_path: Path) -> Iterator[Small]:
    with small_server(tmp_path) as server:
        yield server


def staged_commit(repo: Path, n: int) -> tuple[str, str]:
    """A commit of revision `n`'s signature on top of main, not on any branch yet;
    returns (commit, the new signature blob)."""
    text = marked(n)[SIGNATURE]
    blob = _git_env(repo, {}, "hash-object", "-w", "--stdin", stdin=text)
    head = git(repo, "rev-parse", "refs/heads/main")
    index = repo / ".git" / "faults-index"
    env = {"GIT_INDEX_FILE": str(index)}
    try:
        _git_env(repo, env, "read-tree", head)
        _git_env(repo, env, "update-index", "--cacheinfo", f"100644,{blob},{SIGNATURE}")
        tree = _git_env(repo, env, "write-tree")
    finally:
        index.unlink(missing_ok=True)
    commit = _git_env(repo, {}, "commit-tree", tree, "-p", head, "-m", f"Signature {n}")
    return commit, blob


def loose(repo: Path, sha: str) -> Path:
    return repo / ".git" / "objects" / sha[:2] / sha[2:]


def corrupt_loose(repo: Path, sha: str) -> None:
    path = loose(repo, sha)
    data = bytearray(zlib.decompress(path.read_bytes()))
    data[-8:] = b"\x00\xff" * 4  # the header still says blob of this size; the bytes are wrong
    path.chmod(0o644)
    path.write_bytes(zlib.compress(bytes(data)))


def tamper_loose(repo: Path, sha: str) -> None:
    """Valid YAML of the same size, but not the content the commit was made with."""
    path = loose(repo, sha)
    data = zlib.decompress(path.read_bytes())
    assert data.count(marker(1).encode()) == 1
    path.chmod(0o644)
    path.write_bytes(zlib.compress(data.replace(marker(1).encode(), marker(77).encode())))


def corrupt_in_pack(repo: Path, commit: str, sha: str) -> None:
    """Pack every object (`commit`'s too), then flip bytes inside `sha`'s data in the pack."""
    git(repo, "update-ref", "refs/faults/staged", commit)
    git(repo, "repack", "-a", "-d", "-q")
    [pack] = (repo / ".git" / "objects" / "pack").glob("*.pack")
    listing = git(repo, "verify-pack", "-v", str(pack.with_suffix(".idx")))
    for line in listing.splitlines():
        fields = line.split()
        if fields and fields[0] == sha:
            size, offset = int(fields[3]), int(fields[4])
            break
    else:
        raise AssertionError(f"{sha} is not in the pack")
    data = bytearray(pack.read_bytes())
    middle = offset + size // 2
    data[middle : middle + 4] = bytes(b ^ 0xFF for b in data[middle : middle + 4])
    pack.chmod(0o644)
    pack.write_bytes(bytes(data))
    git(repo, "update-ref", "-d", "refs/faults/staged")


def served_marker(small: Small) -> str:
    response = small.ask(ROUTINE, dry_run=True)
    assert response.status_code == 200, response.text
    body: str = response.json()["reply"]["body"]
    return body


@pytest.mark.parametrize(
    "damage", ["corrupt_loose", "tampered_loose", "missing_loose", "corrupt_in_pack"]
)
def test_an_unreadable_revision_keeps_the_old_one_serving(small: Small, damage: str) -> None:
    repo = small.root
    commit, blob = staged_commit(repo, 1)
    if damage == "corrupt_loose":
        corrupt_loose(repo, blob)
    elif damage == "tampered_loose":
        tamper_loose(repo, blob)
    elif damage == "missing_loose":
        loose(repo, blob).unlink()
    else:
        corrupt_in_pack(repo, commit, blob)
    git(repo, "update-ref", "refs/heads/main", commit)

    status = wait_for(
        small.status,
        lambda s: commit in s["reload"]["failed_revisions"],
        what=f"the failure of {commit}",
    )
    assert status["revision"] == small.first and status["ready"] is True
    failure = status["last_failure"]
    assert failure["revision"] == commit
    [problem] = failure["problems"]
    assert problem["code"] == "git_error", problem
    assert blob in problem["message"] and "damaged" in problem["message"], problem
    assert small.client.get("/ready").json()["revision"] == small.first
    assert f"order desk {marker(0)}" in served_marker(small)
    samples = scrape(small.client)
    assert value(samples, "switchboard_reloads_total", result="failed", revision=commit) == 1
    assert value(samples, "switchboard_rules_failing") == 1

    fixed = plumb_commit(repo, marked(2), "A readable revision")
    wait_for(small.status, lambda s: s["revision"] == fixed, what=f"going live of {fixed}")
    assert f"order desk {marker(2)}" in served_marker(small)
    assert value(scrape(small.client), "switchboard_rules_failing") == 0
