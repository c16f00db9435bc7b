"""The short plain-text note an agent reads first when an inquiry reaches a queue.

Built only from the inquiry itself, the asking customer and the outcome: never from live
data rows, so nothing another customer owns can appear here.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from switchboard.engine.precedence import Verdict
from switchboard.engine.types import Customer, DataUse

_EARLIER_TURNS = 5


def describe_references(values: Mapping[str, Any], entities: Mapping[str, Any]) -> str:
    """`Order number SO4500123; Amount 12500.0 EUR` from extracted entity values."""
    parts = []
    for name, value in values.items():
        entity = entities.get(name)
        if entity is None:  # `currency` is shown beside its amount
            continue
        if entity.type == "money" and "currency" in values:
            value = f"{value} {values['currency']}"
        parts.append(f"{entity.title or name} {value}")
    return "; ".join(parts) if parts else "none found"


def summarize(
    *,
    intent_title: str,
    intent_id: str,
    confidence: float,
    references: str,
    customer: Customer | None,
    verdict: Verdict,
    data: list[DataUse],
    earlier: list[str],
) -> str:
    lines = [f"{intent_title} ({intent_id}, confidence {confidence:.2f})."]
    lines.append(f"References: {references}.")
    if customer is None:
        lines.append("Customer: sender not identified.")
    else:
        name = customer.name or "name unknown"
        lines.append(f"Customer: {name} ({customer.id}, {customer.tier}).")
    if data:
        lines.append("Live data: " + "; ".join(f"{u.source} {u.status}" for u in data) + ".")
    reasons = ", ".join(verdict.reasons) or "all checks passed"
    if verdict.outcome == "route":
        lines.append(f"Routed to {verdict.queue} ({verdict.priority}): {reasons}.")
    elif verdict.outcome == "clarify":
        lines.append(f"Asked the customer for a reference ({reasons}).")
    else:
        lines.append("Answered automatically.")
    if earlier:
        lines.append("Earlier turns: " + " | ".join(earlier[-_EARLIER_TURNS:]))
    return "\n".join(lines)
