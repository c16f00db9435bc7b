"""A file's history on the approved branch: every change, who made it and who approved it.

The approved branch is walked along its first parents, so each merged proposal appears once
(its merge commit, with its `Approved-by` and `Proposal` trailers) together with the edits
inside it that touched the file. Commits made directly on the branch appear as they are.
"""

from __future__ import annotations

import datetime as dt
import re

from switchboard.proposals.gitcmd import Git
from switchboard.proposals.model import HistoryEdit, HistoryEntry, Person

APPROVED_BY = "Approved-by"
PROPOSAL = "Proposal"
_FIELD, _RECORD, _ITEM = "\x1f", "\x1e", "\x1d"
_FORMAT = (
    _FIELD.join(
        [
            "%H",
            "%P",
            "%an",
            "%ae",
            "%aI",
            "%B",
            f"%(trailers:key={APPROVED_BY},valueonly,separator=%x1d)",
            f"%(trailers:key={PROPOSAL},valueonly,separator=%x1d)",
        ]
    )
    + _RECORD
)
_PERSON = re.compile(r"^\s*(?P<name>.*?)\s*<(?P<email>[^<>]+)>\s*$")
_TRAILER_LINE = re.compile(rf"^({APPROVED_BY}|{PROPOSAL}):\s")


def file_history(
    git: Git, branch: str, path: str, limit: int = 50, offset: int = 0
) -> list[HistoryEntry]:
    """Newest first; empty when the file never existed on `branch`."""
    entries = []
    walk = ["--first-parent", f"--max-count={limit}", f"--skip={offset}", branch]
    for fields in _log(git, walk, path):
        sha, parents, name, email, date, body, approvers, proposal = fields
        parent_list = parents.split()
        edits = []
        if len(parent_list) > 1:
            for edit in _log(git, [f"{parent_list[0]}..{parent_list[1]}"], path):
                edits.append(
                    HistoryEdit(edit[0], Person(edit[2], edit[3]), _date(edit[4]), edit[5].strip())
                )
        entries.append(
            HistoryEntry(
                commit=sha,
                author=Person(name, email),
                date=_date(date),
                message=strip_trailers(body),
                approved_by=[p for p in map(parse_person, _items(approvers)) if p],
                proposal=next(iter(_items(proposal)), None),
                edits=edits,
            )
        )
    return entries


def parse_person(text: str) -> Person | None:
    """`Name <email>` as a Person, or None when it is not in that form."""
    match = _PERSON.match(text)
    return Person(match["name"], match["email"]) if match else None


def strip_trailers(message: str) -> str:
    lines = message.rstrip().splitlines()
    while lines and _TRAILER_LINE.match(lines[-1]):
        lines.pop()
    return "\n".join(lines).rstrip()


def _log(git: Git, revs: list[str], path: str) -> list[list[str]]:
    out = git.run("log", f"--format={_FORMAT}", "--no-color", *revs, "--", path)
    records = out.decode("utf-8", "replace").split(_RECORD)
    return [r.lstrip("\n").split(_FIELD) for r in records if r.strip()]


def _items(text: str) -> list[str]:
    return [item.strip() for item in text.split(_ITEM) if item.strip()]


def _date(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text.strip())
