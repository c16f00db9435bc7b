"""The proposals' records: state, authors, approvals, comments, events and cached checks.

Git holds the proposals' content; these tables hold the review around it. A proposal is
saved whole, together with the event that changed it, in one transaction.
"""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
from typing import Any

import msgspec
import sqlite_utils

from switchboard.proposals.model import Approval, Comment, Event, Person, Proposal
from switchboard.store.db import Database, migration


@migration("proposals", 1)
def _create_tables(db: sqlite_utils.Database) -> None:
    db.execute(
        """CREATE TABLE proposals (
            id TEXT PRIMARY KEY, title TEXT NOT NULL, description TEXT NOT NULL,
            state TEXT NOT NULL, branch TEXT NOT NULL, base TEXT NOT NULL, head TEXT NOT NULL,
            created_by_name TEXT NOT NULL, created_by_email TEXT NOT NULL,
            created_at TEXT NOT NULL, updated_at TEXT NOT NULL, merged_commit TEXT)"""
    )
    db.execute("CREATE INDEX proposals_state ON proposals (state, created_at)")
    db.execute(
        """CREATE TABLE proposal_authors (
            proposal_id TEXT NOT NULL REFERENCES proposals (id), position INTEGER NOT NULL,
            name TEXT NOT NULL, email TEXT NOT NULL, PRIMARY KEY (proposal_id, position))"""
    )
    db.execute(
        """CREATE TABLE proposal_approvals (
            proposal_id TEXT NOT NULL REFERENCES proposals (id), position INTEGER NOT NULL,
            name TEXT NOT NULL, email TEXT NOT NULL, revision TEXT NOT NULL, at TEXT NOT NULL,
            PRIMARY KEY (proposal_id, position))"""
    )
    db.execute(
        """CREATE TABLE proposal_comments (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            proposal_id TEXT NOT NULL REFERENCES proposals (id),
            name TEXT NOT NULL, email TEXT NOT NULL, text TEXT NOT NULL, at TEXT NOT NULL)"""
    )
    db.execute(
        """CREATE TABLE proposal_events (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            proposal_id TEXT NOT NULL REFERENCES proposals (id), kind TEXT NOT NULL,
            name TEXT NOT NULL, email TEXT NOT NULL, at TEXT NOT NULL,
            revision TEXT, note TEXT)"""
    )
    db.execute(
        """CREATE TABLE proposal_checks (
            revision TEXT PRIMARY KEY, result TEXT NOT NULL, checked_at TEXT NOT NULL)"""
    )


class DuplicateId(Exception):
    """A proposal with this id exists already."""


