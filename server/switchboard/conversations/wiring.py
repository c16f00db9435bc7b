"""Opens the conversation store for the server: `<data dir>/switchboard.sqlite`."""

from __future__ import annotations

import sqlite3

from switchboard.conversations.continuity import Continuity
from switchboard.settings import Settings, SettingsError, env_name
from switchboard.store.conversations import SqliteConversationStore

DATABASE_FILE = "switchboard.sqlite"


def open_continuity(settings: Settings) -> Continuity:
    """The store, created and migrated as needed; SettingsError when it cannot be opened."""
    path = settings.data_dir / DATABASE_FILE
    try:
        store = SqliteConversationStore.open(path)
    except (OSError, sqlite3.Error) as exc:
        raise SettingsError(
            f"{env_name('data_dir')}: cannot open the conversation store {path}: {exc}"
        ) from None
    return Continuity(store)
