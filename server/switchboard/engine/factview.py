"""The facts of one inquiry as rules see them, and the phrase book for `contains_any`.

A FactView is a plain dict of fact values that also remembers, per text fact, which of the
revision's phrases occur in it and its UTF-8 form for RE2, so that neither is computed more
than once per decision however many rules look at the text.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from switchboard.engine.text import fold, transliterate_umlauts, words


def spellings(text: str) -> list[list[str]]:
    """The folded words of `text`, plain and with umlaut digraphs reduced (`ue` -> `u`)."""
    plain = fold(text)
    variant = transliterate_umlauts(plain)
    return [words(plain)] if variant == plain else [words(plain), words(variant)]


class PhraseBook:
    """Every contains_any phrase of a revision, per fact, for one-pass matching."""

    def __init__(self) -> None:
        self.singles: dict[str, set[str]] = {}
        self.multi: dict[str, dict[str, set[tuple[str, ...]]]] = {}  # fact -> first word -> ...

    def add(self, fact: str, raw: Iterable[Any]) -> frozenset[str]:
        """Register phrases for `fact`; returns their keys (folded, space-joined words)."""
        keys: set[str] = set()
        for phrase in raw:
            for parts in spellings(str(phrase)):
                if not parts:
                    continue
                keys.add(" ".join(parts))
                if len(parts) == 1:
                    self.singles.setdefault(fact, set()).add(parts[0])
                else:
                    firsts = self.multi.setdefault(fact, {})
                    firsts.setdefault(parts[0], set()).add(tuple(parts))
        return frozenset(keys)

    def find(self, fact: str, text: str) -> frozenset[str]:
        """The keys of every registered phrase that occurs in `text` as whole words."""
        singles = self.singles.get(fact, set())
        firsts = self.multi.get(fact, {})
        found: set[str] = set()
        for tokens in spellings(text):
            found.update(singles.intersection(tokens))
            if not firsts:
                continue
            for i, token in enumerate(tokens):
                for phrase in firsts.get(token, ()):
                    if tuple(tokens[i : i + len(phrase)]) == phrase:
                        found.add(" ".join(phrase))
        return frozenset(found)


class FactView(dict[str, Any]):
    """The facts of one inquiry, plus the phrases found in its text facts (computed once)."""

    __slots__ = ("_book", "_bytes", "_found")

    def __init__(self, values: Mapping[str, Any], book: PhraseBook | None = None) -> None:
        super().__init__(values)
        self._book = book or PhraseBook()
        self._found: dict[str, frozenset[str]] = {}
        self._bytes: dict[str, bytes | None] = {}

    def encoded(self, fact: str) -> bytes | None:
        """A text fact as UTF-8, which RE2 searches without converting offsets back."""
        if fact not in self._bytes:
            value = self.get(fact)
            self._bytes[fact] = value.encode() if isinstance(value, str) else None
        return self._bytes[fact]

    def found(self, fact: str) -> frozenset[str]:
        cached = self._found.get(fact)
        if cached is None:
            value = self.get(fact)
            text = value if isinstance(value, str) else ""
            cached = self._found[fact] = self._book.find(fact, text)
        return cached
