"""`Continuity`: the conversation store behind the inquiry flow (the `Recorder` seam).

`recall` (before deciding, dry runs too) only reads: who is asking, which open conversation the
inquiry continues, and the facts the engine needs from it. `record` (live inquiries only)
writes everything the inquiry changed in one transaction; the API acknowledges the inquiry only
once that committed, and answers 503 `store_unavailable` when it could not.
"""

from __future__ import annotations

import datetime as dt

from switchboard.conversations.identify import identify
from switchboard.conversations.matching import continued
from switchboard.conversations.recollect import facts_for
from switchboard.conversations.recording import WRITE_TIMEOUT_S, new_id, write_turn
from switchboard.conversations.topics import inquiry_topics, thread_refs
from switchboard.engine.types import Context, DataSource, Decision, Inquiry
from switchboard.rules.model import Ruleset
from switchboard.store.conversations import ConversationStore
from switchboard.web.recorder import Recall


class Continuity:
    def __init__(self, store: ConversationStore, write_timeout: float = WRITE_TIMEOUT_S) -> None:
        self.store = store
        self.write_timeout = write_timeout

    def recall(
        self, ruleset: Ruleset, data: DataSource, inquiry: Inquiry, now: dt.datetime
    ) -> Recall:
        identified = identify(self.store, ruleset, data, inquiry.identifiers)
        customer = identified.customer
        since = now - dt.timedelta(days=ruleset.settings.conversation_window_days)
        with self.store.reads() as reads:
            conversation = None
            if customer is not None:
                topics = inquiry_topics(ruleset, inquiry, now)
                threads = thread_refs(inquiry.thread)
                conversation = continued(reads, customer.id, topics, threads, since)
            customer_id = customer.id if customer else None
            facts = facts_for(reads, customer_id, conversation, new_id("cnv"), now)
        return Recall(Context(now=now, customer=customer, conversation=facts), identified.matched)

    def record(
        self, inquiry: Inquiry, recall: Recall, decision: Decision, gateway: str | None
    ) -> None:
        with self.store.transaction(self.write_timeout) as writes:
            write_turn(writes, inquiry, recall.context, recall.matched, decision, gateway)
