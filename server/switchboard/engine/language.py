"""Tells English from German by counting common function words.

Inquiries are short and the choice is between two languages, so a word list is enough and
costs microseconds. A gateway's locale hint, when present, wins over this guess (in decide).
"""

from __future__ import annotations

from switchboard.engine.text import fold, words


def _word_set(text: str) -> frozenset[str]:
    return frozenset(text.split())


_ENGLISH = _word_set(
    """a an the and or but is are was were be been am do does did have has had i we you he she
    it they my our your their me us him her them this that these those what where when why how
    which who of to in on at for from with by about please thanks thank can could would should
    will shall not no yes any some still yet already there here if so as just order invoice
    delivery when arrive hello hi dear regards kind"""
)
_GERMAN = _word_set(
    """der die das den dem des ein eine einen einem einer und oder aber ist sind war waren sein
    bin bist habe hast hat haben hatte wir ihr sie er es ich du mein meine unser unsere unserer
    ihre ihren ihrem dieser diese dieses was wo wann warum wie welche wer von zu im in am an auf
    fur mit bei uber bitte danke dank konnen konnten wurden sollten wird werden nicht kein keine
    ja noch schon bereits da hier wenn so als nur bestellung rechnung lieferung hallo guten tag
    sehr geehrte damen herren gruss grusse freundlichen mfg auftrag wurde"""
)
_SHARED = _ENGLISH & _GERMAN  # "in", "so", "was": no evidence either way
_ENGLISH -= _SHARED
_GERMAN -= _SHARED
_GERMAN_LETTERS = frozenset("äöüß")


def detect_language(text: str) -> str | None:
    """`en`, `de`, or None when the text gives no evidence either way."""
    tokens = words(fold(text))
    english = sum(1 for token in tokens if token in _ENGLISH)
    german = sum(1 for token in tokens if token in _GERMAN)
    if any(ch in _GERMAN_LETTERS for ch in text.lower()):
        german += 2
    if english == german:
        return None
    return "en" if english > german else "de"
