""" "Try a message": one made-up inquiry through the engine, nothing stored, nothing sent.

It runs with the rules of the user's open proposal (or the approved ones) or with the live
revision, on sample data (`samples`), so an editor sees what a change does before anyone
reviews it: the decision, the rules that fired, the reasons and the reply that would go out.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from switchboard.engine.decide import decide
from switchboard.engine.types import Context, Decision, Inquiry
from switchboard.rules.model import Ruleset
from switchboard.web.ui.samples import SampleData, pick_customer, sample_customers

TRY_CHANNELS = ("email", "chat", "sms", "voice")
MAX_TEXT = 5000

__all__ = ["TRY_CHANNELS", "Tried", "sample_customers", "try_message"]


@dataclass(frozen=True, slots=True)
class Tried:
    decision: Decision
    data_notes: tuple[str, ...]
    rules_label: str


def try_message(
    ruleset: Ruleset, text: str, channel: str, customer_id: str, rules_label: str
) -> Tried:
    """Blocking (the engine); the ruleset must have its classifier and renderer."""
    now = dt.datetime.now(dt.UTC)
    customer = pick_customer(ruleset, customer_id)
    data = SampleData(ruleset, customer, now)
    inquiry = Inquiry(channel=channel if channel in TRY_CHANNELS else "email", text=text)  # type: ignore[arg-type]
    decision = decide(ruleset, inquiry, Context(now=now, customer=customer), data)
    return Tried(decision, tuple(data.used), rules_label)
