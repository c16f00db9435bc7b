"""`analyze(ruleset)`: every static finding and guarantee of one revision.

    report = analyze(ruleset, base=live_ruleset, disabled=disabled_rules(source))

With `base` (the revision a proposal starts from) findings not present there are marked `new`,
and the inquiry types that are not routine there stay protected even if made routine.
"""

from __future__ import annotations

from collections.abc import Sequence

from switchboard.analysis.context import Context, place
from switchboard.analysis.cubes import TooComplex
from switchboard.analysis.guarantees import check, disabled_finding, engine_routes
from switchboard.analysis.impossible import contradictory_parts, never_fires, never_true
from switchboard.analysis.model import SEVERITIES, Analysis, Finding
from switchboard.analysis.outcomes import intent_findings
from switchboard.analysis.overlaps import overlaps
from switchboard.analysis.protection import Protection, classes
from switchboard.analysis.shadowing import shadowed
from switchboard.rules.model import Rule, Ruleset


def analyze(
    ruleset: Ruleset,
    *,
    base: Ruleset | None = None,
    protection: Protection | None = None,
    disabled: Sequence[Rule] = (),
    base_disabled: Sequence[Rule] = (),
) -> Analysis:
    report = _analyze(ruleset, base, protection or Protection(), disabled)
    if base is None:
        return report
    before = _analyze(base, None, protection or Protection(), base_disabled)
    known = {f.key for f in before.findings}
    findings = [f if f.key in known else _marked_new(f) for f in report.findings]
    return Analysis(report.revision, findings, report.guarantees, base.revision)


def _marked_new(finding: Finding) -> Finding:
    import msgspec

    return msgspec.structs.replace(finding, new=True)


def _analyze(
    ruleset: Ruleset, base: Ruleset | None, protection: Protection, disabled: Sequence[Rule]
) -> Analysis:
    ctx = Context.of(ruleset)
    findings: list[Finding] = []
    dead: set[int] = set()  # can never match
    tangled: set[int] = set()  # too complex to tell
    for index, rule in enumerate(ctx.rules):
        try:
            if not ctx.cubes(index):
                findings.append(never_true(ctx, rule))
                dead.add(index)
                continue
            findings += contradictory_parts(ctx, rule)
            if not ctx.live(index):
                findings.append(never_fires(ctx, rule))
                dead.add(index)
        except TooComplex as exc:
            findings.append(_too_complex(rule, exc))
            tangled.add(index)
        if rule.action == "route":
            findings += [f for f in [engine_routes(ctx, rule)] if f]
    found, hidden = shadowed(ctx, dead | tangled)
    findings += found
    findings += overlaps(ctx, dead | tangled | hidden)
    findings += intent_findings(ctx)
    findings += [disabled_finding(rule) for rule in disabled]
    routes = [i for i, r in enumerate(ctx.rules) if r.action == "route" and i not in dead]
    guarantees = [check(ctx, c, routes, disabled) for c in classes(ruleset, protection, base)]
    for g in guarantees:
        if g.status != "proved":
            findings.append(
                Finding(
                    f"guarantee_{g.status}",
                    "error" if g.status == "failed" else "warning",
                    f"{g.title}: {g.message}",
                    [g.id],
                    [],
                    g.example,
                )
            )
    order = {rule.id: n for n, rule in enumerate(ctx.rules)}
    findings.sort(key=lambda f: (SEVERITIES.index(f.severity), _first(f, order), *_where(f)))
    return Analysis(ruleset.revision, findings, guarantees)


def _first(finding: Finding, order: dict[str, int]) -> int:
    """Findings about rules in evaluation order, then the others."""
    return min((order[r] for r in finding.rules if r in order), default=len(order))


def _where(finding: Finding) -> tuple[str, int]:
    first = finding.places[0] if finding.places else None
    return (first.file, first.line) if first else ("", 0)


def _too_complex(rule: Rule, exc: TooComplex) -> Finding:
    return Finding(
        "too_complex",
        "warning",
        f"Rule `{rule.id}` is too complex to analyse ({exc}); nothing is claimed about it. "
        "Split it into simpler rules.",
        [rule.id],
        [place(rule.location)],
    )
