"""TwiML answers, built with ElementTree so that every text and attribute is XML-escaped.

Characters XML 1.0 cannot carry at all (most control characters) are removed first.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

_NOT_XML = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
VOICE_LANGUAGES = {"en": "en-GB", "de": "de-DE"}


def speech_language(locale: str | None, default: str = "en") -> str:
    primary = (locale or default).split("-")[0].split("_")[0].lower()
    return VOICE_LANGUAGES.get(primary, VOICE_LANGUAGES.get(default, "en-GB"))


class TwiML:
    """`TwiML().say("Hello", "en-GB").dial("+4962155501").render()`."""

    def __init__(self) -> None:
        self.root = ET.Element("Response")

    def say(self, text: str, language: str, parent: ET.Element | None = None) -> TwiML:
        element = ET.SubElement(self.root if parent is None else parent, "Say")
        element.set("language", language)
        element.text = _clean(text)
        return self

    def message(self, text: str) -> TwiML:
        ET.SubElement(self.root, "Message").text = _clean(text)
        return self

    def dial(self, number: str) -> TwiML:
        ET.SubElement(self.root, "Dial").text = _clean(number)
        return self

    def gather(self, action: str, language: str, prompt: str) -> TwiML:
        """Listen for speech and post it to `action`, saying `prompt` first."""
        attrs = {
            "input": "speech",
            "action": _clean(action),
            "method": "POST",
            "language": language,
            "speechTimeout": "auto",
        }
        return self.say(prompt, language, ET.SubElement(self.root, "Gather", attrs))

    def hangup(self) -> TwiML:
        ET.SubElement(self.root, "Hangup")
        return self

    def render(self) -> str:
        body = ET.tostring(self.root, encoding="unicode", short_empty_elements=True)
        return '<?xml version="1.0" encoding="UTF-8"?>' + body


def _clean(text: str) -> str:
    return _NOT_XML.sub("", text)
