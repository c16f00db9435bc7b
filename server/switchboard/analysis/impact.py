"""The impact preview: how a proposed revision would have decided recent inquiries.

    report = impact(live, proposed, items)   # ReplayItems: stored decisions or a file

Changed decisions are grouped by what changed (outcome, queue, priority, intent) from the
live revision to the proposed one, with counts and a few examples each. A change from a
person to an automatic answer (route -> auto_reply or clarify) is flagged `danger`.
"""

from __future__ import annotations

import time
from collections.abc import Sequence

import msgspec

from switchboard.analysis.replay_items import ReplayItem
from switchboard.analysis.replay_run import Replayed, Side, replay
from switchboard.rules.model import Ruleset

MAX_EXAMPLES = 5
TEXT_SHOWN = 160
AUTOMATED = ("auto_reply", "clarify")


class Summary(msgspec.Struct, frozen=True, omit_defaults=True):
    outcome: str
    intent: str
    priority: str
    queue: str | None = None

    def __str__(self) -> str:
        where = f" {self.queue}/{self.priority}" if self.outcome == "route" else ""
        return f"{self.outcome}{where} ({self.intent})"


class Example(msgspec.Struct, frozen=True):
    id: str
    text: str  # the start of the inquiry
    reasons_before: list[str]
    reasons_after: list[str]


class Change(msgspec.Struct, frozen=True):
    before: Summary
    after: Summary
    count: int
    danger: bool  # a person would have answered; now the system would
    examples: list[Example]


class Impact(msgspec.Struct, frozen=True, omit_defaults=True):
    base_revision: str  # the live revision
    revision: str  # the proposed one
    source: str  # "store" (decision records) or the file replayed
    replayed: int
    changed: int
    dangerous: int  # inquiries that would move from a person to an automatic answer
    changes: list[Change]
    refused: int = 0  # inputs that could not be read
    synthesised: int = 0  # inquiries with at least one lookup not covered by the recording
    seconds: float = 0.0


def impact(
    live: Ruleset,
    proposed: Ruleset,
    items: Sequence[ReplayItem],
    *,
    source: str,
    workers: int = 1,
    refused: int = 0,
) -> Impact:
    started = time.perf_counter()
    results = replay(live, proposed, items, workers)
    texts = {item.id: item.inquiry.text for item in items}
    report = summarise(results, texts)
    return msgspec.structs.replace(
        report,
        base_revision=live.revision,
        revision=proposed.revision,
        source=source,
        refused=refused,
        seconds=round(time.perf_counter() - started, 3),
    )


def summarise(results: Sequence[Replayed], texts: dict[str, str]) -> Impact:
    groups: dict[tuple[Side, Side], list[Replayed]] = {}
    for result in results:
        if result.before != result.after:
            groups.setdefault((result.before, result.after), []).append(result)
    changes = [_change(before, after, found, texts) for (before, after), found in groups.items()]
    changes.sort(key=lambda c: (not c.danger, -c.count, str(c.before), str(c.after)))
    return Impact(
        base_revision="",
        revision="",
        source="",
        replayed=len(results),
        changed=sum(c.count for c in changes),
        dangerous=sum(c.count for c in changes if c.danger),
        changes=changes,
        synthesised=sum(1 for r in results if r.synthesised),
    )


def _summary(side: Side) -> Summary:
    return Summary(side.outcome, side.intent, side.priority, side.queue)


def _change(before: Side, after: Side, found: list[Replayed], texts: dict[str, str]) -> Change:
    examples = [
        Example(r.id, _short(texts.get(r.id, "")), list(r.before_reasons), list(r.after_reasons))
        for r in found[:MAX_EXAMPLES]
    ]
    danger = before.outcome == "route" and after.outcome in AUTOMATED
    return Change(_summary(before), _summary(after), len(found), danger, examples)


def _short(text: str) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= TEXT_SHOWN else flat[: TEXT_SHOWN - 1] + "…"


def render(report: Impact) -> str:
    """The from -> to table, dangerous changes first."""
    lines = [
        f"Replayed {report.replayed:,} inquiries through {report.revision[:12]} (proposed) and "
        f"{report.base_revision[:12]} (live) in {report.seconds:.1f} s: {report.changed:,} "
        f"would be decided differently, {report.dangerous:,} of them automatically instead "
        "of by a person."
    ]
    if report.refused:
        lines.append(f"{report.refused} input(s) could not be read and were left out.")
    if report.synthesised:
        lines.append(
            f"{report.synthesised} inquiry(ies) needed a lookup the recording does not cover; "
            "it was answered with a synthesised row owned by the customer."
        )
    if not report.changes:
        lines.append("No decision changes.")
        return "\n".join(lines)
    width = max(len(str(c.before)) for c in report.changes)
    lines.append("")
    lines.append(f"{'':6} {'count':>6}  {'from':<{width}}  ->  to")
    for change in report.changes:
        flag = "DANGER" if change.danger else ""
        lines.append(f"{flag:6} {change.count:>6}  {change.before!s:<{width}}  ->  {change.after}")
        for example in change.examples:
            lines.append(f"{'':16}{example.id}: {example.text}")
    return "\n".join(lines)
