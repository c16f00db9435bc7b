"""Whether a revision may be written or go live: it loads without errors, its tests pass.

Writes are checked quickly (no classifier, no templates compiled); a merge is checked in
full, the same way the runtime will load it, and the repository's test cases are run.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any

from switchboard.proposals.errors import InvalidRevision, TestsFailed
from switchboard.proposals.model import CaseOutcome, Checks, ProblemInfo

MAX_REPORTED = 50


def quick_check(repo: Path, revision: str) -> Checks:
    """Load `revision` without building the engine; tests are not run."""
    from switchboard.rules import load_ruleset

    result = load_ruleset(repo, revision, build_engine=False)
    problems = [problem_info(p) for p in result.problems]
    return Checks(revision, _valid(result.ruleset, problems), problems)


def full_check(repo: Path, revision: str, cache_dir: Path | None = None) -> Checks:
    """Load `revision` as the runtime would and run its test cases."""
    from switchboard.engine.testing import run_tests
    from switchboard.rules import load_ruleset

    result = load_ruleset(repo, revision, build_engine=True, cache_dir=cache_dir)
    problems = [problem_info(p) for p in result.problems]
    ruleset = result.ruleset
    if ruleset is None or not _valid(ruleset, problems):
        return Checks(revision, False, problems)
    outcomes = [
        CaseOutcome(
            suite=r.case.suite,
            case=r.case.id,
            file=r.case.location.file,
            line=r.case.location.line,
            passed=r.passed,
            problems=list(r.problems),
        )
        for r in run_tests(ruleset)
    ]
    return Checks(revision, True, problems, outcomes)


def require_valid(checks: Checks) -> None:
    if not checks.valid:
        errors = errors_of(checks.problems)
        raise InvalidRevision(
            f"The change would leave the rules with {len(errors)} error(s); nothing was saved.",
            {"problems": [_plain(p) for p in errors[:MAX_REPORTED]], "problem_count": len(errors)},
        )


def require_passing(checks: Checks) -> None:
    require_valid(checks)
    failed = checks.failed_tests
    if failed:
        raise TestsFailed(
            f"{len(failed)} of the repository's {len(checks.tests or [])} test case(s) fail.",
            {"failed": [_plain(case) for case in failed[:MAX_REPORTED]]},
        )


def errors_of(problems: Iterable[ProblemInfo]) -> list[ProblemInfo]:
    return [p for p in problems if p.severity == "error"]


def problem_info(problem: Any) -> ProblemInfo:
    """A loader problem as data, whatever class the loader uses."""
    return ProblemInfo(
        file=str(getattr(problem, "file", ".")),
        line=int(getattr(problem, "line", 1) or 1),
        column=int(getattr(problem, "column", 1) or 1),
        code=str(getattr(problem, "code", "problem")),
        message=str(getattr(problem, "message", problem)),
        severity=str(getattr(problem, "severity", "error")),
        pointer=str(getattr(problem, "pointer", "")),
    )


def _valid(ruleset: object, problems: list[ProblemInfo]) -> bool:
    return ruleset is not None and not errors_of(problems)


def _plain(value: Any) -> dict[str, Any]:
    import msgspec

    data: dict[str, Any] = msgspec.to_builtins(value)
    return data
