"""Reads amounts of money: `12.500,00 EUR`, `€12,500`, `EUR 3.2k`, `12500 euros`, `£ 80`.

A number only counts as money next to a currency sign, code or word. Which of `.` and `,` is
the decimal separator is decided by position: the last separator is decimal unless it is
followed by exactly three digits and nothing else separates the number (then it groups
thousands), and a separator that occurs twice always groups thousands.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_CURRENCIES = {
    "€": "EUR",
    "eur": "EUR",
    "euro": "EUR",
    "euros": "EUR",
    "chf": "CHF",
    "sfr": "CHF",
    "fr": "CHF",
    "franken": "CHF",
    "francs": "CHF",
    "gbp": "GBP",
    "£": "GBP",
    "pound": "GBP",
    "pounds": "GBP",
    "usd": "USD",
    "us$": "USD",
    "$": "USD",
    "dollar": "USD",
    "dollars": "USD",
}
_MULTIPLIERS = {"k": 1e3, "tsd": 1e3, "thousand": 1e3, "m": 1e6, "mio": 1e6, "million": 1e6}

_NUMBER = r"\d{1,3}(?:[.,'\u00a0\u202f ]\d{3})+(?:[.,]\d{1,2})?|\d+(?:[.,]\d+)?"
_MULT = r"(?:\s?(?P<{n}>k|tsd\.?|thousand|mio\.?|million|m)\b)?"
_BEFORE = r"(?P<cur1>€|eur|chf|gbp|usd|us\$|sfr\.?|fr\.|£|\$)"
_AFTER = r"(?P<cur2>€|£|\$|eur|euros?|chf|sfr|franken|francs|gbp|pounds?|usd|dollars?)"
_MONEY = re.compile(
    rf"(?<![\w.,]){_BEFORE}\s?(?P<num1>{_NUMBER}){_MULT.format(n='mult1')}(?![\d])"
    rf"|(?<![\w.,])(?P<num2>{_NUMBER}){_MULT.format(n='mult2')}\s?{_AFTER}(?![\w])",
    re.IGNORECASE,
)


@dataclass(frozen=True, slots=True)
class Money:
    amount: float
    currency: str
    start: int


def parse_number(raw: str) -> float | None:
    """`12.500,00` -> 12500.0, `12,500` -> 12500.0, `3.2` -> 3.2, `12'500` -> 12500.0."""
    text = re.sub(r"['\u00a0\u202f ]", "", raw)
    separators = [ch for ch in text if ch in ".,"]
    if separators:
        last = separators[-1]
        head, _, tail = text.rpartition(last)
        groups_thousands = separators.count(last) > 1 or (
            len(set(separators)) == 1 and len(tail) == 3
        )
        if groups_thousands:
            text = text.replace(last, "")
        else:
            other = "," if last == "." else "."
            text = head.replace(other, "").replace(last, "") + "." + tail
    try:
        return float(text)
    except ValueError:
        return None


def find_money(text: str) -> list[Money]:
    """Every amount with a currency in `text`, in order of appearance."""
    found = []
    for match in _MONEY.finditer(text):
        number = match.group("num1") or match.group("num2")
        currency = (match.group("cur1") or match.group("cur2")).lower().rstrip(".")
        multiplier = (match.group("mult1") or match.group("mult2") or "").lower().rstrip(".")
        value = parse_number(number)
        if value is None:
            continue
        value *= _MULTIPLIERS.get(multiplier, 1.0)
        found.append(Money(round(value, 2), _CURRENCIES[currency], match.start()))
    return found
