"""One inquiry from body to Decision: who is asking, what we remember, what the rules say."""

from __future__ import annotations

import datetime as dt

from switchboard.connectors import resolve_customer
from switchboard.engine.decide import decide
from switchboard.engine.types import Context, Decision, Inquiry
from switchboard.runtime.active import Snapshot
from switchboard.web.recorder import Recorder


def decide_inquiry(
    snapshot: Snapshot,
    inquiry: Inquiry,
    recorder: Recorder,
    *,
    dry_run: bool,
    gateway: str | None,
) -> Decision:
    """Blocking (live lookups): the controllers run it in a worker thread."""
    now = dt.datetime.now(dt.UTC)
    customer, _lookup = resolve_customer(snapshot.ruleset, snapshot.data, inquiry.identifiers)
    conversation = recorder.recall(inquiry, customer, now)
    context = Context(now=now, customer=customer, conversation=conversation)
    decision = decide(snapshot.ruleset, inquiry, context, snapshot.data)
    if not dry_run:
        recorder.record(inquiry, context, decision, gateway)
    return decision
