"""Opens the store the settings name: SQLite files (the default) or PostgreSQL, by URL.

`SWITCHBOARD_DATABASE_URL` empty keeps the embedded default: the conversation store in
`switchboard.sqlite` and the reminders' records in `switchboard.db`, both in the data
directory. `sqlite:///PATH` puts both in that one SQLite file (`sqlite:////abs/path`,
`sqlite:///relative/path`). `postgresql://USER:PASSWORD@HOST:PORT/DATABASE` puts both in
PostgreSQL, which several replicas can share. Either way the caller gets the same interfaces.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Literal, TypeVar
from urllib.parse import urlsplit, urlunsplit

from switchboard.settings import Settings, SettingsError, env_name
from switchboard.store.conversations import ConversationStore, SqliteConversationStore
from switchboard.store.db import Database
from switchboard.store.reminders import ReminderRecords, ReminderStore

SQLITE_SCHEME = "sqlite:///"
POSTGRES_SCHEMES = ("postgresql://", "postgres://")
CONVERSATIONS_FILE = "switchboard.sqlite"
REMINDERS_FILE = "switchboard.db"
SETTING = env_name("database_url")
T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class Location:
    kind: Literal["sqlite", "postgresql"]
    url: str  # the PostgreSQL URL; empty for SQLite
    path: Path | None = None  # the one SQLite file a `sqlite:///` URL names


def location(url: str | None) -> Location:
    """What a database URL names; ValueError for anything else."""
    url = (url or "").strip()
    if not url:
        return Location("sqlite", "")
    if url.startswith(SQLITE_SCHEME) and len(url) > len(SQLITE_SCHEME):
        return Location("sqlite", "", Path(url.removeprefix(SQLITE_SCHEME)))
    if url.startswith(POSTGRES_SCHEMES) and urlsplit(url).hostname:
        return Location("postgresql", url)
    raise ValueError("use sqlite:///PATH or postgresql://USER@HOST:PORT/DATABASE (or nothing)")


def shown(url: str) -> str:
    """The URL without its password, for messages and logs."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    netloc = parts.netloc.rpartition("@")[2]
    user = f"{parts.username}:***@" if parts.username else ""
    return urlunsplit(parts._replace(netloc=user + netloc))


def open_store(settings: Settings) -> ConversationStore:
    """The conversation store, created and migrated as needed; SettingsError if it cannot be
    opened."""
    where = _location(settings)
    if where.kind == "postgresql":
        size = settings.database_pool_size
        return _postgres(where.url, lambda pg: pg.PgConversationStore.open(where.url, size))
    path = where.path or settings.data_dir / CONVERSATIONS_FILE
    try:
        return SqliteConversationStore.open(path)
    except (OSError, sqlite3.Error) as exc:
        raise SettingsError(
            f"{env_name('data_dir')}: cannot open the conversation store {path}: {exc}"
        ) from None


def open_reminder_store(settings: Settings) -> ReminderRecords:
    """Where the reminders remember what they sent; SettingsError if it cannot be opened."""
    where = _location(settings)
    if where.kind == "postgresql":
        return _postgres(where.url, lambda pg: pg.PgReminderStore.open(where.url))
    path = where.path or settings.data_dir / REMINDERS_FILE
    try:
        return ReminderStore(Database.open(path))
    except (OSError, sqlite3.Error) as exc:
        raise SettingsError(
            f"{env_name('data_dir')}: cannot open the reminders' database {path}: {exc}"
        ) from None


def _location(settings: Settings) -> Location:
    try:
        return location(settings.database_url)
    except ValueError as exc:
        raise SettingsError(f"{SETTING}: {exc}") from None


def _postgres(url: str, open_with: Callable[[ModuleType], T]) -> T:
    """Open with the PostgreSQL store package; its errors as SettingsError naming the setting."""
    try:
        import psycopg

        from switchboard.store import postgres
    except ImportError:
        raise SettingsError(
            f"{SETTING} names PostgreSQL, but psycopg is not installed "
            "(pip install 'switchboard[postgres]')"
        ) from None
    try:
        return open_with(postgres)
    except psycopg.Error as exc:
        reason = " ".join(str(exc).split()) or type(exc).__name__
        raise SettingsError(f"{SETTING}: cannot use the database {shown(url)}: {reason}") from None