class ProposalStore:
    def __init__(self, db: Database) -> None:
        self.db = db

    # ----- proposals ---------------------------------------------------------------------

    def create(self, proposal: Proposal, event: Event) -> None:
        try:
            with self.db.write() as db:
                db.execute(
                    "INSERT INTO proposals (id, title, description, state, branch, base, head, "
                    "created_by_name, created_by_email, created_at, updated_at, merged_commit) "
                    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    _row(proposal),
                )
                _write_people(db, proposal)
                _write_event(db, proposal.id, event)
        except sqlite3.IntegrityError as exc:
            raise DuplicateId(proposal.id) from exc

    def save(self, proposal: Proposal, event: Event) -> None:
        """Replace the stored proposal (authors and approvals too) and record `event`."""
        with self.db.write() as db:
            db.execute(
                "UPDATE proposals SET title = ?, description = ?, state = ?, branch = ?, "
                "base = ?, head = ?, updated_at = ?, merged_commit = ? WHERE id = ?",
                [
                    proposal.title,
                    proposal.description,
                    proposal.state,
                    proposal.branch,
                    proposal.base,
                    proposal.head,
                    _iso(proposal.updated_at),
                    proposal.merged_commit,
                    proposal.id,
                ],
            )
            _write_people(db, proposal)
            _write_event(db, proposal.id, event)

    def get(self, proposal_id: str) -> Proposal | None:
        row = (
            self.db.read().execute("SELECT * FROM proposals WHERE id = ?", [proposal_id]).fetchone()
        )
        return None if row is None else self._proposal(row)

    def page(self, state: str | None, limit: int, offset: int) -> tuple[list[Proposal], int]:
        """Newest first; `state` None lists every state."""
        where, args = ("WHERE state = ?", [state]) if state else ("", [])
        db = self.db.read()
        total = db.execute(f"SELECT count(*) FROM proposals {where}", args).fetchone()[0]
        rows = db.execute(
            f"SELECT * FROM proposals {where} ORDER BY created_at DESC, id LIMIT ? OFFSET ?",
            [*args, limit, offset],
        ).fetchall()
        return [self._proposal(row) for row in rows], int(total)

    def _proposal(self, row: tuple[Any, ...]) -> Proposal:
        (pid, title, description, state, branch, base, head) = row[:7]
        db = self.db.read()
        authors = db.execute(
            "SELECT name, email FROM proposal_authors WHERE proposal_id = ? ORDER BY position",
            [pid],
        ).fetchall()
        approvals = db.execute(
            "SELECT name, email, revision, at FROM proposal_approvals WHERE proposal_id = ? "
            "ORDER BY position",
            [pid],
        ).fetchall()
        return Proposal(
            id=pid,
            title=title,
            description=description,
            state=state,
            branch=branch,
            base=base,
            head=head,
            created_by=Person(row[7], row[8]),
            created_at=_time(row[9]),
            updated_at=_time(row[10]),
            merged_commit=row[11],
            authors=[Person(name, email) for name, email in authors],
            approvals=[Approval(Person(n, e), rev, _time(at)) for n, e, rev, at in approvals],
        )

    # ----- comments and events -------------------------------------------------------------

    def add_comment(self, proposal_id: str, author: Person, text: str, at: dt.datetime) -> Comment:
        with self.db.write() as db:
            cursor = db.execute(
                "INSERT INTO proposal_comments (proposal_id, name, email, text, at) "
                "VALUES (?, ?, ?, ?, ?)",
                [proposal_id, author.name, author.email, text, _iso(at)],
            )
            comment_id = int(cursor.lastrowid or 0)
        return Comment(comment_id, author, text, at)

    def comments(self, proposal_id: str) -> list[Comment]:
        rows = self.db.read().execute(
            "SELECT id, name, email, text, at FROM proposal_comments WHERE proposal_id = ? "
            "ORDER BY id",
            [proposal_id],
        )
        return [Comment(cid, Person(n, e), text, _time(at)) for cid, n, e, text, at in rows]

    def events(self, proposal_id: str) -> list[Event]:
        rows = self.db.read().execute(
            "SELECT kind, name, email, at, revision, note FROM proposal_events "
            "WHERE proposal_id = ? ORDER BY id",
            [proposal_id],
        )
        return [Event(k, Person(n, e), _time(at), rev, note) for k, n, e, at, rev, note in rows]

    # ----- checks of a revision (a cache: a revision's files never change) ------------------

    def cached_checks(self, revision: str) -> Any | None:
        row = (
            self.db.read()
            .execute("SELECT result FROM proposal_checks WHERE revision = ?", [revision])
            .fetchone()
        )
        return None if row is None else json.loads(row[0])

    def cache_checks(self, revision: str, result: Any, at: dt.datetime) -> None:
        with self.db.write() as db:
            db.execute(
                "INSERT OR REPLACE INTO proposal_checks (revision, result, checked_at) "
                "VALUES (?, ?, ?)",
                [revision, msgspec.json.encode(result).decode(), _iso(at)],
            )


def _row(p: Proposal) -> list[Any]:
    return [
        p.id,
        p.title,
        p.description,
        p.state,
        p.branch,
        p.base,
        p.head,
        p.created_by.name,
        p.created_by.email,
        _iso(p.created_at),
        _iso(p.updated_at),
        p.merged_commit,
    ]


def _write_people(db: sqlite_utils.Database, p: Proposal) -> None:
    db.execute("DELETE FROM proposal_authors WHERE proposal_id = ?", [p.id])
    db.execute("DELETE FROM proposal_approvals WHERE proposal_id = ?", [p.id])
    for i, author in enumerate(p.authors):
        db.execute(
            "INSERT INTO proposal_authors (proposal_id, position, name, email) VALUES (?, ?, ?, ?)",
            [p.id, i, author.name, author.email],
        )
    for i, approval in enumerate(p.approvals):
        db.execute(
            "INSERT INTO proposal_approvals (proposal_id, position, name, email, revision, at) "
            "VALUES (?, ?, ?, ?, ?, ?)",
            [
                p.id,
                i,
                approval.approver.name,
                approval.approver.email,
                approval.revision,
                _iso(approval.at),
            ],
        )


def _write_event(db: sqlite_utils.Database, proposal_id: str, event: Event) -> None:
    db.execute(
        "INSERT INTO proposal_events (proposal_id, kind, name, email, at, revision, note) "
        "VALUES (?, ?, ?, ?, ?, ?, ?)",
        [
            proposal_id,
            event.kind,
            event.actor.name,
            event.actor.email,
            _iso(event.at),
            event.revision,
            event.note,
        ],
    )


def _iso(moment: dt.datetime) -> str:
    return moment.astimezone(dt.UTC).isoformat(timespec="microseconds")


def _time(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text)
