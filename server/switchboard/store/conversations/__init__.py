"""The conversation store: customers, identity links, conversations, messages, decisions and
events. `areas` defines the interface, `sqlite_store` the embedded implementation."""

from switchboard.store.conversations.areas import ConversationStore, StoreReads, StoreWrites
from switchboard.store.conversations.sqlite_store import SqliteConversationStore

__all__ = ["ConversationStore", "SqliteConversationStore", "StoreReads", "StoreWrites"]
