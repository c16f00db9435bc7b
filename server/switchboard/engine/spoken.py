"""Turns references spoken aloud back into written form, for entity extraction.

Phone transcripts spell references out: "S O four five zero zero, one two three" or
"vier sieben eins eins Strich null null vier fünf". Runs of three or more digit words
(fillers such as "uh" or "äh" allowed between them, English tens such as "forty-five" too)
become digits, "Strich" or "dash"
between two such runs becomes `-`, and single capital letters spoken apart ("S O") are
joined to the number they precede ("SO4500123"). Ordinary prose is left as it is: a lone
"one" or "zwei" is never touched.
"""

from __future__ import annotations

import re

_DIGITS = {
    "zero": "0", "oh": "0", "one": "1", "two": "2", "three": "3", "four": "4", "five": "5",
    "six": "6", "seven": "7", "eight": "8", "nine": "9",
    "null": "0", "eins": "1", "zwei": "2", "zwo": "2", "drei": "3", "vier": "4", "fünf": "5",
    "fuenf": "5", "funf": "5", "sechs": "6", "sieben": "7", "acht": "8", "neun": "9",
}  # fmt: skip
_TENS = {
    "twenty": "2", "thirty": "3", "forty": "4", "fifty": "5", "sixty": "6", "seventy": "7",
    "eighty": "8", "ninety": "9",
}  # fmt: skip
_UNIT = "|".join(sorted(_DIGITS, key=len, reverse=True))
_WORD = rf"\b(?:(?:{'|'.join(_TENS)})(?:[- ](?:{_UNIT}))?|{_UNIT})\b"
_GAP = r"[\s,]+(?:(?:uh|um|er|erm|äh|ähm|hm)[\s,]+)*"
_RUN = re.compile(rf"{_WORD}(?:{_GAP}{_WORD})+", re.IGNORECASE)
_ONE = re.compile(_WORD, re.IGNORECASE)
_PARTS = re.compile(r"[a-zäöü]+", re.IGNORECASE)
_DASH = re.compile(r"(\d)[\s,]*\b(?:strich|bindestrich|dash|hyphen)\b[\s,]*(\d)", re.IGNORECASE)
_LETTERS = re.compile(
    r"\b(?P<letters>[A-Z](?:[ ]+[A-Z])+)\b[\s,]*(?P<dash>(?:dash|strich|bindestrich)[\s,]*)?(?=\d)",
    re.IGNORECASE,
)


def _number(word: str) -> str:
    """`four` -> 4, `forty-five` -> 45, `twenty` -> 20."""
    parts = [p.lower() for p in _PARTS.findall(word)]
    if parts[0] in _TENS:
        return _TENS[parts[0]] + (_DIGITS[parts[1]] if len(parts) > 1 else "0")
    return _DIGITS[parts[0]]


def _digits(match: re.Match[str]) -> str:
    digits = "".join(_number(word) for word in _ONE.findall(match.group(0)))
    return digits if len(digits) >= 3 else match.group(0)


def written(text: str) -> str:
    """`text` with spelled-out references written as digits and joined letters."""
    if not _ONE.search(text):
        return text
    text = _RUN.sub(_digits, text)
    text = _DASH.sub(r"\1-\2", text)
    return _LETTERS.sub(_joined, text)


def _joined(match: re.Match[str]) -> str:
    letters = match.group("letters")
    if not all(ch.isupper() for ch in letters if ch.isalpha()):  # "a b 3" is prose
        return match.group(0)
    return letters.replace(" ", "") + ("-" if match.group("dash") else "")
