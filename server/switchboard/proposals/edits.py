"""Checks an edit before anything is written: sane paths, and bases that are still current.

Every edited file names the blob its editor saw (`base`, None for a new file). If the file
has changed since, the edit is refused with `stale_edit` naming the file: nobody's work is
overwritten without them having seen it.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from switchboard.proposals.errors import InvalidEdit, StaleEdit
from switchboard.proposals.gitcmd import Git
from switchboard.proposals.model import FileEdit
from switchboard.proposals.trees import Entry, entries
from switchboard.rules.layout import kind_of

MAX_FILES = 200
MAX_MESSAGE = 5_000
_PATH = re.compile(r"^[A-Za-z0-9_./-]{1,200}$")
_SHA = re.compile(r"^[0-9a-f]{40}$")
_REVIEW_LINE = re.compile(r"^\s*(approved-by|proposal)\s*:", re.IGNORECASE | re.MULTILINE)


def check_edit(message: str, files: Sequence[FileEdit]) -> None:
    """Refuse (InvalidEdit) an edit with no message, no files, or a file that is not a rule."""
    if not message.strip():
        raise InvalidEdit("An edit needs a message that says what changed and why.")
    if len(message) > MAX_MESSAGE:
        raise InvalidEdit(f"The message is longer than {MAX_MESSAGE} characters.")
    if _REVIEW_LINE.search(message):
        raise InvalidEdit(
            "The message must not contain 'Approved-by:' or 'Proposal:' lines; the merge adds "
            "them from the review."
        )
    if not files:
        raise InvalidEdit("An edit needs at least one file.")
    if len(files) > MAX_FILES:
        raise InvalidEdit(f"An edit may change at most {MAX_FILES} files.")
    seen: set[str] = set()
    for edit in files:
        check_path(edit.path)
        if edit.path in seen:
            raise InvalidEdit(f"{edit.path} appears twice in the edit.", {"path": edit.path})
        seen.add(edit.path)
        if edit.base is not None and not _SHA.match(edit.base):
            raise InvalidEdit(
                f"The base of {edit.path} must be the 40-digit blob id the file had.",
                {"path": edit.path},
            )
        if edit.content is None and edit.base is None:
            raise InvalidEdit(
                f"Deleting {edit.path} needs the base it had when you looked at it.",
                {"path": edit.path},
            )


def check_path(path: str) -> None:
    parts = path.split("/")
    if (
        any(part in {"", ".", ".."} or part.startswith(".") for part in parts)
        or not _PATH.match(path)
        or kind_of(path) is None
    ):
        raise InvalidEdit(
            f"{path!r} is not a rules file: use switchboard.yaml or a .yaml file in one of the "
            "rules folders (taxonomy/, escalation/, queues/, templates/, snippets/, entities/, "
            "connectors/, tests/), named with letters, digits, '_', '-' and '.'.",
            {"path": path},
        )


def check_bases(git: Git, head: str, files: Sequence[FileEdit]) -> dict[str, Entry]:
    """The current entries of the edited files; StaleEdit if any differs from its base."""
    current = entries(git, head, [edit.path for edit in files])
    stale = [edit for edit in files if _blob(current.get(edit.path)) != edit.base]
    if stale:
        first = stale[0]
        raise StaleEdit(
            f"{first.path} was changed by someone else since you opened it. Reload it, "
            "apply your change again and save.",
            {
                "path": first.path,
                "base": first.base,
                "current": _blob(current.get(first.path)),
                "paths": [edit.path for edit in stale],
            },
        )
    return current


def _blob(entry: Entry | None) -> str | None:
    return entry.blob if entry else None


def encoded(edit: FileEdit) -> bytes | None:
    return None if edit.content is None else edit.content.encode("utf-8")
