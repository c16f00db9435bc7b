"""Opens the conversation store for the server: `<data dir>/switchboard.sqlite` by default, or
the database SWITCHBOARD_DATABASE_URL names (see `store.factory`)."""

from __future__ import annotations

from switchboard.conversations.continuity import Continuity
from switchboard.settings import Settings
from switchboard.store.factory import CONVERSATIONS_FILE, open_store

DATABASE_FILE = CONVERSATIONS_FILE


def open_continuity(settings: Settings) -> Continuity:
    """The store, created and migrated as needed; SettingsError when it cannot be opened."""
    return Continuity(open_store(settings))
