"""Problems found while loading a rules repository: where, what, and what to do about it."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any, Literal

Severity = Literal["error", "warning"]


@dataclass(frozen=True, slots=True)
class Problem:
    """One finding. `file` is relative to the repository root; line and column are 1-based."""

    file: str
    line: int
    column: int
    pointer: str  # JSON pointer to the field inside the file ("" for the whole file)
    code: str  # stable snake_case code, e.g. unknown_queue
    message: str  # a plain sentence naming the field and what to do
    severity: Severity = "error"

    def __str__(self) -> str:
        suffix = " (warning)" if self.severity == "warning" else ""
        return f"{self.file}:{self.line}:{self.column}: {self.code}: {self.message}{suffix}"

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def has_errors(problems: list[Problem]) -> bool:
    return any(p.severity == "error" for p in problems)


def sort_key(problem: Problem) -> tuple[str, int, int, str]:
    return (problem.file, problem.line, problem.column, problem.code)
