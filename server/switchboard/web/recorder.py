"""The seam between deciding and remembering conversations.

The conversation store implements `Recorder`: before a decision it tells what it knows about
the conversation (contacts in the last days, an open topic, the queue it is in); after a live
decision it stores the inquiry and the decision. Dry runs only ever call `recall`.
Until the store exists, `NoRecorder` remembers nothing.
"""

from __future__ import annotations

import datetime as dt
from typing import Protocol

from switchboard.engine.types import Context, ConversationFacts, Customer, Decision, Inquiry


class Recorder(Protocol):
    def recall(
        self, inquiry: Inquiry, customer: Customer | None, now: dt.datetime
    ) -> ConversationFacts:
        """What is known about the conversation this inquiry belongs to."""
        ...

    def record(
        self, inquiry: Inquiry, context: Context, decision: Decision, gateway: str | None
    ) -> None:
        """Store the inquiry and its decision (not called for dry runs)."""
        ...


class NoRecorder:
    """Remembers nothing: every inquiry starts a new conversation."""

    def recall(
        self, inquiry: Inquiry, customer: Customer | None, now: dt.datetime
    ) -> ConversationFacts:
        return ConversationFacts()

    def record(
        self, inquiry: Inquiry, context: Context, decision: Decision, gateway: str | None
    ) -> None:
        return None
