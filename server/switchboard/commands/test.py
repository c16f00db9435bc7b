"""`switchboard test [PATH]`: run the rules repository's test cases through the engine.

Prints every failed case with what differed, then `N passed, N failed`; exits 1 on any
failure (or when the repository cannot be loaded).
"""

from __future__ import annotations

import argparse
from pathlib import Path

from switchboard.commands.route import add_rules_options, load_rules


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="switchboard test", description="Run a rules repository's test cases."
    )
    parser.add_argument("path", nargs="?", type=Path, default=Path("."), help="the repository")
    add_rules_options(parser)
    parser.add_argument("-v", "--verbose", action="store_true", help="list passed cases too")
    return parser


def main(argv: list[str]) -> int:
    args = _parser().parse_args(argv)
    ruleset = load_rules("test", args.path, args.rev, args.cache_dir, worktree=args.worktree)
    if ruleset is None:
        return 1
    from switchboard.engine.testing import describe, run_tests

    results = run_tests(ruleset)
    for result in results:
        if not result.passed:
            print(describe(result))
        elif args.verbose:
            print(f"ok   {result.case.suite}/{result.case.id}")
    failed = sum(1 for r in results if not r.passed)
    print(f"{len(results) - failed} passed, {failed} failed")
    return 1 if failed else 0
