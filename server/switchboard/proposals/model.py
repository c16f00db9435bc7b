"""The values of the proposal workflow: people, proposals, reviews, diffs and checks."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Literal

import msgspec

from switchboard.analysis.model import Analysis

State = Literal["draft", "in_review", "approved", "merged", "rejected", "withdrawn"]
STATES: tuple[State, ...] = ("draft", "in_review", "approved", "merged", "rejected", "withdrawn")
OPEN_STATES: frozenset[str] = frozenset({"draft", "in_review", "approved"})
Role = Literal["viewer", "editor", "reviewer", "admin"]
ROLES: tuple[Role, ...] = ("viewer", "editor", "reviewer", "admin")
_EMAIL = re.compile(r"^[^@\s<>]+@[^@\s<>]+$")
_NAME_FORBIDDEN = re.compile(r"[<>\x00-\x1f\x7f]")


class Person(msgspec.Struct, frozen=True):
    name: str
    email: str

    @property
    def key(self) -> str:
        """E-mail addresses identify people; case never makes two people out of one."""
        return self.email.strip().lower()

    def __str__(self) -> str:
        return f"{self.name} <{self.email}>"

    @classmethod
    def checked(cls, name: str, email: str) -> Person:
        """A person fit to author commits; ValueError says what is wrong."""
        name, email = name.strip(), email.strip()
        if not name or len(name) > 100 or _NAME_FORBIDDEN.search(name):
            raise ValueError("a name of 1 to 100 characters without '<', '>' or line breaks")
        if len(email) > 254 or not _EMAIL.match(email):
            raise ValueError(f"an e-mail address like name@example.com (got {email!r})")
        return cls(name, email)


def with_person(people: list[Person], person: Person) -> list[Person]:
    """`people` with `person` added at the end unless already among them."""
    return people if person.key in {p.key for p in people} else [*people, person]


@dataclass(frozen=True, slots=True)
class Actor:
    """Who is acting and what they may do; `admin` holds every role."""

    person: Person
    roles: frozenset[str]

    def has(self, role: str) -> bool:
        return "admin" in self.roles or role in self.roles


class FileEdit(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """One file of an edit. `content` None deletes the file; `base` None means a new file."""

    path: str
    content: str | None
    base: str | None


class Approval(msgspec.Struct, frozen=True):
    approver: Person
    revision: str
    at: dt.datetime


class Comment(msgspec.Struct, frozen=True):
    id: int
    author: Person
    text: str
    at: dt.datetime


class Event(msgspec.Struct, frozen=True, omit_defaults=True):
    """One step in a proposal's life: created, edited, submitted, approved, merged, ..."""

    kind: str
    actor: Person
    at: dt.datetime
    revision: str | None = None
    note: str | None = None


class Proposal(msgspec.Struct, frozen=True, omit_defaults=True):
    id: str
    title: str
    description: str
    state: State
    branch: str
    base: str  # the approved commit the proposal started from
    head: str  # the proposal's latest commit
    created_by: Person
    created_at: dt.datetime
    updated_at: dt.datetime
    authors: list[Person] = msgspec.field(default_factory=list)
    approvals: list[Approval] = msgspec.field(default_factory=list)
    merged_commit: str | None = None

    def is_author(self, person: Person) -> bool:
        return person.key in {author.key for author in self.authors}


class Page(msgspec.Struct, frozen=True):
    items: list[Proposal]
    total: int
    limit: int
    offset: int


class FileDiff(msgspec.Struct, frozen=True, omit_defaults=True):
    path: str
    status: Literal["added", "modified", "deleted"]
    diff: str  # unified diff, git's format
    old_blob: str | None = None
    new_blob: str | None = None


class ProblemInfo(msgspec.Struct, frozen=True):
    file: str
    line: int
    column: int
    code: str
    message: str
    severity: str = "error"
    pointer: str = ""


class CaseOutcome(msgspec.Struct, frozen=True):
    suite: str
    case: str
    file: str
    line: int
    passed: bool
    problems: list[str]


class Checks(msgspec.Struct, frozen=True, omit_defaults=True):
    """Whether a revision loads, and how its test cases fare (None: not run, it does not load)."""

    revision: str
    valid: bool
    problems: list[ProblemInfo]
    tests: list[CaseOutcome] | None = None

    @property
    def failed_tests(self) -> list[CaseOutcome]:
        return [case for case in self.tests or [] if not case.passed]


class ProposalView(msgspec.Struct, frozen=True):
    proposal: Proposal
    diff: list[FileDiff]
    checks: Checks
    comments: list[Comment]
    events: list[Event]
    # static analysis of the head against the approved branch (None: the head does not load)
    analysis: Analysis | None = None


class FileAt(msgspec.Struct, frozen=True):
    """A file as an editor sees it: send `blob` back as the edit's `base`."""

    path: str
    revision: str
    content: str
    blob: str


class HistoryEdit(msgspec.Struct, frozen=True):
    commit: str
    author: Person
    date: dt.datetime
    message: str


class HistoryEntry(msgspec.Struct, frozen=True, omit_defaults=True):
    """A commit on the approved branch that changed the file, with the review it went through."""

    commit: str
    author: Person
    date: dt.datetime
    message: str
    approved_by: list[Person] = msgspec.field(default_factory=list)
    proposal: str | None = None
    edits: list[HistoryEdit] = msgspec.field(default_factory=list)
