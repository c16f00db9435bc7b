"""Inbound mail, parsed with the standard library (`policy.default`) into what a gateway needs:
the sender, the threading ids, the subject, the readable text and a list of attachments.

Text: `text/plain` is preferred over `text/html` in `multipart/alternative`; an HTML-only mail
is turned into text. Bodies are decoded from quoted-printable or base64 and then from their
charset; a part labelled ISO-8859-1 or US-ASCII is read as windows-1252 (its superset, which is
what such mail usually is), and undecodable bytes become U+FFFD instead of failing.
Attachments are described (name, type, size) and otherwise dropped.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from email import policy
from email.headerregistry import Address
from email.message import EmailMessage, Message
from email.parser import BytesParser

from switchboard.gateways.htmltext import html_to_text

_MSG_ID = re.compile(r"<([!-;=?-~]{1,250})>")  # printable ASCII except < and >, no spaces
_CONTROL = re.compile(r"[\x00-\x1f\x7f]+")
_LATIN1 = frozenset({"iso-8859-1", "iso8859-1", "latin-1", "latin1", "us-ascii", "ascii"})
MAX_THREAD_IDS = 30
MAX_NAME_CHARS = 120


@dataclass(frozen=True, slots=True)
class Attachment:
    name: str
    content_type: str
    size: int


@dataclass(frozen=True, slots=True)
class InboundMail:
    message: EmailMessage
    sender: str | None  # the one From address, lower case; None unless exactly one valid
    message_id: str | None  # with angle brackets
    references: tuple[str, ...]  # References, then In-Reply-To, oldest first, bracketed
    subject: str
    text: str
    html_only: bool = False
    attachments: tuple[Attachment, ...] = field(default_factory=tuple)
    language: str | None = None  # primary tag of Content-Language

    @property
    def thread(self) -> list[str]:
        """Every id naming this mail's thread, this mail's own id last."""
        ids = [*self.references, *([self.message_id] if self.message_id else [])]
        return list(dict.fromkeys(ids))[-MAX_THREAD_IDS:]

    def header(self, name: str) -> str:
        """A header's value as one clean line ('' when absent or unreadable)."""
        return header_text(self.message, name)


def parse(raw: bytes) -> InboundMail:
    message = BytesParser(policy=policy.default).parsebytes(raw)
    assert isinstance(message, EmailMessage)  # policy.default builds EmailMessage objects
    body = message.get_body(preferencelist=("plain", "html"))
    text, html_only = "", False
    if body is not None:
        text = decoded_text(body)
        if body.get_content_subtype() == "html":
            text, html_only = html_to_text(text), True
    references = [*msg_ids(message, "References"), *msg_ids(message, "In-Reply-To")]
    own = msg_ids(message, "Message-ID")
    language = header_text(message, "Content-Language").split(",")[0].strip()
    return InboundMail(
        message=message,
        sender=_sender(message),
        message_id=own[0] if own else None,
        references=tuple(dict.fromkeys(references)),
        subject=header_text(message, "Subject"),
        text=text.replace("\r\n", "\n").strip(),
        html_only=html_only,
        attachments=tuple(_attachments(message, body)),
        language=language.split("-")[0].lower() or None,
    )


def header_text(message: Message, name: str) -> str:
    """The decoded header as one line: control characters (CR, LF, ...) become spaces."""
    try:
        value = message.get(name)
    except (ValueError, TypeError, IndexError):  # a header the parser could not make sense of
        return ""
    return _CONTROL.sub(" ", str(value)).strip() if value is not None else ""


def msg_ids(message: Message, name: str) -> list[str]:
    """The `<id>` tokens of a Message-ID, In-Reply-To or References header."""
    return [f"<{found}>" for found in _MSG_ID.findall(header_text(message, name))]


def decoded_text(part: Message) -> str:
    payload = part.get_payload(decode=True)
    data = payload if isinstance(payload, bytes) else b""
    charset = (part.get_content_charset() or "").lower()
    if not charset or charset in ("utf-8", "utf8"):
        try:
            return data.decode("utf-8")
        except UnicodeDecodeError:
            charset = "windows-1252"  # unlabelled or mislabelled 8-bit text
    if charset in _LATIN1:
        charset = "windows-1252"
    try:
        return data.decode(charset, errors="replace")
    except LookupError:  # a charset Python does not know
        return data.decode("utf-8", errors="replace")


def _sender(message: Message) -> str | None:
    try:
        header = message.get("From")
        addresses: tuple[Address, ...] = getattr(header, "addresses", ())
    except (ValueError, TypeError, IndexError):
        return None
    if len(addresses) != 1:
        return None
    address = addresses[0].addr_spec
    if not address or "@" not in address or _CONTROL.search(address) or " " in address:
        return None
    return address.lower()


def _attachments(message: EmailMessage, body: Message | None) -> list[Attachment]:
    found: list[Attachment] = []
    stack: list[Message] = [message]
    while stack:
        part = stack.pop(0)
        if part is body:
            continue
        kind = part.get_content_type()
        if kind == "message/rfc822":
            inner = part.get_payload()
            first = inner[0] if isinstance(inner, list) and inner else None
            size = len(first.as_bytes()) if isinstance(first, Message) else 0
            found.append(Attachment(_name(part) or "forwarded message", kind, size))
        elif part.is_multipart():
            stack.extend(part.iter_parts() if isinstance(part, EmailMessage) else [])
        elif part.get_content_disposition() == "attachment" or part.get_filename():
            payload = part.get_payload(decode=True)
            size = len(payload) if isinstance(payload, bytes) else 0
            found.append(Attachment(_name(part) or "unnamed", kind, size))
    return found


def _name(part: Message) -> str:
    try:
        name = part.get_filename() or ""
    except (ValueError, TypeError, IndexError):
        name = ""
    return _CONTROL.sub(" ", name).strip()[:MAX_NAME_CHARS]
