"""Which open conversation an inquiry continues, if any.

In order: the conversation of the thread it replies to; else the one about the same order or
invoice; else, for a follow-up that names nothing ("and when will it arrive?"), the customer's
latest open conversation. Only the customer's own open conversations updated since `since`
(the repository's `conversation_window_days`) are candidates.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from switchboard.store.conversations import StoreReads
from switchboard.store.conversations.records import ConversationRecord, Ref


def continued(
    reads: StoreReads,
    customer_id: str,
    topics: Sequence[Ref],
    threads: Sequence[Ref],
    since: dt.datetime,
) -> ConversationRecord | None:
    conversations = reads.conversations
    if threads:
        replied_to = conversations.open_with_refs(customer_id, threads, since)
        if replied_to is not None:
            return replied_to
    if topics:
        return conversations.open_with_refs(customer_id, topics, since)
    return conversations.latest_open(customer_id, since)
