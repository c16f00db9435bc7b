"""What the reminders work from for one approved revision: its files, triggers and time zone."""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass
from pathlib import Path
from zoneinfo import ZoneInfo

from switchboard.proposals.gitcmd import GitFailed
from switchboard.reminders.due import ReviewItem, Trigger, compute_reviews
from switchboard.reminders.history import snippet_changes, triggers_for
from switchboard.rules.gitread import is_git_root
from switchboard.rules.model import FileInfo, Ruleset
from switchboard.rules.source import WORKTREE

log = logging.getLogger("switchboard.reminders")


@dataclass(frozen=True, slots=True)
class Plan:
    name: str  # the repository's name, for message subjects
    revision: str
    tz: ZoneInfo
    files: tuple[FileInfo, ...]
    triggers: tuple[Trigger, ...] = ()

    def items(self, now: dt.datetime | dt.date, window: int) -> list[ReviewItem]:
        return compute_reviews(self.files, self.triggers, now, self.tz, window)


def plan_for(ruleset: Ruleset, repo: Path | None) -> Plan:
    """The plan for `ruleset`; snippet triggers need `repo`, the git repository it came from."""
    tz = ZoneInfo(ruleset.settings.time_zone)
    triggers: list[Trigger] = []
    if repo is not None and ruleset.revision not in ("", WORKTREE) and is_git_root(repo):
        try:
            triggers = triggers_for(ruleset, snippet_changes(repo, ruleset.revision, tz))
        except (GitFailed, OSError) as exc:
            log.warning("snippet history of %s could not be read: %s", repo, exc)
    return Plan(ruleset.settings.name, ruleset.revision, tz, ruleset.files, tuple(triggers))
