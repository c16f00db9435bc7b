"""One parsed rules file: its data, where each field sits, and a way to report on it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from switchboard.rules.model import Location
from switchboard.rules.problems import Problem, Severity
from switchboard.rules.yamlread import Marks, locate


@dataclass(slots=True)
class Document:
    path: str  # relative to the repository root
    kind: str  # settings | intent | escalation | queue | template | snippet | entity | ...
    data: Any  # plain JSON-like data; a dict once the schema check passed
    marks: Marks
    blob_sha: str
    valid: bool = True  # False when the schema check failed: deeper checks skip it

    @property
    def id(self) -> str | None:
        value = self.data.get("id") if isinstance(self.data, dict) else None
        if self.kind == "settings":
            return "settings"
        return value if isinstance(value, str) else None

    def at(self, pointer: str) -> tuple[int, int]:
        """Line and column of the field, or of its nearest enclosing field that exists."""
        return locate(self.data, self.marks, pointer)

    def location(self, pointer: str) -> Location:
        line, column = self.at(pointer)
        return Location(self.path, line, column, pointer)

    def problem(
        self, pointer: str, code: str, message: str, severity: Severity = "error"
    ) -> Problem:
        line, column = self.at(pointer)
        return Problem(self.path, line, column, pointer, code, message, severity)
