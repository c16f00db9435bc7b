"""What ties an inquiry to a conversation: the references it names and the thread it is in."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from typing import Any

from switchboard.engine.decide import inquiry_text
from switchboard.engine.extract import extract
from switchboard.engine.facts import local_time
from switchboard.engine.spoken import written
from switchboard.engine.types import Inquiry
from switchboard.rules.model import Ruleset
from switchboard.store.conversations.records import THREAD, Ref

MAX_THREAD_REFS = 50  # a long References header keeps its latest ids
MAX_REF_CHARS = 300
NOT_A_TOPIC = frozenset({"currency"})


def references(entities: Mapping[str, Any]) -> dict[str, str]:
    """The entities that name a thing (order, invoice, PO numbers): those with text values."""
    return {
        name: value
        for name, value in entities.items()
        if isinstance(value, str) and value and name not in NOT_A_TOPIC
    }


def topic_refs(entities: Mapping[str, Any]) -> list[Ref]:
    return [Ref(name, value) for name, value in sorted(references(entities).items())]


def inquiry_topics(ruleset: Ruleset, inquiry: Inquiry, now: dt.datetime) -> list[Ref]:
    """The references in the inquiry's own text, found the way the engine finds them."""
    today = local_time(ruleset.settings, now).date()
    return topic_refs(extract(ruleset.entities, written(inquiry_text(inquiry)), today))


def thread_refs(thread: Iterable[str]) -> list[Ref]:
    """Message-IDs, call and chat ids, without angle brackets; the latest MAX_THREAD_REFS."""
    cleaned = [item.strip().strip("<>").strip() for item in thread]
    usable = [item for item in cleaned if item and len(item) <= MAX_REF_CHARS]
    return [Ref(THREAD, item) for item in dict.fromkeys(usable[-MAX_THREAD_REFS:])]
