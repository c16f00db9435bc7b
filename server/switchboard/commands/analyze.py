"""`switchboard analyze [PATH]`: static analysis of a rules repository's escalation rules.

Proves (or refutes, with an example) that complaints, claims at or above the threshold and
VIP or key-account customers never get an automatic answer, and reports shadowed,
overlapping and contradictory rules and inquiry types without an outcome. Exits 1 when a
guarantee is not proved or there is an error finding, 0 otherwise.
"""

from __future__ import annotations

import argparse
import sys
from collections import defaultdict
from pathlib import Path

import msgspec

from switchboard.analysis.examples import words
from switchboard.analysis.model import Analysis, Finding
from switchboard.analysis.protection import Protection


def _parser() -> argparse.ArgumentParser:
    defaults = Protection()
    parser = argparse.ArgumentParser(
        prog="switchboard analyze", description=__doc__.split("\n")[0].split(": ", 1)[1]
    )
    parser.add_argument("path", nargs="?", type=Path, default=Path("."), help="the repository")
    parser.add_argument("--rev", help="git revision to analyse (default: HEAD, or the files)")
    parser.add_argument(
        "--against", metavar="REV", help="mark findings that are new compared with this revision"
    )
    parser.add_argument("--format", choices=["text", "json"], default="text")
    parser.add_argument("-v", "--verbose", action="store_true", help="list every overlap too")
    parser.add_argument(
        "--claim-threshold",
        type=float,
        default=defaults.claim_threshold,
        help=f"claims from this amount are protected (default {defaults.claim_threshold:g})",
    )
    parser.add_argument(
        "--protect-tier",
        action="append",
        metavar="TIER",
        help="a customer tier never answered automatically (repeatable; default vip, key_account)",
    )
    parser.add_argument(
        "--protect-intent",
        action="append",
        metavar="INTENT",
        help="an inquiry type never answered automatically, besides every non-routine one "
        "(repeatable; default complaint, damage_claim)",
    )
    return parser


def main(argv: list[str]) -> int:
    args = _parser().parse_args(argv)
    from switchboard.analysis.repo import CannotAnalyze, analyze_repo

    defaults = Protection()
    protection = Protection(
        complaint_intents=tuple(args.protect_intent or defaults.complaint_intents),
        claim_threshold=args.claim_threshold,
        tiers=tuple(args.protect_tier or defaults.tiers),
    )
    try:
        report = analyze_repo(args.path, args.rev, against=args.against, protection=protection)
    except CannotAnalyze as exc:
        for problem in exc.problems:
            print(problem, file=sys.stderr)
        print(f"switchboard analyze: {exc}", file=sys.stderr)
        return 1
    if args.format == "json":
        sys.stdout.write(msgspec.json.format(msgspec.json.encode(report), indent=2).decode())
        sys.stdout.write("\n")
    else:
        print(render(report, verbose=args.verbose))
    failed = not report.holds or report.count("error") > 0
    return 1 if failed else 0


def render(report: Analysis, *, verbose: bool = False) -> str:
    lines = [f"Guarantees at {report.revision[:12]}:"]
    for g in report.guarantees:
        lines.append(f"  {g.status.upper():<11} {g.title}: {g.message}")
    shown = [f for f in report.findings if verbose or f.code != "overlap"]
    overlaps = [f for f in report.findings if f.code == "overlap"]
    lines.append("")
    lines.append(
        f"Findings: {report.count('error')} error(s), {report.count('warning')} warning(s), "
        f"{report.count('info')} note(s)."
    )
    lines += [_finding(f) for f in shown]
    if overlaps and not verbose:
        lines.append(_overlap_summary(overlaps))
    return "\n".join(lines)


def _finding(finding: Finding) -> str:
    where = str(finding.places[0]) if finding.places else "(whole repository)"
    new = " NEW" if finding.new else ""
    text = f"{where}: {finding.severity}{new} {finding.code}: {finding.message}"
    if finding.example and finding.code != "overlap":
        text += "\n    example: " + words(finding.example)
    return text


def _overlap_summary(overlaps: list[Finding]) -> str:
    later: dict[str, list[str]] = defaultdict(list)
    for finding in overlaps:
        later[finding.rules[0]].append(finding.rules[1])
    lines = [
        f"{len(overlaps)} pair(s) of route rules with different queues can match the same "
        "inquiry (the first one decides; --verbose shows an example for each):"
    ]
    lines += [f"  {first} before {', '.join(rest)}" for first, rest in later.items()]
    return "\n".join(lines)
