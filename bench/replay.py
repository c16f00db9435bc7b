"""Replay throughput of the impact preview: inquiries per second through two revisions.

    python -m bench.replay [--count 10000] [--workers 2] [--cache-dir DIR]

The demo rules are committed to a temporary git repository with two proposals on top:
`threshold` lowers the claim threshold (only an escalation rule changes, so both revisions
classify alike and each inquiry is classified once) and `taxonomy` adds a training phrase
(each revision classifies on its own: the slow case). The inquiries are the development
set's texts made distinct (other order numbers and amounts, greetings), a third of them with
recorded ERP rows. Each figure covers both revisions: N inquiries means 2 N decisions.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import re
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from switchboard.analysis.impact import impact
from switchboard.analysis.replay_items import ReplayItem, item_of
from switchboard.rules import load_ruleset
from switchboard.rules.model import Ruleset

ROOT = Path(__file__).resolve().parent.parent
NOW = dt.datetime(2026, 12, 1, 9, 30, tzinfo=dt.UTC)
GREETINGS = ["", "Hello, ", "Hi team, ", "Guten Tag, ", "Good morning. ", "Hallo zusammen, "]
_ORDER = re.compile(r"SO\s?\d{7}")
_GIT = {
    "GIT_AUTHOR_NAME": "Bench",
    "GIT_AUTHOR_EMAIL": "bench@nordwerk.example",
    "GIT_COMMITTER_NAME": "Bench",
    "GIT_COMMITTER_EMAIL": "bench@nordwerk.example",
    "GIT_CONFIG_GLOBAL": os.devnull,
    "GIT_CONFIG_NOSYSTEM": "1",
}


def git(root: Path, *args: str) -> str:
    done = subprocess.run(
        ["git", "-C", str(root), *args],
        capture_output=True,
        text=True,
        check=True,
        env={**os.environ, **_GIT},
    )
    return done.stdout.strip()


def repository(root: Path) -> dict[str, str]:
    """The demo rules and two proposals on branches; name -> commit."""
    shutil.copytree(ROOT / "rules-repo", root)
    git(root, "init", "-q", "-b", "main")
    git(root, "add", "-A")
    git(root, "commit", "-qm", "demo rules")
    commits = {"live": git(root, "rev-parse", "HEAD")}
    rules = root / "escalation" / "complaints.yaml"
    text = rules.read_text(encoding="utf-8")
    rules.write_text(text.replace("op: gte, value: 5000}", "op: gte, value: 2000}"), "utf-8")
    git(root, "commit", "-qam", "lower the claim threshold")
    commits["threshold"] = git(root, "rev-parse", "HEAD")
    git(root, "checkout", "-q", commits["live"])
    taxonomy = root / "taxonomy" / "order_status.yaml"
    text = taxonomy.read_text(encoding="utf-8")
    taxonomy.write_text(text.replace("  en:\n", "  en:\n    - Any news on our order?\n", 1))
    git(root, "commit", "-qam", "one more phrase")
    commits["taxonomy"] = git(root, "rev-parse", "HEAD")
    return commits


def inquiries(count: int) -> list[ReplayItem]:
    path = ROOT / "tests" / "data" / "dev_inquiries.jsonl"
    lines = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line]
    items = []
    for n in range(count):
        source = lines[n % len(lines)]
        order = f"SO45{n % 100_000:05d}"
        text = GREETINGS[n % len(GREETINGS)] + _ORDER.sub(order, source["text"])
        text = text.replace("5.000", f"{1000 + n % 9000:,}".replace(",", "."))
        line: dict[str, Any] = {"id": f"q{n}", "channel": source["channel"], "text": text}
        if n % 3 == 0:
            row = {"order_no": order, "status": "shipped", "customer_id": "C00000"}
            line["data"] = {"erp.order_by_reference": {**row, "value": 1200, "eta": "2026-12-09"}}
        items.append(item_of(line, NOW, f"q{n}"))
    return items


def _cpu() -> float:
    """CPU seconds of this process and its finished children (the replay's workers): on a
    shared machine the wall clock also counts other people's work."""
    own, children = (
        resource.getrusage(resource.RUSAGE_SELF),
        resource.getrusage(resource.RUSAGE_CHILDREN),
    )
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def load(root: Path, rev: str, cache: Path) -> Ruleset:
    result = load_ruleset(root, rev, cache_dir=cache)
    assert result.ruleset is not None, [str(p) for p in result.errors]
    return result.ruleset


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bench.replay", description=__doc__.split("\n")[0]
    )
    parser.add_argument("--count", type=int, default=10_000)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--cache-dir", type=Path, help="classifier cache (default: temporary)")
    args = parser.parse_args(argv if argv is not None else sys.argv[1:])
    results: dict[str, Any] = {"count": args.count, "workers": args.workers}
    with tempfile.TemporaryDirectory(prefix="bench-replay-") as tmp:
        root, cache = Path(tmp) / "rules", args.cache_dir or Path(tmp) / "cache"
        commits = repository(root)
        live = load(root, commits["live"], cache)
        items = inquiries(args.count)
        print(f"{args.count:,} inquiries, {args.workers} worker(s), both revisions each")
        for name in ("threshold", "taxonomy"):
            proposed = load(root, commits[name], cache)
            for workers in sorted({1, args.workers}):
                start, cpu = time.perf_counter(), _cpu()
                report = impact(live, proposed, items, source="bench", workers=workers)
                seconds, cpu = time.perf_counter() - start, _cpu() - cpu
                rate = args.count / seconds
                per_10k, cpu_10k = 10_000 / rate, cpu * 10_000 / args.count
                print(
                    f"  {name:>9}, {workers} worker(s): {seconds:6.2f} s, {rate:6.0f} inquiries/s, "
                    f"{per_10k:5.2f} s per 10,000 through both (CPU {cpu_10k:5.2f} s), "
                    f"{report.changed} changed"
                )
                results[f"{name}_{workers}"] = {
                    "seconds": round(seconds, 3),
                    "cpu_seconds": round(cpu, 3),
                    "inquiries_per_s": round(rate, 1),
                    "seconds_per_10000": round(per_10k, 2),
                    "cpu_seconds_per_10000": round(cpu_10k, 2),
                    "changed": report.changed,
                    "dangerous": report.dangerous,
                }
    stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%SZ")
    out = ROOT / "bench" / "results" / f"replay-{stamp}.json"
    out.write_text(json.dumps({"at": stamp, "load": os.getloadavg(), **results}, indent=2) + "\n")
    print(f"results: {out.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
