"""What each channel can carry: SMS length, speakable voice text, an e-mail subject."""

from __future__ import annotations

import re
import unicodedata

SMS_MAX_CHARS = 320

_URL = re.compile(
    r"(?i)\b[a-z][a-z0-9+.-]*://|\bwww\.|(?<![\w@.-])(?:[a-z0-9-]+\.)+"
    r"(?:[a-z]{2,}/|(?:com|net|org|de|at|ch|eu|io|info|biz|example)\b)"
)
# Besides letters, digits and accents: punctuation a text-to-speech engine reads or pauses on.
_SPEAKABLE_MARKS = frozenset(" \n\t.,;:!?'\"()-/&%+@€$£°§–—…‘’‚“”„«»")


class ChannelError(ValueError):
    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code


def check_channel(channel: str, subject: str | None, body: str) -> None:
    """Raise ChannelError when a rendered reply breaks its channel's limits."""
    if not body:
        raise ChannelError("empty_reply", "the reply is empty once rendered")
    if channel == "email" and not subject:
        raise ChannelError("email_subject_missing", "an e-mail needs a subject")
    if channel == "sms" and len(body) > SMS_MAX_CHARS:
        raise ChannelError("sms_too_long", f"{len(body)} characters; an SMS allows {SMS_MAX_CHARS}")
    if channel == "voice":
        url = _URL.search(body)
        if url:
            raise ChannelError(
                "voice_url", f"a spoken reply cannot contain a web address ({url[0]!r})"
            )
        for char in body:
            if char not in _SPEAKABLE_MARKS and unicodedata.category(char)[0] not in "LMN":
                name = unicodedata.name(char, f"U+{ord(char):04X}")
                raise ChannelError("voice_unspeakable", f"{char!r} ({name}) cannot be spoken")
