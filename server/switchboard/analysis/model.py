"""What the static analysis reports: findings for reviewers and the state of each guarantee."""

from __future__ import annotations

from typing import Any, Literal

import msgspec

Severity = Literal["error", "warning", "info"]
SEVERITIES: tuple[Severity, ...] = ("error", "warning", "info")
Status = Literal["proved", "failed", "too_complex"]


class Place(msgspec.Struct, frozen=True):
    file: str
    line: int

    def __str__(self) -> str:
        return f"{self.file}:{self.line}"


class Finding(msgspec.Struct, frozen=True, omit_defaults=True):
    """One thing a reviewer should know, with where it is and, when useful, an example."""

    code: str  # stable snake_case, e.g. shadowed_rule
    severity: Severity
    message: str  # plain sentences for a reviewer
    rules: list[str] = msgspec.field(default_factory=list)  # rule (or intent) ids involved
    places: list[Place] = msgspec.field(default_factory=list)  # first one is the main place
    example: dict[str, Any] | None = None  # facts that show it (fact -> value or description)
    new: bool = False  # not found in the revision the proposal starts from

    @property
    def key(self) -> tuple[str, tuple[str, ...]]:
        """What identifies the same finding in two revisions."""
        return (self.code, tuple(self.rules))


class Guarantee(msgspec.Struct, frozen=True, omit_defaults=True):
    """One protected class of inquiries and whether an automatic answer is ruled out for it."""

    id: str
    title: str
    status: Status
    message: str
    covered_by: list[str] = msgspec.field(default_factory=list)  # rules, and built-in checks
    example: dict[str, Any] | None = None  # for `failed`: an uncovered case


class Analysis(msgspec.Struct, frozen=True, omit_defaults=True):
    revision: str
    findings: list[Finding]
    guarantees: list[Guarantee]
    base_revision: str | None = None  # what `new` findings are compared with

    @property
    def holds(self) -> bool:
        """Every guarantee is proved."""
        return all(g.status == "proved" for g in self.guarantees)

    def count(self, severity: Severity) -> int:
        return sum(1 for f in self.findings if f.severity == severity)
