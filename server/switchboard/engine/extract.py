"""Entity extraction: the repository's patterns for references, built-in parsers for the rest.

`string` entities run their RE2 patterns in order; a value template such as `SO{1}{2}` is
filled from the capture groups, upper-cased and, when the entity has a `valid` pattern,
kept only if it matches. The first valid value wins. `number` entities read the matched
text as a number. `money` entities take the largest amount written with a currency (the
largest, so that a rule on "an amount over X" sees the claim, not a line item) and set
`currency` beside it. `date` entities take the first date.

One RE2 set of every pattern tells in a single pass which patterns match at all; only
those are run for their captures (most texts match one or two of dozens).
"""

from __future__ import annotations

import datetime as dt
import functools
import re
from collections.abc import Iterable, Mapping
from typing import Any

import re2

from switchboard.engine.dates import find_dates
from switchboard.engine.money import find_money, parse_number

_GROUP = re.compile(r"\{(\d)\}")
_SPACE = re.compile(r"\s+")
_DIGITS = re.compile(r"\D")


def compile_pattern(regex: str) -> Any:
    """An RE2 pattern as the rules format defines them: case-insensitive."""
    options = re2.Options()
    options.case_sensitive = False
    return re2.compile(regex, options)


def _group(match: Any, number: int) -> str:
    value = match.group(number)
    return value.decode() if value else ""


@functools.lru_cache(maxsize=1024)
def _template_parts(template: str) -> tuple[str | int, ...]:
    """`SO{1}{2}` as ("SO", 1, 2): literal text and capture group numbers, in order."""
    parts: list[str | int] = []
    last = 0
    for mark in _GROUP.finditer(template):
        parts += [template[last : mark.start()], int(mark.group(1))]
        last = mark.end()
    parts.append(template[last:])
    return tuple(part for part in parts if part != "")


def _fill(template: str | None, match: Any) -> str:
    if template is None:
        return _group(match, 0)
    return "".join(
        part if isinstance(part, str) else _group(match, part) for part in _template_parts(template)
    )


def search_set(regexes: Iterable[str]) -> Any:
    """One RE2 set of `regexes` (case-insensitive, as every pattern of the rules format):
    `.Match(encoded)` gives the indexes of those that match anywhere, in a single pass."""
    options = re2.Options()
    options.case_sensitive = False
    options.log_errors = False
    patterns = re2.Set.SearchSet(options)
    for regex in regexes:
        patterns.Add(regex)
    patterns.Compile()
    return patterns


_pattern_set = functools.lru_cache(maxsize=64)(search_set)  # per revision's entity patterns


def _matching(entities: Mapping[str, Any], encoded: bytes) -> frozenset[str]:
    """The regexes of the entities' patterns that match somewhere in `encoded`."""
    regexes = tuple(
        dict.fromkeys(
            pattern.regex
            for entity in entities.values()
            if entity.type in ("string", "number")
            for pattern in entity.patterns
        )
    )
    if not regexes:
        return frozenset()
    hits = _pattern_set(regexes).Match(encoded) or ()
    return frozenset(regexes[i] for i in hits)


def _matches(
    entity: Any, encoded: bytes, matching: frozenset[str]
) -> Iterable[tuple[int, int, str]]:
    """(start, end, value) of every match; patterns run on UTF-8 bytes, where RE2 needs no
    offset conversion (a capture never splits a character, so each decodes cleanly)."""
    for pattern in entity.patterns:
        if pattern.regex not in matching:
            continue
        compiled = pattern.compiled or compile_pattern(pattern.regex)
        for match in compiled.finditer(encoded):
            value = _SPACE.sub("", _fill(pattern.value, match)).upper()
            yield match.start(), match.end(), value


def _candidates(entity: Any, encoded: bytes, matching: frozenset[str]) -> Iterable[str]:
    return (value for _, _, value in _matches(entity, encoded, matching))


def _is_valid(entity: Any, value: str) -> bool:
    if entity.valid is None:
        return True
    valid = entity.valid
    if isinstance(valid, str):
        valid = compile_pattern(valid)
    return valid.search(value) is not None


def _string_value(entity: Any, encoded: bytes, matching: frozenset[str]) -> str | None:
    for value in _candidates(entity, encoded, matching):
        if value and _is_valid(entity, value):
            return value
    return None


def several_references(entities: Mapping[str, Any], text: str) -> bool:
    """Whether `text` names two different references of one string entity (two order
    numbers), where one answer would speak of the first only. Matches that overlap are one
    reference read by two patterns ("PO 4711-0045" as `PO47110045` and `47110045`), and
    values with the same digits are one reference written twice."""
    encoded = text.encode()
    matching = _matching(entities, encoded)
    if not matching:
        return False
    for entity in entities.values():
        if entity.type != "string":
            continue
        found = sorted(
            (start, end, value)
            for start, end, value in _matches(entity, encoded, matching)
            if value and _is_valid(entity, value)
        )
        values: set[str] = set()
        reach = -1
        for start, end, value in found:
            if start >= reach:  # a reference of its own, not another reading of the last
                values.add(_DIGITS.sub("", value) or value)  # PO47110045 = 47110045
            reach = max(reach, end)
        if len(values) > 1:
            return True
    return False


def extract(entities: Mapping[str, Any], text: str, today: dt.date) -> dict[str, Any]:
    """`{entity id: value}` for every entity found in normalised `text`, plus `currency`."""
    found: dict[str, Any] = {}
    encoded = text.encode()
    matching = _matching(entities, encoded)
    amounts = None
    dates = None
    for entity_id, entity in entities.items():
        if entity.type == "money":
            amounts = find_money(text) if amounts is None else amounts
            if amounts:
                largest = max(amounts, key=lambda money: money.amount)
                found[entity_id] = largest.amount
                found["currency"] = largest.currency
        elif entity.type == "date":
            dates = find_dates(text, today) if dates is None else dates
            if dates:
                found[entity_id] = dates[0][1]
        elif entity.type == "number":
            raw = _string_value(entity, encoded, matching)
            number = parse_number(raw) if raw else None
            if number is not None:
                found[entity_id] = number
        else:
            value = _string_value(entity, encoded, matching)
            if value is not None:
                found[entity_id] = value
    return found
