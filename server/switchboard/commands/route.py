"""`switchboard route`: decide one inquiry and print the Decision as JSON.

Live data comes from the repository's connectors when their settings are in the environment;
otherwise every lookup answers `error`, so the decision routes instead of answering.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import sys
from pathlib import Path

import msgspec

from switchboard.engine.types import Context, Customer, DataSource, Identifiers, Inquiry
from switchboard.rules.model import Ruleset


def load_rules(
    command: str,
    path: Path,
    rev: str | None,
    cache_dir: Path | None = None,
    *,
    worktree: bool = False,
) -> Ruleset | None:
    """The ruleset at `path` (and `rev`), or None after printing why it cannot be used."""
    from switchboard.rules import load_ruleset

    try:
        result = load_ruleset(path, rev, cache_dir=cache_dir, worktree=worktree)
    except (OSError, ValueError) as exc:
        print(f"switchboard {command}: cannot read {path}: {exc}", file=sys.stderr)
        return None
    errors = [p for p in result.problems if getattr(p, "severity", "error") == "error"]
    for problem in result.problems:
        print(problem, file=sys.stderr)
    if errors or result.ruleset is None:
        print(f"switchboard {command}: {path} has {len(errors)} error(s)", file=sys.stderr)
        return None
    ruleset: Ruleset = result.ruleset
    return ruleset


def live_data(ruleset: Ruleset) -> tuple[DataSource, str | None]:
    """The live connectors, or a source that fails every lookup, and a note on what is missing."""
    from switchboard.engine.sources import UnavailableDataSource

    try:
        from switchboard.connectors import LiveData
    except ImportError as exc:
        return UnavailableDataSource(f"connectors unavailable: {exc}"), f"no connectors ({exc})"
    settings = {
        setting
        for connector in ruleset.connectors.values()
        for setting in (connector.dsn_setting, connector.base_url_setting)
        if setting
    }
    missing = sorted(s for s in settings if not os.environ.get(s))
    if settings and len(missing) == len(settings):
        reason = f"not set: {', '.join(missing)}"
        return UnavailableDataSource(reason), reason
    note = f"not set: {', '.join(missing)}" if missing else None
    return LiveData(ruleset.connectors, os.environ), note


def identify(ruleset: Ruleset, identifiers: Identifiers, data: DataSource) -> Customer | None:
    try:
        from switchboard.connectors import resolve_customer
    except ImportError:
        return None
    customer, _ = resolve_customer(ruleset, data, identifiers)
    return customer


def add_rules_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--rev", help="the commit, branch or tag to use in a git repository (default: HEAD)"
    )
    parser.add_argument(
        "--worktree",
        action="store_true",
        help="read a git repository's working files instead of a commit (pre-commit hooks)",
    )
    parser.add_argument(
        "--cache-dir", type=Path, help="keep trained classifiers here (a directory of your own)"
    )


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="switchboard route", description="Decide one inquiry and print the Decision as JSON."
    )
    parser.add_argument("--rules", type=Path, required=True, help="the rules repository")
    add_rules_options(parser)
    parser.add_argument("--channel", choices=["email", "sms", "chat", "voice"], default="email")
    parser.add_argument("--from", dest="sender", help="sender e-mail address or phone number")
    parser.add_argument("--customer-id", help="the customer id, when already known")
    parser.add_argument("--subject", help="the e-mail subject")
    parser.add_argument("--locale", help="language hint from the channel (en, de, ...)")
    parser.add_argument("text", help="the inquiry text")
    return parser


def main(argv: list[str]) -> int:
    args = _parser().parse_args(argv)
    ruleset = load_rules("route", args.rules, args.rev, args.cache_dir, worktree=args.worktree)
    if ruleset is None:
        return 1
    from switchboard.engine.decide import decide

    identifiers = Identifiers(customer_id=args.customer_id)
    if args.sender:
        kind = "email" if "@" in args.sender else "phone"
        identifiers = msgspec.structs.replace(identifiers, **{kind: args.sender})
    inquiry = Inquiry(
        channel=args.channel,
        text=args.text,
        identifiers=identifiers,
        subject=args.subject,
        locale=args.locale,
        received_at=dt.datetime.now(dt.UTC),
    )
    data, note = live_data(ruleset)
    if note:
        print(f"switchboard route: live data: {note}; those lookups will fail", file=sys.stderr)
    customer = identify(ruleset, identifiers, data)
    context = Context(now=dt.datetime.now(dt.UTC), customer=customer)
    decision = decide(ruleset, inquiry, context, data)
    sys.stdout.write(msgspec.json.format(msgspec.json.encode(decision), indent=2).decode() + "\n")
    return 0
