"""Writes the demo ERP database file: generated rows into a fresh SQLite file, then renamed."""

from __future__ import annotations

import datetime as dt
import os
import sqlite3
from pathlib import Path

from switchboard.demo_erp.generate import Generator
from switchboard.demo_erp.schema import COLUMNS, TABLES


class DemoErpError(Exception):
    """The demo database cannot be created or opened; the message says why."""


def build_database(
    path: Path, *, seed: int = 7, today: dt.date | None = None, force: bool = False
) -> dict[str, int]:
    """Create the database at `path`, built for `today` (default: today in UTC).

    Returns the row count per table.

    An existing file is kept unless `force` is given; the new file is written beside it and
    renamed into place, so a failure never leaves a half-written database behind.
    """
    path = Path(path)
    if path.exists() and not force:
        raise DemoErpError(f"{path} already exists; pass --force to replace it")
    path.parent.mkdir(parents=True, exist_ok=True)
    rows = Generator(seed, today).rows()
    partial = path.with_name(f".{path.name}.{os.getpid()}.partial")
    partial.unlink(missing_ok=True)
    try:
        connection = sqlite3.connect(partial)
        try:
            connection.executescript(TABLES)
            for table, columns in COLUMNS.items():
                marks = ", ".join("?" for _ in columns)
                sql = f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({marks})"
                connection.executemany(sql, rows.get(table, []))
            connection.commit()
        finally:
            connection.close()
        os.replace(partial, path)
    finally:
        partial.unlink(missing_ok=True)
    return {table: len(rows.get(table, [])) for table in COLUMNS}


def sqlite_dsn(path: Path) -> str:
    """The connector DSN for a database file: `sqlite:///` + the absolute path."""
    return "sqlite:///" + str(Path(path).resolve())
