"""Builds one revision completely, off the request path: load, engine, the repository's own
tests, live data. The result either can be served as it is or says why it cannot.

Blocking (git, YAML, templates, maybe classifier training); the reloader runs it in its thread.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import logging
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from switchboard.connectors import LiveData
from switchboard.engine.program import program_for
from switchboard.engine.testing import CaseResult, run_tests
from switchboard.rules import load_ruleset
from switchboard.rules.problems import Problem
from switchboard.runtime._engine import EngineParts, MemoClassifier, build_parts
from switchboard.runtime.active import LoadFailure, Snapshot

log = logging.getLogger("switchboard.reloader")


@dataclass(slots=True)
class Build:
    revision: str  # as asked for; the commit SHA once read
    snapshot: Snapshot | None = None
    failure: LoadFailure | None = None
    parts: EngineParts | None = None
    timings: dict[str, float] = field(default_factory=dict)  # phase -> seconds
    reused: list[str] = field(default_factory=list)  # renderer, classifier, data


def build(
    path: Path,
    rev: str | None,
    *,
    live: Snapshot | None,
    parts: EngineParts | None,
    cache_dir: Path | None,
    environ: Mapping[str, str],
) -> Build:
    """Everything needed to serve `rev` of `path`, or the failure that keeps it off the air."""
    out = Build(rev or "")
    start = time.perf_counter()
    try:
        _build(out, path, rev, live, parts, cache_dir, environ)
    except Exception as exc:  # a crash while building must never reach the live revision
        log.exception("building revision %s of %s crashed", rev, path)
        out.failure = _failure(out.revision, f"Building the revision failed: {exc}")
    out.timings["total"] = time.perf_counter() - start
    if out.snapshot is not None:  # the timings shown with the live revision include the total
        out.snapshot = dataclasses.replace(out.snapshot, timings=dict(out.timings))
    return out


def _build(
    out: Build,
    path: Path,
    rev: str | None,
    live: Snapshot | None,
    parts: EngineParts | None,
    cache_dir: Path | None,
    environ: Mapping[str, str],
) -> None:
    result = load_ruleset(path, rev, build_engine=False)
    out.revision = result.revision or out.revision
    out.timings.update(result.timings)
    if result.ruleset is None:
        errors = [p for p in result.problems if p.severity == "error"]
        if result.revision:
            message = f"{len(errors)} problem(s) in the rules."
        else:  # nothing could be read: say where and why
            message = f"{path} cannot be read: {'; '.join(p.message for p in errors[:3])}"
        out.failure = _failure(out.revision, message, errors)
        return
    with _timed(out.timings, "engine"):
        try:
            ruleset, out.parts, out.reused = build_parts(result.ruleset, parts, cache_dir)
        except Exception as exc:  # reported like a rules problem
            problem = Problem(".", 1, 1, "", "engine_build_failed", f"The engine failed: {exc}")
            out.failure = _failure(out.revision, "The engine could not be built.", [problem])
            return
    with _timed(out.timings, "tests"):
        assert out.parts is not None
        tested = dataclasses.replace(
            ruleset, classifier=MemoClassifier(ruleset.classifier, out.parts.predictions)
        )
        failed = [r for r in run_tests(tested) if not r.passed]
        program_for(ruleset)  # compiled here, not by the first request after the swap
    if failed:
        message = f"{len(failed)} of {len(ruleset.tests)} repository test(s) failed."
        out.failure = _failure(out.revision, message, tests=[_test_dict(r) for r in failed])
        return
    data: Any
    if live is not None and live.ruleset.connectors == ruleset.connectors:
        data = live.data  # same connectors: keep the pools, breakers and counters
        out.reused.append("data")
    else:
        data = LiveData(ruleset.connectors, environ)
    out.snapshot = Snapshot(ruleset, data, dt.datetime.now(dt.UTC))


def _failure(
    revision: str,
    message: str,
    problems: list[Problem] | None = None,
    tests: list[dict[str, Any]] | None = None,
) -> LoadFailure:
    return LoadFailure(
        at=dt.datetime.now(dt.UTC),
        message=f"Revision {_short(revision)} did not go live: {message}",
        problems=tuple(p.to_dict() for p in problems or []),
        revision=revision,
        failed_tests=tuple(tests or []),
    )


def _test_dict(result: CaseResult) -> dict[str, Any]:
    case, decision = result.case, result.decision
    entry: dict[str, Any] = {
        "suite": case.suite,
        "id": case.id,
        "file": case.location.file,
        "line": case.location.line,
        "problems": list(result.problems),
    }
    if decision is not None:
        entry["decided"] = {
            "outcome": decision.outcome,
            "queue": decision.queue,
            "intent": decision.intent,
            "reasons": list(decision.reasons),
        }
    return entry


def _short(revision: str) -> str:
    return revision[:12] or "?"


@contextmanager
def _timed(timings: dict[str, float], phase: str) -> Iterator[None]:
    start = time.perf_counter()
    try:
        yield
    finally:
        timings[phase] = time.perf_counter() - start
