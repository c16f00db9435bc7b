"""The automatic reply to one inbound mail, with threading and loop-prevention headers.

Every header value is built from cleaned data: control characters (CR and LF above all) are
removed before a value reaches `EmailMessage`, addresses go through `headerregistry.Address`,
and message ids are only ever the `<...>` tokens `mime.msg_ids` accepted. So no text from a
customer or a template can add a header (`Bcc:`) or a body to our mail.

Subject: `Re: <their subject>`, so the answer sits in the customer's thread (mail clients
group by subject as well as by References); the template's subject is used only when their
mail had none.
"""

from __future__ import annotations

import datetime as dt
import re
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid

from switchboard.gateways.mime import InboundMail, msg_ids

_CONTROL = re.compile(r"[\x00-\x1f\x7f\u2028\u2029]+")
_REPLY_PREFIX = re.compile(r"^\s*(?:re|aw|antw|sv|vs)\s*:", re.I)
_TOKEN = re.compile(r"[^A-Za-z0-9_.-]")
MAX_SUBJECT_CHARS = 200
MAX_REFERENCES = 20


def clean(value: str, limit: int = 998) -> str:
    """One line of header text: control characters become a space; cut to `limit`."""
    return " ".join(_CONTROL.sub(" ", value).split())[:limit]


def reply_subject(theirs: str, template: str | None) -> str:
    subject = clean(theirs, MAX_SUBJECT_CHARS)
    if not subject:
        return clean(template or "", MAX_SUBJECT_CHARS) or "Re:"
    return subject if _REPLY_PREFIX.match(subject) else f"Re: {subject}"


def references(mail: InboundMail) -> list[str]:
    """Their References (else their In-Reply-To) plus their Message-ID (RFC 5322 3.6.4)."""
    parent = msg_ids(mail.message, "References") or msg_ids(mail.message, "In-Reply-To")[:1]
    ids = list(dict.fromkeys([*parent, *([mail.message_id] if mail.message_id else [])]))
    if len(ids) > MAX_REFERENCES:  # keep the thread's first id and the latest ones
        ids = [ids[0], *ids[-(MAX_REFERENCES - 1) :]]
    return ids


def compose_reply(
    mail: InboundMail,
    *,
    sender: Address,
    recipient: str,
    body: str,
    template_subject: str | None,
    locale: str = "",
    decision_id: str = "",
    now: dt.datetime | None = None,
) -> EmailMessage:
    reply = EmailMessage()
    reply["From"] = sender
    reply["To"] = Address(addr_spec=clean(recipient))
    reply["Subject"] = reply_subject(mail.subject, template_subject)
    reply["Date"] = format_datetime((now or dt.datetime.now(dt.UTC)).astimezone(dt.UTC))
    reply["Message-ID"] = make_msgid(domain=sender.domain or None)
    if mail.message_id:
        reply["In-Reply-To"] = mail.message_id
    refs = references(mail)
    if refs:
        reply["References"] = " ".join(refs)
    reply["Auto-Submitted"] = "auto-replied"  # RFC 3834: never answer this automatically
    reply["X-Auto-Response-Suppress"] = "All"  # the same, for Exchange and Outlook
    if locale:
        reply["Content-Language"] = _TOKEN.sub("", locale)[:35]
    if decision_id:
        reply["X-Switchboard-Decision"] = _TOKEN.sub("", decision_id)[:100]
    reply.set_content(body.replace("\r\n", "\n").replace("\r", "\n"))
    return reply
