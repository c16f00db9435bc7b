"""One inquiry from body to Decision: who is asking, what we remember, what the rules say."""

from __future__ import annotations

import datetime as dt

from switchboard.engine.decide import decide
from switchboard.engine.types import Decision, Inquiry
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
    recall = recorder.recall(snapshot.ruleset, snapshot.data, inquiry, now)
    decision = decide(snapshot.ruleset, inquiry, recall.context, snapshot.data)
    if not dry_run:
        recorder.record(inquiry, recall, decision, gateway)
    return decision
