"""`switchboard replay`: what a revision would change in recent decisions (impact preview).

    switchboard replay --rules PATH --rev PROPOSED --against LIVE --input inquiries.jsonl
    switchboard replay --rules PATH --rev PROPOSED --against LIVE --store var/switchboard.sqlite

Replays the last N inquiries (default 5,000) through both revisions with the same engine and
the same recorded data, never live lookups, and prints how many decisions change, from what
to what, with examples. Changes from a person to an automatic answer are marked DANGER; the
exit code is 1 when there is any.
"""

from __future__ import annotations

import argparse
import collections
import datetime as dt
import sys
from pathlib import Path

import msgspec

from switchboard.commands.route import load_rules

DEFAULT_LAST = 5_000


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="switchboard replay",
        description="Replay recorded inquiries through two revisions and show the changes.",
    )
    parser.add_argument("--rules", type=Path, required=True, help="the rules repository")
    parser.add_argument("--rev", help="the proposed revision (default: HEAD, or the files)")
    parser.add_argument("--against", required=True, metavar="REV", help="the live revision")
    given = parser.add_mutually_exclusive_group(required=True)
    given.add_argument("--input", type=Path, help="JSON lines: inquiries, context, data")
    given.add_argument("--store", type=Path, help="the conversation store (switchboard.sqlite)")
    parser.add_argument("--last", type=int, default=DEFAULT_LAST, help="how many (default 5000)")
    parser.add_argument("--format", choices=["text", "json"], default="text")
    parser.add_argument("--workers", type=int, default=2, help="processes to use (default 2)")
    parser.add_argument(
        "--cache-dir", type=Path, help="keep trained classifiers here (a directory of your own)"
    )
    return parser


def main(argv: list[str]) -> int:
    args = _parser().parse_args(argv)
    if args.last < 1:
        print("switchboard replay: --last must be at least 1", file=sys.stderr)
        return 2
    proposed = load_rules("replay", args.rules, args.rev, args.cache_dir)
    live = load_rules("replay", args.rules, args.against, args.cache_dir)
    if proposed is None or live is None:
        return 1
    from switchboard.analysis.impact import impact, render
    from switchboard.analysis.replay_items import Refused, ReplayItem, lookup_names

    try:
        if args.store:
            loaded = _from_store(args.store, args.last, lookup_names([live, proposed]))
        else:
            loaded = _from_file(args.input, args.last)
    except OSError as exc:
        print(f"switchboard replay: cannot read {args.input or args.store}: {exc}", file=sys.stderr)
        return 1
    items = [x for x in loaded if isinstance(x, ReplayItem)]
    refused = [x for x in loaded if isinstance(x, Refused)]
    for bad in refused[:20]:
        print(f"switchboard replay: input {bad.line}: {bad.error}", file=sys.stderr)
    source = "store" if args.store else str(args.input)
    report = impact(
        live, proposed, items, source=source, workers=args.workers, refused=len(refused)
    )
    if args.format == "json":
        sys.stdout.write(msgspec.json.format(msgspec.json.encode(report), indent=2).decode())
        sys.stdout.write("\n")
    else:
        print(render(report))
    return 1 if report.dangerous else 0


def _from_file(path: Path, last: int) -> list[object]:
    from switchboard.analysis.replay_items import read_jsonl

    with path.open("rb") as handle:
        return list(collections.deque(read_jsonl(handle, dt.datetime.now(dt.UTC)), maxlen=last))


def _from_store(path: Path, last: int, names: dict[str, set[str]]) -> list[object]:
    from switchboard.analysis.replay_items import items_from_records
    from switchboard.store.conversations import SqliteConversationStore

    if not path.is_file():
        raise FileNotFoundError(f"no conversation store at {path}")
    store = SqliteConversationStore.open(path)
    try:
        with store.reads() as reads:
            records = reads.decisions.recent(last)
    finally:
        store.close()
    return list(items_from_records(records, names))
