"""Which snippets templates and snippets use: missing ones, circles and too deep nesting."""

from __future__ import annotations

from collections.abc import Collection, Mapping

Key = tuple[str, str]  # (snippet id, locale)


class _Circle(Exception):
    def __init__(self, trail: tuple[Key, ...]) -> None:
        super().__init__()
        self.trail = trail


def snippet_problems(
    uses: Mapping[tuple[str, str], Collection[str]],
    nested: Mapping[Key, Collection[str]],
    known: Collection[str],
    max_depth: int,
) -> list[str]:
    """Problems as sentences. `uses`: (template label, locale) -> snippet ids it calls;
    `nested`: (snippet id, locale) -> snippet ids that snippet calls; `known`: snippet ids."""
    problems: list[str] = []
    users = [((f"snippet {sid} ({locale})", locale), ids) for (sid, locale), ids in nested.items()]
    for (label, locale), ids in [*users, *uses.items()]:
        for sid in sorted(ids):
            if sid not in known:
                problems.append(f"{label}: uses snippet {sid!r}, which does not exist")
            elif (sid, locale) not in nested:
                problems.append(f"{label}: uses snippet {sid!r}, which has no {locale} text")

    depths: dict[Key, int] = {}

    def depth(key: Key, trail: tuple[Key, ...]) -> int:
        if key in trail:
            raise _Circle((*trail[trail.index(key) :], key))
        if key not in depths:
            children = [(sid, key[1]) for sid in nested[key] if (sid, key[1]) in nested]
            depths[key] = 1 + max((depth(child, (*trail, key)) for child in children), default=0)
        return depths[key]

    circles: set[frozenset[Key]] = set()
    for key in sorted(nested):
        try:
            levels = depth(key, ())
        except _Circle as circle:
            if frozenset(circle.trail) not in circles:
                circles.add(frozenset(circle.trail))
                path = " -> ".join(sid for sid, _ in circle.trail)
                problems.append(f"snippets call each other in a circle ({key[1]}): {path}")
            continue
        if levels > max_depth:
            problems.append(
                f"snippet {key[0]} ({key[1]}): nests snippets {levels} levels deep;"
                f" at most {max_depth} are allowed"
            )
    return problems
