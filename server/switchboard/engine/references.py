"""Marks the references a repository's entity patterns find in a text, for the classifier.

"SO 4500-123" and "AB4500123" both become ` reforder_number `, so the classifier learns
"an order number is mentioned" from every spelling of every example, instead of a jumble of
character fragments. Spoken references are written out first ("S O four five ...").
"""

from __future__ import annotations

from typing import Any

from switchboard.engine.extract import compile_pattern
from switchboard.engine.spoken import written
from switchboard.engine.text import normalize


class ReferenceMarker:
    """Picklable: keeps the patterns as text and compiles them on first use."""

    def __init__(self, patterns: list[tuple[str, str]]) -> None:
        self.patterns = patterns  # (entity id, RE2 pattern), in the repository's order
        self._compiled: list[tuple[bytes, Any]] | None = None

    @classmethod
    def from_ruleset(cls, ruleset: Any) -> ReferenceMarker:
        if ruleset is None:
            return cls([])
        return cls(
            [
                (entity.id, pattern.regex)
                for entity in ruleset.entities.values()
                for pattern in entity.patterns
            ]
        )

    def __getstate__(self) -> dict[str, Any]:
        return {"patterns": self.patterns, "_compiled": None}

    def mark(self, text: str) -> str:
        encoded = written(normalize(text)).encode()  # RE2 is fastest on UTF-8 bytes
        if self._compiled is None:
            self._compiled = [
                (f" ref{eid} ".encode(), compile_pattern(rx)) for eid, rx in self.patterns
            ]
        for token, pattern in self._compiled:
            encoded = pattern.sub(token, encoded)
        return encoded.decode()
