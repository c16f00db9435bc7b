"""Turns references spoken aloud back into written form, for entity extraction.

Phone transcripts spell references out: "S O four five zero zero, one two three" or
"vier sieben eins eins Strich null null vier fünf". Runs of three or more digit words
(fillers such as "uh" or "äh" allowed between them) become digits, "Strich" or "dash"
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
_WORD = r"\b(?:" + "|".join(sorted(_DIGITS, key=len, reverse=True)) + r")\b"
_GAP = r"[\s,]+(?:(?:uh|um|er|erm|äh|ähm|hm)[\s,]+)*"
_RUN = re.compile(rf"{_WORD}(?:{_GAP}{_WORD}){{2,}}", re.IGNORECASE)
_ONE = re.compile(_WORD, re.IGNORECASE)
_DASH = re.compile(r"(\d)[\s,]*\b(?:strich|bindestrich|dash|hyphen)\b[\s,]*(\d)", re.IGNORECASE)
_LETTERS = re.compile(r"\b[A-Z](?:[ ]+[A-Z])+\b[\s,]*(?=\d)")


def written(text: str) -> str:
    """`text` with spelled-out references written as digits and joined letters."""
    if not _ONE.search(text):
        return text
    text = _RUN.sub(lambda m: "".join(_DIGITS[w.lower()] for w in _ONE.findall(m.group(0))), text)
    text = _DASH.sub(r"\1-\2", text)
    return _LETTERS.sub(lambda m: "".join(ch for ch in m.group(0) if ch.isalpha()), text)
