"""The active ruleset: one reference to what is being served, replaced in one assignment.

A request takes one `Snapshot` at its start and uses it to the end, so a swap in the middle of
a request never mixes two revisions. Until the first good load there is no snapshot and the
server is not ready. A failed load never replaces a good snapshot; it is kept as `last_failure`
for /ready and /v1/status.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import msgspec

from switchboard.connectors import LiveData
from switchboard.engine.types import DataSource
from switchboard.errors import NotReady
from switchboard.rules import load_ruleset
from switchboard.rules.model import Ruleset

log = logging.getLogger("switchboard.runtime")

MAX_REPORTED_PROBLEMS = 20


@dataclass(frozen=True, slots=True)
class Snapshot:
    """One revision as served: the ruleset, live data for its connectors, and how it loaded."""

    ruleset: Ruleset
    data: DataSource
    loaded_at: dt.datetime
    timings: Mapping[str, float] = field(default_factory=dict)

    @property
    def revision(self) -> str:
        return self.ruleset.revision


@dataclass(frozen=True, slots=True)
class LoadFailure:
    """Why the latest load did not go live."""

    at: dt.datetime
    message: str
    problems: tuple[dict[str, Any], ...] = ()
    revision: str = ""  # the commit that failed ("" when none could be read)
    failed_tests: tuple[dict[str, Any], ...] = ()  # repository tests that did not pass


class ActiveRuleset:
    """Holds the current snapshot. Reads are one attribute load; a swap is one assignment."""

    def __init__(self) -> None:
        self._snapshot: Snapshot | None = None
        self.last_failure: LoadFailure | None = None

    @property
    def ready(self) -> bool:
        return self._snapshot is not None

    def peek(self) -> Snapshot | None:
        return self._snapshot

    def get(self) -> Snapshot:
        """The current snapshot, or NotReady (503) before the first good load."""
        snapshot = self._snapshot
        if snapshot is None:
            reason = "load_failed" if self.last_failure else "loading"
            raise NotReady("No ruleset is loaded yet.", {"reason": reason})
        return snapshot

    def swap(self, snapshot: Snapshot) -> Snapshot | None:
        """Serve `snapshot` from now on; returns the one it replaced (its owner closes it)."""
        old, self._snapshot = self._snapshot, snapshot
        self.last_failure = None
        return old

    def fail(self, failure: LoadFailure) -> None:
        self.last_failure = failure

    def failure_details(self) -> dict[str, Any]:
        failure = self.last_failure
        if failure is None:
            return {"reason": "loading"}
        return {
            "reason": "load_failed",
            "message": failure.message,
            "problems": list(failure.problems[:MAX_REPORTED_PROBLEMS]),
            "problem_count": len(failure.problems),
            "revision": failure.revision or None,
            "at": failure.at,
            "failed_tests": list(failure.failed_tests[:MAX_REPORTED_PROBLEMS]),
        }


def load_snapshot(
    path: Path, rev: str | None, cache_dir: Path | None, environ: Mapping[str, str]
) -> Snapshot | LoadFailure:
    """Load, validate and compile `path` at `rev`, and open live data for its connectors.

    Blocking (git, YAML, classifier training); run it in a worker thread.
    """
    now = dt.datetime.now(dt.UTC)
    try:
        result = load_ruleset(path, rev, build_engine=True, cache_dir=cache_dir)
        if result.ruleset is None:
            problems = tuple(problem_dict(p) for p in result.problems)
            return LoadFailure(now, f"{path} has {len(problems)} problem(s).", problems)
        data = LiveData(result.ruleset.connectors, environ)
    except Exception as exc:  # a loader crash must not take the server down
        log.exception("loading the rules repository %s failed", path)
        return LoadFailure(now, f"Loading {path} failed: {exc}")
    timings = {str(k): float(v) for k, v in dict(result.timings).items()}
    return Snapshot(result.ruleset, data, dt.datetime.now(dt.UTC), timings)


def problem_dict(problem: Any) -> dict[str, Any]:
    """A loader problem as plain JSON data, whatever its class."""
    try:
        value = msgspec.to_builtins(problem)
    except TypeError:
        value = None
    if isinstance(value, dict):
        return value
    return {"message": str(problem)}
