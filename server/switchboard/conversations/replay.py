"""Decisions as stored data, and back: what an impact preview replays through another revision.

inquiry, context = replay_inputs(record)
decide(other_ruleset, inquiry, context, data)
"""

from __future__ import annotations

from typing import Any

import msgspec

from switchboard.engine.types import Context, Inquiry
from switchboard.store.conversations.records import DecisionRecord


def plain(value: Any) -> Any:
    """A msgspec struct (or anything msgspec knows) as JSON-compatible data."""
    return msgspec.to_builtins(value)


def replay_inputs(record: DecisionRecord) -> tuple[Inquiry, Context]:
    """The inquiry and the context the stored decision was made with."""
    inquiry = msgspec.convert(record.inquiry, Inquiry)
    context = msgspec.convert(record.context, Context)
    return inquiry, context
