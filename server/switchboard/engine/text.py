"""Text normalisation shared by classification, extraction and conditions.

`normalize` makes text safe to read (NFKC, invisible format characters removed) without
changing its meaning; `fold` makes it comparable (case- and accent-free); `word_string`
turns folded text into a space-padded run of words for whole-word phrase matching.
"""

from __future__ import annotations

import re
import unicodedata

# German text typed without umlauts writes them as two letters; both spellings must match.
_UMLAUT_DIGRAPHS = re.compile(r"([aou])e")
_WORDS = re.compile(r"\w+")
_REPLY_HEADER = re.compile(
    r"(?i)^(?:-{2,}\s*(?:original message|urspr(?:ü|ue)ngliche nachricht)\s*-{2,}"
    r"|(?:on|am)\s.{4,200}\s(?:wrote|schrieb)\b.{0,200}:"
    r"|(?:from|von):\s.+\s(?:sent|gesendet):\s.*)$"
)
_MAX_TEXT = 100_000  # characters; longer inquiries are cut before any matching
# A short first line that only greets ("Hello Anna,", "Sehr geehrte Damen und Herren,").
_SALUTATION = re.compile(
    r"(?i)^(?:hi|hello|hallo|hey|dear|good (?:morning|afternoon|evening)|morning|moin|servus"
    r"|guten (?:morgen|tag|abend)|sehr geehrte[rs]?|liebe[rs]?"
    r"|gr(?:ü|ue)(?:ß|ss) (?:gott|dich|euch))"
    r"\b[^.?!\n]{0,60}[,!:]?$"
)
# A short line that closes a message; what follows is the signature ("Kind regards", "Gruß").
_CLOSING = re.compile(
    r"(?i)^(?:(?:kind|best|warm|many thanks and|thanks and|with kind|yours)?\s*regards"
    r"|best|cheers|thanks|thank you|many thanks|thx|ta|br|kr|sincerely|yours sincerely"
    r"|yours faithfully|mit freundlichen gr(?:ü|ue)(?:ß|ss)en|freundliche gr(?:ü|ue)(?:ß|ss)e"
    r"|(?:viele|beste|liebe|herzliche|sonnige) gr(?:ü|ue)(?:ß|ss)e|gr(?:ü|ue)(?:ß|ss)e?"
    r"|lg|vg|mfg|danke(?: und gr(?:ü|ue)(?:ß|ss))?|vielen dank|sent from my \w+"
    r"|von meinem \w+ gesendet)\b[^.?!\n]{0,40}$"
)

# Lines that start a signature or a disclaimer without a closing line before them: the
# signature delimiter "-- ", a rule of underscores, and the usual openings of e-mail notices.
_NOTICE = re.compile(
    r"(?i)^(?:--\s*|_{5,}|={5,}"
    r"|(?:confidentiality|privacy|legal|important)\s*(?:notice|note|disclaimer)\b.*"
    r"|disclaimer\b.*"
    r"|this (?:e-?mail|message|communication)\b.{0,80}\b(?:confidential|intended (?:only|solely)"
    r"|privileged)\b.*"
    r"|if you (?:are not the intended recipient|have received this)\b.*"
    r"|please consider the environment\b.*"
    r"|diese (?:e-?mail|nachricht)\b.{0,80}\b(?:vertraulich\w*|bestimmt)\b.*"
    r"|(?:wenn|falls) sie nicht der (?:richtige|beabsichtigte) (?:adressat|empf(?:ä|ae)nger)\b.*"
    r"|(?:wenn|falls) sie diese (?:e-?mail|nachricht)\b.*"
    r"|bitte denken sie an die umwelt\b.*)$"
)


def _deletions() -> tuple[dict[int, None], dict[int, None]]:
    """Translation tables that delete invisible format characters (category Cf) and
    combining marks (accents once decomposed), over the BMP and the tag block."""
    points = [*range(0x10000), *range(0xE0000, 0xE0080)]
    invisible = {cp: None for cp in points if unicodedata.category(chr(cp)) == "Cf"}
    marks = {cp: None for cp in points if unicodedata.combining(chr(cp))}
    return invisible, marks


_INVISIBLE, _MARKS = _deletions()


def normalize(text: str) -> str:
    """NFKC, with zero-width and other invisible format characters (category Cf) removed.

    Invisible characters could otherwise split a word ("law\u200byer") so that a rule
    looking for it would not see it.
    """
    text = text[:_MAX_TEXT]
    if text.isascii():
        return text
    return unicodedata.normalize("NFKC", text).translate(_INVISIBLE)


def strip_quoted(text: str) -> str:
    """The new part of a reply: quoted lines (`> ...`) and everything after a reply header
    ("On ... wrote:", "-----Original Message-----", "Am ... schrieb ...:") left out.

    Used for classification: an earlier message quoted below a one-line "thanks" must not
    make the reply look like the question it answers. Returns `text` if nothing would remain.
    """
    kept = []
    for line in text.splitlines():
        stripped = line.strip()
        if _REPLY_HEADER.match(stripped):
            break
        if not stripped.startswith(">"):
            kept.append(line)
    new = "\n".join(kept).strip()
    return new or text


def message_core(text: str) -> str:
    """The message without its greeting line and its signature: the lines from the first
    closing line ("Kind regards", "Mit freundlichen Grüßen", "Sent from my iPhone"), the
    signature delimiter "--" or the opening of a disclaimer ("This e-mail is confidential")
    on.

    Used for classification: names, job titles, companies and disclaimers in a signature
    say nothing about what is asked, and weigh heavily in a short question. Returns `text`
    if nothing would remain.
    """
    lines = [line.strip() for line in text.splitlines()]
    start = next((i for i, line in enumerate(lines) if line), len(lines))
    if start < len(lines) and _SALUTATION.match(lines[start]):
        start += 1
    kept = []
    for line in lines[start:]:
        if _CLOSING.match(line) or _NOTICE.match(line):
            break
        kept.append(line)
    core = "\n".join(kept).strip()
    return core or text


def fold(text: str) -> str:
    """Case- and accent-folded text: `Rückerstattung` -> `ruckerstattung`, `Straße` -> `strasse`."""
    if text.isascii():
        return text.lower()
    return unicodedata.normalize("NFKD", text).translate(_MARKS).casefold()


def transliterate_umlauts(folded: str) -> str:
    """`rueckerstattung` -> `ruckerstattung`: the digraph spelling of folded umlauts."""
    return _UMLAUT_DIGRAPHS.sub(r"\1", folded)


def words(folded: str) -> list[str]:
    """The words of already folded text."""
    return _WORDS.findall(folded)


def word_string(folded: str) -> str:
    """Folded text as ` word word word ` so that ` phrase ` finds whole words only."""
    return " " + " ".join(_WORDS.findall(folded)) + " "
