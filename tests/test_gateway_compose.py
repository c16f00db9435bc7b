"""The automatic reply: threading headers, loop-prevention headers, subject, no injection."""

from __future__ import annotations

import datetime as dt
from email import policy
from email.headerregistry import Address
from email.parser import BytesParser

import pytest

from switchboard.gateways.compose import compose_reply, reply_subject
from switchboard.gateways.mime import parse

OURS = Address("Nordwerk order desk", addr_spec="orders@nordwerk.example")
NOW = dt.datetime(2026, 12, 3, 9, 30, tzinfo=dt.UTC)


def inbound(headers: str, body: str = "Where is order SO4500123?") -> bytes:
    text = headers.strip() + "\n\n" + body
    return text.replace("\n", "\r\n").encode("utf-8")


def reply_for(raw: bytes, body: str = "Your order is on its way.", subject: str | None = None):
    mail = parse(raw)
    assert mail.sender is not None
    message = compose_reply(
        mail,
        sender=OURS,
        recipient=mail.sender,
        body=body,
        template_subject=subject,
        locale="en",
        decision_id="dec_123",
        now=NOW,
    )
    wire = message.as_bytes(policy=policy.SMTP)
    return wire, BytesParser(policy=policy.default).parsebytes(wire)


def test_threading_and_loop_headers() -> None:
    wire, reply = reply_for(
        inbound(
            """
From: Petra Lange <einkauf@hydro-kraft.example>
Reply-To: someone-else@elsewhere.example
Message-ID: <q2@hydro-kraft.example>
In-Reply-To: <q1@hydro-kraft.example>
References: <q0@hydro-kraft.example> <q1@hydro-kraft.example>
Subject: Order SO4500123
"""
        )
    )
    assert reply["In-Reply-To"] == "<q2@hydro-kraft.example>"
    assert reply["References"].split() == [
        "<q0@hydro-kraft.example>",
        "<q1@hydro-kraft.example>",
        "<q2@hydro-kraft.example>",
    ]
    assert reply["Message-ID"].endswith("@nordwerk.example>")
    assert reply["Message-ID"] not in reply["References"]
    assert reply["Auto-Submitted"] == "auto-replied"
    assert reply["X-Auto-Response-Suppress"] == "All"
    assert reply["Subject"] == "Re: Order SO4500123"
    assert reply["To"] == "einkauf@hydro-kraft.example"  # never the Reply-To
    assert reply["From"] == "Nordwerk order desk <orders@nordwerk.example>"
    assert reply["Date"] == "Thu, 03 Dec 2026 09:30:00 +0000"
    assert reply["X-Switchboard-Decision"] == "dec_123"
    assert reply.get_content().strip() == "Your order is on its way."
    assert b"\r\n" in wire


def test_references_fall_back_to_in_reply_to_and_stay_bounded() -> None:
    _, reply = reply_for(
        inbound(
            "From: a@b.example\nMessage-ID: <m2@b.example>\nIn-Reply-To: <m1@b.example>\nSubject: x"
        )
    )
    assert reply["References"].split() == ["<m1@b.example>", "<m2@b.example>"]
    many = " ".join(f"<r{n}@b.example>" for n in range(40))
    _, reply = reply_for(
        inbound(f"From: a@b.example\nMessage-ID: <last@b.example>\nReferences: {many}\nSubject: x")
    )
    refs = reply["References"].split()
    assert len(refs) == 20
    assert refs[0] == "<r0@b.example>" and refs[-1] == "<last@b.example>"
    assert refs[-2] == "<r39@b.example>"


def test_a_mail_without_ids_gets_no_threading_headers() -> None:
    _, reply = reply_for(inbound("From: a@b.example\nSubject: Status"))
    assert reply["In-Reply-To"] is None and reply["References"] is None


@pytest.mark.parametrize(
    ("theirs", "template", "subject"),
    [
        ("Order SO4500123", "Your order SO4500123", "Re: Order SO4500123"),
        ("Re: Order SO4500123", None, "Re: Order SO4500123"),
        ("AW: Bestellung", None, "AW: Bestellung"),
        ("RE:Status", None, "RE:Status"),
        ("", "Your order SO4500123", "Your order SO4500123"),
        ("   ", None, "Re:"),
        ("Regarding SO4500123", None, "Re: Regarding SO4500123"),
        ("x" * 300, None, "Re: " + "x" * 200),
    ],
)
def test_subject(theirs: str, template: str | None, subject: str) -> None:
    assert reply_subject(theirs, template) == subject


@pytest.mark.parametrize(
    "subject_header",
    [
        "=?utf-8?q?Order_SO4500123=0D=0ABcc:_victim@example.com?=",
        "=?utf-8?b?T3JkZXIgU080NTAwMTIzDQpCY2M6IHZpY3RpbUBleGFtcGxlLmNvbQ==?=",
    ],
)
def test_no_header_can_be_injected(subject_header: str) -> None:
    wire, reply = reply_for(
        inbound(f"From: a@b.example\nMessage-ID: <x@b.example>\nSubject: {subject_header}"),
        subject="Your order\r\nBcc: victim2@example.com",
    )
    assert reply["Bcc"] is None and reply["Cc"] is None
    assert not any(line.lower().startswith(b"bcc") for line in wire.split(b"\r\n"))
    assert reply["Subject"] == "Re: Order SO4500123 Bcc: victim@example.com"
    assert reply["To"] == "a@b.example"


def test_template_subject_with_line_breaks_is_one_line() -> None:
    wire, reply = reply_for(
        inbound("From: a@b.example\nSubject:"), subject="Your order\r\nBcc: victim@example.com"
    )
    assert reply["Subject"] == "Your order Bcc: victim@example.com"
    assert reply["Bcc"] is None
    assert not any(line.lower().startswith(b"bcc") for line in wire.split(b"\r\n"))


def test_a_body_cannot_smuggle_headers_either() -> None:
    wire, reply = reply_for(
        inbound("From: a@b.example\nSubject: x"), body="\r\nBcc: victim@example.com\r\n\r\nhi"
    )
    assert reply["Bcc"] is None
    head = wire.split(b"\r\n\r\n", 1)[0]
    assert b"victim" not in head
