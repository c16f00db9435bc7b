"""All parsed documents of a revision, findable by kind and id; reports duplicate ids."""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field
from typing import Any

from switchboard.rules.document import Document
from switchboard.rules.layout import SETTINGS_FILE
from switchboard.rules.problems import Problem

# kind -> (what people call it, where it lives)
KIND_WORDS: dict[str, tuple[str, str]] = {
    "intent": ("inquiry type", "taxonomy/"),
    "escalation": ("set of escalation rules", "escalation/"),
    "queue": ("team", "queues/"),
    "template": ("answer text", "templates/"),
    "snippet": ("shared text", "snippets/"),
    "entity": ("reference", "entities/"),
    "connector": ("data connection", "connectors/"),
    "test": ("test file", "tests/"),
}


@dataclass(slots=True)
class Index:
    docs: list[Document]
    ids: dict[str, dict[str, Document]] = field(default_factory=dict)  # kind -> id -> doc
    settings: Document | None = None
    # kinds with a file whose id could not be read: a name missing from them may be in that
    # file, so "no such ..." is not reported (the file's own problem is)
    unreadable: set[str] = field(default_factory=set)

    def valid(self, kind: str) -> list[Document]:
        """Documents of `kind` that passed the schema check, in path order, first of each id."""
        return [d for d in self.ids.get(kind, {}).values() if d.valid]

    def exists(self, kind: str, id_: str) -> bool:
        return id_ in self.ids.get(kind, {})

    def get(self, kind: str, id_: str) -> Document | None:
        return self.ids.get(kind, {}).get(id_)

    def query(self, connector: str, query: str) -> dict[str, Any] | None:
        """The raw query definition, when its data connection passed the schema check."""
        doc = self.get("connector", connector)
        if doc is None or not doc.valid:
            return None
        found = doc.data["queries"].get(query)
        return found if isinstance(found, dict) else None

    @property
    def locales(self) -> list[str]:
        if self.settings is None or not self.settings.valid:
            return []
        return list(self.settings.data["locales"])

    def unknown(self, doc: Document, pointer: str, kind: str, value: str) -> Problem:
        """An `unknown_<kind>` problem with close matches offered."""
        what, folder = KIND_WORDS[kind]
        known = sorted(self.ids.get(kind, {}))
        close = difflib.get_close_matches(value, known, n=3)
        hint = f" Did you mean {' or '.join(close)}?" if close else ""
        if not close and known and len(known) <= 12:
            hint = f" Known: {', '.join(known)}."
        message = f"There is no {what} `{value}` in {folder}.{hint}"
        return doc.problem(pointer, f"unknown_{kind}", message)

    def check_ref(self, doc: Document, pointer: str, kind: str, value: Any) -> list[Problem]:
        """`unknown_<kind>` when `value` names nothing (and every file of the kind was read)."""
        if isinstance(value, str) and not self.exists(kind, value) and kind not in self.unreadable:
            return [self.unknown(doc, pointer, kind, value)]
        return []


def build_index(docs: list[Document], unreadable: set[str]) -> tuple[Index, list[Problem]]:
    """`unreadable`: kinds of files that could not be parsed at all."""
    index = Index(docs, unreadable=set(unreadable))
    problems: list[Problem] = []
    for doc in docs:
        if doc.kind == "settings":
            index.settings = doc
            continue
        id_ = doc.id
        if id_ is None:
            index.unreadable.add(doc.kind)
            continue
        seen = index.ids.setdefault(doc.kind, {})
        if id_ in seen:
            what, _ = KIND_WORDS[doc.kind]
            message = (
                f"The {what} `{id_}` is already defined in {seen[id_].path}. "
                "Names must be unique: rename one of them."
            )
            problems.append(doc.problem("/id", "duplicate_id", message))
        else:
            seen[id_] = doc
    if index.settings is None:
        message = f"{SETTINGS_FILE} is missing. Every rules repository needs one at its root."
        problems.append(Problem(SETTINGS_FILE, 1, 1, "", "missing_settings", message))
    return index, problems
