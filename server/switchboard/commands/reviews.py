"""`switchboard reviews [PATH] [--rev REV] [--due-within 14d] [--today DATE] [--format F]`.

Lists the rules files due for review by then (overdue ones first), with owner, due date, state
and reason. In a git repository the approved branch (`approved_ref` in switchboard.yaml) is
read unless `--rev` names another revision. Exit status 0, or 1 when the rules do not load.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
from pathlib import Path

from switchboard.reminders.due import ReviewItem, as_dict, due_by, local_today
from switchboard.reminders.periods import add_period, parse_within
from switchboard.reminders.plan import plan_for
from switchboard.rules.model import Ruleset

COLUMNS = ("path", "owner", "due", "state", "reason")


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="switchboard reviews", description="List the rules files due for review."
    )
    parser.add_argument("path", nargs="?", type=Path, default=Path("."), help="the repository")
    parser.add_argument("--rev", help="git revision (default: the approved branch)")
    parser.add_argument(
        "--due-within", default="14d", type=_within, help="look-ahead, e.g. 14d, 2w, 1m"
    )
    parser.add_argument("--all", action="store_true", help="list every file, due or not")
    parser.add_argument(
        "--today", type=dt.date.fromisoformat, help="the date to count from (YYYY-MM-DD)"
    )
    parser.add_argument("--format", choices=("text", "json"), default="text")
    return parser


def _within(text: str) -> str:
    try:
        return parse_within(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def main(argv: list[str]) -> int:
    args = _parser().parse_args(argv)
    ruleset = _load(args.path, args.rev)
    if ruleset is None:
        return 1
    plan = plan_for(ruleset, args.path)
    today = args.today or local_today(dt.datetime.now(dt.UTC), plan.tz)
    until = add_period(today, args.due_within)
    items = plan.items(today, (until - today).days)
    shown = items if args.all else due_by(items, until)
    if args.format == "json":
        print(json.dumps([as_dict(item) for item in shown], indent=2, ensure_ascii=False))
    else:
        print(table(shown))
        overdue = sum(item.state == "overdue" for item in shown)
        print(f"\n{len(shown)} file(s) due by {until.isoformat()}, {overdue} overdue")
    return 0


def table(items: list[ReviewItem]) -> str:
    rows = [COLUMNS] + [
        (item.path, item.owner, item.due.isoformat(), item.state, item.reason) for item in items
    ]
    widths = [max(len(row[n]) for row in rows) for n in range(len(COLUMNS) - 1)]
    return "\n".join(
        "  ".join([*(cell.ljust(w) for cell, w in zip(row, widths, strict=False)), row[-1]])
        for row in rows
    )


def _load(path: Path, rev: str | None) -> Ruleset | None:
    from switchboard.rules import load_ruleset
    from switchboard.rules.gitread import GitError, is_git_root, resolve

    result = load_ruleset(path, rev, build_engine=False)
    ruleset = result.ruleset
    if ruleset is not None and rev is None and is_git_root(path):
        approved = ruleset.settings.approved_ref
        try:
            if resolve(path, approved) != ruleset.revision:
                result = load_ruleset(path, approved, build_engine=False)
                ruleset = result.ruleset
        except GitError:
            pass  # no such branch here: HEAD is all there is
    if ruleset is None:
        for problem in result.problems:
            print(problem, file=sys.stderr)
        print(f"switchboard reviews: {path} does not load", file=sys.stderr)
    return ruleset
