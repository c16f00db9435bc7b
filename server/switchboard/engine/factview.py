"""The facts of one inquiry as rules see them, and the phrase book for `contains_any` and
`matches`.

A FactView is a plain dict of fact values that also remembers, per text fact, which of the
revision's phrases occur in it and which of its regular expressions match it (all of them in
one RE2 set pass), so that neither is computed more than once per decision however many
rules look at the text.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from switchboard.engine.extract import search_set
from switchboard.engine.text import fold, transliterate_umlauts, words


def spellings(text: str) -> list[list[str]]:
    """The folded words of `text`, plain and with umlaut digraphs reduced (`ue` -> `u`)."""
    plain = fold(text)
    variant = transliterate_umlauts(plain)
    return [words(plain)] if variant == plain else [words(plain), words(variant)]


class PhraseBook:
    """Every contains_any phrase and every `matches` expression of a revision, per fact, for
    one-pass matching."""

    def __init__(self) -> None:
        self.singles: dict[str, set[str]] = {}
        self.multi: dict[str, dict[str, set[tuple[str, ...]]]] = {}  # fact -> first word -> ...
        self.patterns: dict[str, list[str]] = {}  # fact -> expressions, by index
        self._sets: dict[str, Any] = {}  # fact -> compiled RE2 set of its expressions

    def add_pattern(self, fact: str, regex: str) -> int:
        """Register a `matches` expression (case-insensitive) for `fact`; returns its index."""
        known = self.patterns.setdefault(fact, [])
        if regex in known:
            return known.index(regex)
        known.append(regex)
        self._sets.pop(fact, None)  # built again, with this one, when next needed
        return len(known) - 1

    def matching(self, fact: str, encoded: bytes) -> frozenset[int]:
        """The indexes of the registered expressions that match somewhere in `encoded`."""
        patterns = self._sets.get(fact)
        if patterns is None:
            patterns = search_set(self.patterns.get(fact, ()))
            self._sets[fact] = patterns  # one assignment: safe to share between threads
        return frozenset(patterns.Match(encoded) or ())

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

    __slots__ = ("_book", "_bytes", "_found", "_matched")

    def __init__(self, values: Mapping[str, Any], book: PhraseBook | None = None) -> None:
        super().__init__(values)
        self._book = book or PhraseBook()
        self._found: dict[str, frozenset[str]] = {}
        self._matched: dict[str, frozenset[int]] = {}
        self._bytes: dict[str, bytes | None] = {}

    def matched(self, fact: str) -> frozenset[int]:
        """The indexes of the book's expressions for `fact` that match it (none if no text)."""
        cached = self._matched.get(fact)
        if cached is None:
            encoded = self.encoded(fact)
            cached = frozenset() if encoded is None else self._book.matching(fact, encoded)
            self._matched[fact] = cached
        return cached

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
