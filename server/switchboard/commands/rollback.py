"""`switchboard rollback --rules PATH --to REV [--author "Name <email>"]`: restore an earlier
approved revision as a new commit on the approved branch.

The new commit has REV's content and the current head as its parent, so the server takes it
live like any other change and the history keeps both. REV must be an earlier commit of the
approved branch; the branch only moves if nobody moved it meanwhile.
"""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

_AUTHOR = re.compile(r"^\s*([^<>\n]+?)\s*<([^<>\s]+@[^<>\s]+)>\s*$")


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="switchboard rollback",
        description="Restore an earlier approved revision as a new commit on the approved branch.",
    )
    parser.add_argument("--rules", type=Path, default=Path("."), help="the rules repository")
    parser.add_argument("--to", required=True, help="the earlier revision (SHA, tag, main~2)")
    parser.add_argument("--author", help='who rolls back, "Name <email>" (default: git config)')
    parser.add_argument(
        "--branch", help="the approved branch (default: approved_ref in switchboard.yaml)"
    )
    parser.add_argument("-m", "--message", help="the commit message's first line")
    return parser


def main(argv: list[str]) -> int:
    args = _parser().parse_args(argv)
    author = None
    if args.author is not None:
        match = _AUTHOR.match(args.author)
        if match is None:
            message = '--author must look like "Name <name@example.com>"'
            print(f"switchboard rollback: {message}", file=sys.stderr)
            return 2
        author = (match.group(1), match.group(2))
    from switchboard.proposals.gitcmd import Git
    from switchboard.proposals.wiring import approved_branch
    from switchboard.runtime.reloader import RollbackError, roll_back

    git = Git(args.rules)
    if not git.is_root():
        print(f"switchboard rollback: {args.rules} is not a git repository", file=sys.stderr)
        return 2
    branch = args.branch or approved_branch(args.rules, None)
    try:
        ref = "refs/heads/" + branch.removeprefix("refs/heads/")
        done = roll_back(git, ref, args.to, author, args.message)
    except RollbackError as exc:
        print(f"switchboard rollback: {exc.code}: {exc.message}", file=sys.stderr)
        return 1
    print(
        f"{branch} now has the content of {done.restored[:12]} as the new commit "
        f"{done.commit[:12]} (was {done.previous[:12]})."
    )
    return 0
