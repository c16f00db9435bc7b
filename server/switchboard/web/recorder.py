"""The seam between deciding and remembering conversations.

The conversation store implements `Recorder`: before a decision it works out who is asking
(identity links, else the customer lookup) and what it knows about the conversation (contacts
in the last days, an open topic, the queue it is in); after a live decision it stores the
inquiry and the decision. Dry runs only ever call `recall`.
`NoRecorder` asks the customer lookup and remembers nothing.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Protocol

from switchboard.connectors import resolve_customer
from switchboard.engine.types import Context, DataSource, Decision, Inquiry
from switchboard.rules.model import Ruleset


@dataclass(frozen=True, slots=True)
class Recall:
    """The context to decide with, and the identifiers (kind, value) the customer lookup
    matched, which the recorder links to that customer when it records the inquiry."""

    context: Context
    matched: tuple[tuple[str, str], ...] = ()


class Recorder(Protocol):
    def recall(
        self, ruleset: Ruleset, data: DataSource, inquiry: Inquiry, now: dt.datetime
    ) -> Recall:
        """Who is asking and what is known about the conversation this inquiry belongs to."""
        ...

    def record(
        self, inquiry: Inquiry, recall: Recall, decision: Decision, gateway: str | None
    ) -> None:
        """Store the inquiry and its decision (not called for dry runs)."""
        ...


class NoRecorder:
    """Remembers nothing: every inquiry starts a new conversation."""

    def recall(
        self, ruleset: Ruleset, data: DataSource, inquiry: Inquiry, now: dt.datetime
    ) -> Recall:
        customer, _lookup = resolve_customer(ruleset, data, inquiry.identifiers)
        return Recall(Context(now=now, customer=customer))

    def record(
        self, inquiry: Inquiry, recall: Recall, decision: Decision, gateway: str | None
    ) -> None:
        return None
