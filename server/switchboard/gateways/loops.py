"""Which inbound mail may be answered automatically, and which must not even be decided.

`ignore`: bounces, delivery and read reports, auto-replies and anything sent from a null
sender; these are logged and never sent to the API, so no loop can start and no bounce becomes
a "customer inquiry". `route_only`: mailing-list and bulk mail, no-reply senders, mail asking
not to be auto-answered, our own address, and mail without one clear sender; the API decides
it (a person may need to see it) but it is never answered. Everything else is `answer`: sent to
the API and answered if the decision says so.
"""

from __future__ import annotations

import re
from collections.abc import Collection
from dataclasses import dataclass
from typing import Literal

from switchboard.gateways.mime import InboundMail

Handling = Literal["answer", "route_only", "ignore"]

_BOUNCE_SENDERS = frozenset({"mailer-daemon", "postmaster"})
_NO_REPLY = re.compile(r"(?:^|[-_.+])(?:no[-_.]?reply|do[-_.]?not[-_.]?reply)(?:[-_.+]|$)", re.I)
_REPORT_TYPES = frozenset(
    {"multipart/report", "message/delivery-status", "message/disposition-notification"}
)
_LIST_HEADERS = ("List-Id", "List-Unsubscribe", "List-Post")
_AUTO_HEADERS = ("X-Autoreply", "X-Autorespond", "X-Autoresponder")
_SUPPRESS = frozenset({"all", "autoreply", "oof"})


@dataclass(frozen=True, slots=True)
class Verdict:
    handling: Handling
    reason: str = ""


def judge(mail: InboundMail, envelope_sender: str | None, own: Collection[str] = ()) -> Verdict:
    """`envelope_sender` is the SMTP MAIL FROM ('' for the null sender `<>`)."""
    ignored = _ignored(mail, envelope_sender)
    if ignored:
        return Verdict("ignore", ignored)
    if mail.sender is not None and mail.sender in {a.lower() for a in own}:
        return Verdict("ignore", "own_address")
    quiet = _not_answered(mail)
    return Verdict("route_only", quiet) if quiet else Verdict("answer")


def _ignored(mail: InboundMail, envelope_sender: str | None) -> str:
    if envelope_sender is not None and envelope_sender.strip("<> ") == "":
        return "null_sender"
    if mail.header("Return-Path").replace(" ", "") == "<>":
        return "null_sender"
    if any(part.get_content_type() in _REPORT_TYPES for part in mail.message.walk()):
        return "bounce"
    senders = [mail.sender or "", envelope_sender or ""]
    if any(_local_part(s) in _BOUNCE_SENDERS for s in senders):
        return "bounce"
    auto = mail.header("Auto-Submitted").split(";")[0].strip().lower()
    if auto and auto != "no":
        return "auto_submitted"
    if any(mail.header(h) for h in _AUTO_HEADERS):
        return "auto_submitted"
    if mail.header("Precedence").lower() == "auto_reply":
        return "auto_submitted"
    return ""


def _not_answered(mail: InboundMail) -> str:
    if any(mail.header(h) for h in _LIST_HEADERS) or mail.header("Precedence").lower() == "list":
        return "mailing_list"
    if mail.header("Precedence").lower() in ("bulk", "junk"):
        return "bulk"
    if mail.sender is None:
        return "no_single_sender"
    if _NO_REPLY.search(_local_part(mail.sender)):
        return "no_reply_sender"
    suppress = {t.strip().lower() for t in mail.header("X-Auto-Response-Suppress").split(",")}
    if suppress & _SUPPRESS:
        return "auto_response_suppressed"
    return ""


def _local_part(address: str) -> str:
    return address.strip("<> ").rpartition("@")[0].lower() or address.strip("<> ").lower()
