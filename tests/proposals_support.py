"""Shared pieces of the proposal tests: people with roles, rules repositories, edits.

Repositories are real git repositories in temporary folders, made from `repo_helpers.BASE`;
the service runs against them with a real SQLite file.
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

from repo_helpers import git, make_repo
from switchboard.proposals.forge import Forge
from switchboard.proposals.model import Actor, FileEdit, Person, Proposal
from switchboard.proposals.service import ProposalService
from switchboard.store.db import Database
from switchboard.store.proposals import ProposalStore


def person(name: str, *roles: str) -> Actor:
    email = name.lower().replace(" ", ".") + "@nordwerk.example"
    return Actor(Person(name, email), frozenset(roles))


ANNA = person("Anna Berger", "editor")
JONAS = person("Jonas Keller", "editor")
ELENA = person("Elena Roth", "reviewer")
MARC = person("Marc Vogel", "reviewer", "editor")
VIEWER = person("Vera Lang", "viewer")


def bare_repo(tmp_path: Path, name: str = "rules.git") -> Path:
    """A bare repository (branch main) holding one commit of the BASE rules."""
    work = make_repo(tmp_path / f"{name}-seed")
    bare = tmp_path / name
    git(tmp_path, "clone", "-q", "--bare", str(work), str(bare))
    return bare


def open_service(
    repo: Path, tmp_path: Path, cache_dir: Path, forge: Forge | None = None
) -> ProposalService:
    store = ProposalStore(Database.open(tmp_path / "proposals.db"))
    return ProposalService(repo, store, forge=forge, cache_dir=cache_dir)


def change(
    service: ProposalService,
    actor: Actor,
    proposal_id: str,
    path: str,
    old: str,
    new: str,
    message: str | None = None,
) -> Proposal:
    """Replace `old` (which must occur once) by `new` in one file, as an editor would."""
    current = service.file(path, proposal_id)
    assert current.content.count(old) == 1, f"{old!r} is not once in {path}"
    edit = FileEdit(path, current.content.replace(old, new), current.blob)
    return service.edit(actor, proposal_id, message or f"Change {path}", [edit])


def approved(service: ProposalService, title: str, path: str, old: str, new: str) -> Proposal:
    """A proposal by Anna changing one file, submitted and approved by Elena."""
    proposal = service.create(ANNA, title)
    change(service, ANNA, proposal.id, path, old, new)
    service.submit(ANNA, proposal.id)
    return service.approve(ELENA, proposal.id)


def branch_head(repo: Path, branch: str) -> str | None:
    out = git(repo, "for-each-ref", "--format=%(objectname)", f"refs/heads/{branch}")
    return out or None


def tip(repo: Path, branch: str) -> str:
    """The commit of a branch that must exist."""
    head = branch_head(repo, branch)
    assert head is not None, f"no branch {branch}"
    return head


def show(repo: Path, rev: str, path: str) -> str:
    return git(repo, "show", f"{rev}:{path}")


def file_stamps(root: Path) -> dict[str, int]:
    """Modification times (ns) of every file in a working tree and of its index."""
    stamps = {}
    for folder, dirs, names in os.walk(root):
        dirs[:] = [d for d in dirs if d != ".git"]
        for name in names:
            full = Path(folder) / name
            stamps[str(full.relative_to(root))] = full.stat().st_mtime_ns
    stamps[".git/index"] = (root / ".git" / "index").stat().st_mtime_ns
    return stamps


def commit_as(repo: Path, name: str, email: str, parent: str, message: str) -> str:
    """A commit by someone else with `parent`'s files, made with plain git (no branch moves)."""
    tree = git(repo, "rev-parse", f"{parent}^{{tree}}")
    env = {**os.environ, "GIT_AUTHOR_NAME": name, "GIT_AUTHOR_EMAIL": email}
    env |= {"GIT_COMMITTER_NAME": name, "GIT_COMMITTER_EMAIL": email}
    done = subprocess.run(
        ["git", "-C", str(repo), "commit-tree", tree, "-p", parent, "-m", message],
        capture_output=True,
        text=True,
        check=True,
        env=env,
    )
    return done.stdout.strip()
