"""Builds the proposal service from the server settings."""

from __future__ import annotations

from pathlib import Path

import yaml

from switchboard.proposals.errors import RepositoryUnavailable
from switchboard.proposals.forge import Forge
from switchboard.proposals.gitcmd import Git
from switchboard.proposals.service import ProposalService
from switchboard.proposals.workspace import not_a_repository
from switchboard.settings import Settings
from switchboard.store.db import Database
from switchboard.store.proposals import ProposalStore

DATABASE_FILE = "switchboard.db"
DEFAULT_APPROVED = "main"


def open_service(settings: Settings) -> ProposalService:
    """The service for `settings.rules_path`; RepositoryUnavailable when it cannot be had."""
    if settings.rules_path is None:
        raise RepositoryUnavailable("No rules repository is configured.", {"reason": "no_rules"})
    if settings.push_proposals and not settings.proposals_remote:
        raise RepositoryUnavailable(
            "SWITCHBOARD_PUSH_PROPOSALS is on but SWITCHBOARD_PROPOSALS_REMOTE is empty.",
            {"reason": "no_remote"},
        )
    if not Git(settings.rules_path).is_root():
        raise not_a_repository(settings.rules_path)
    forge = Forge(settings.proposals_remote or "") if settings.push_proposals else None
    approved = approved_branch(settings.rules_path, settings.rules_rev)
    store = ProposalStore(Database.open(settings.data_dir / DATABASE_FILE))
    return ProposalService(
        settings.rules_path,
        store,
        approved_ref=approved,
        forge=forge,
        cache_dir=settings.cache_path,
    )


def approved_branch(repo: Path, rules_rev: str | None) -> str:
    """The branch the runtime serves: the configured revision, else `approved_ref` in
    switchboard.yaml on the repository's default branch, else `main`."""
    if rules_rev:
        return rules_rev.removeprefix("refs/heads/")
    code, out = Git(repo).call("cat-file", "blob", "HEAD:switchboard.yaml", ok_codes=(0, 128))
    if code != 0:
        return DEFAULT_APPROVED
    try:
        data = yaml.safe_load(out)
    except yaml.YAMLError:
        return DEFAULT_APPROVED
    value = data.get("approved_ref") if isinstance(data, dict) else None
    return value if isinstance(value, str) and value else DEFAULT_APPROVED
