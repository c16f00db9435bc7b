"""Inbound mail parsing: body choice, HTML to text, charsets and encodings, attachments, ids."""

from __future__ import annotations

import base64
from email.message import EmailMessage

import pytest

from switchboard.gateways.htmltext import html_to_text
from switchboard.gateways.mime import parse


def raw_mail(headers: str, body: bytes) -> bytes:
    return headers.strip().replace("\n", "\r\n").encode("ascii") + b"\r\n\r\n" + body


def test_plain_text_is_preferred_in_multipart_alternative() -> None:
    mail = EmailMessage()
    mail["From"] = "Petra Lange <Einkauf@Hydro-Kraft.example>"
    mail["Subject"] = "Order SO4500123"
    mail.set_content("Where is order SO4500123?\n")
    mail.add_alternative("<p>Where is <b>order</b> SO4500123? (HTML)</p>", subtype="html")
    parsed = parse(mail.as_bytes())
    assert parsed.text == "Where is order SO4500123?"
    assert parsed.html_only is False
    assert parsed.sender == "einkauf@hydro-kraft.example"
    assert parsed.subject == "Order SO4500123"
    assert parsed.attachments == ()


def test_an_html_only_mail_becomes_readable_text() -> None:
    html = (
        "<html><head><title>Status</title><style>p {color: red}</style></head><body>"
        "<div>Hello order desk,</div><p>where is order <b>SO4500123</b>?<br>We need it&nbsp;by "
        "Friday &amp; not later.</p><script>alert('x')</script>"
        "<ul><li>2 pumps</li><li>4 seals</li></ul><p>Kind regards<br/>Petra</p></body></html>"
    )
    mail = EmailMessage()
    mail["From"] = "einkauf@hydro-kraft.example"
    mail.set_content(html, subtype="html")
    parsed = parse(mail.as_bytes())
    assert parsed.html_only is True
    assert parsed.text == (
        "Hello order desk,\n\nwhere is order SO4500123?\nWe need it by Friday & not later.\n\n"
        "- 2 pumps\n- 4 seals\n\nKind regards\nPetra"
    )


@pytest.mark.parametrize(
    ("html", "text"),
    [
        ("a<br>b", "a\nb"),
        ("<p>one</p><p>two</p>", "one\n\ntwo"),
        ("<div><div><div>deep</div></div></div>x", "deep\n\nx"),
        ("<style>.a{}</style><script>var a = '<p>';</script>kept", "kept"),
        ("&lt;tag&gt; &quot;q&quot; &#8364; &euro;", '<tag> "q" € €'),
        ("  spaced \n\n  out  ", "spaced out"),
        ("<table><tr><td>SO4500123</td><td>shipped</td></tr></table>", "SO4500123 shipped"),
        ("unclosed <b>bold", "unclosed bold"),
        ("<ol><li>one</li><li>two</li></ol>after", "- one\n- two\nafter"),
    ],
)
def test_html_to_text(html: str, text: str) -> None:
    assert html_to_text(html) == text


def test_latin1_quoted_printable() -> None:
    raw = raw_mail(
        """
From: =?iso-8859-1?q?J=FCrgen_M=FCller?= <j.mueller@hydro-kraft.example>
Subject: =?iso-8859-1?q?Lieferung_f=FCr_SO4500123?=
MIME-Version: 1.0
Content-Type: text/plain; charset=iso-8859-1
Content-Transfer-Encoding: quoted-printable
""",
        b"Wann kommt die Lieferung f=FCr SO4500123? Gr=FC=DFe aus Mannheim",
    )
    parsed = parse(raw)
    assert parsed.subject == "Lieferung für SO4500123"
    assert parsed.text == "Wann kommt die Lieferung für SO4500123? Grüße aus Mannheim"
    assert parsed.sender == "j.mueller@hydro-kraft.example"


def test_latin1_label_is_read_as_windows_1252() -> None:
    body = "Preis 12 € – „dringend“ Grüße".encode("cp1252")
    raw = raw_mail(
        """
From: a@b.example
Content-Type: text/plain; charset=ISO-8859-1
Content-Transfer-Encoding: 8bit
""",
        body,
    )
    assert parse(raw).text == "Preis 12 € – „dringend“ Grüße"


@pytest.mark.parametrize("charset", ["windows-1252", "utf-8"])
def test_base64_bodies_in_their_charset(charset: str) -> None:
    text = "Rückfrage zu SO4500123: Maß 12 mm, „Ersatz“"
    encoded = base64.encodebytes(text.encode(charset))
    raw = raw_mail(
        f"""
From: a@b.example
Content-Type: text/plain; charset="{charset}"
Content-Transfer-Encoding: base64
""",
        encoded,
    )
    assert parse(raw).text == text


def test_mislabelled_and_unknown_charsets_never_fail() -> None:
    mislabelled = raw_mail(
        "From: a@b.example\nContent-Type: text/plain; charset=utf-8", "Grüße".encode("latin-1")
    )
    assert parse(mislabelled).text == "Grüße"
    unknown = raw_mail(
        "From: a@b.example\nContent-Type: text/plain; charset=x-no-such-charset",
        "Grüße".encode(),
    )
    assert parse(unknown).text == "Grüße"
    garbage = raw_mail("From: a@b.example\nContent-Type: text/plain; charset=utf-8", b"ok \xff")
    assert parse(garbage).text == "ok ÿ"


def test_attachments_are_described_not_kept() -> None:
    mail = EmailMessage()
    mail["From"] = "einkauf@hydro-kraft.example"
    mail.set_content("Photos of the damaged pump attached.")
    mail.add_attachment(
        b"%PDF-1.4 " + b"x" * 1000,
        maintype="application",
        subtype="pdf",
        filename="delivery-note.pdf",
    )
    mail.add_attachment(
        b"\x89PNG" + b"y" * 2044, maintype="image", subtype="png", filename="pump\tplan.png"
    )
    forwarded = EmailMessage()
    forwarded["Subject"] = "earlier mail"
    forwarded.set_content("quoted")
    mail.add_attachment(forwarded)
    parsed = parse(mail.as_bytes())
    assert parsed.text == "Photos of the damaged pump attached."
    described = [(a.name, a.content_type, a.size) for a in parsed.attachments]
    assert described[:2] == [
        ("delivery-note.pdf", "application/pdf", 1009),
        ("pump plan.png", "image/png", 2048),
    ]
    assert described[2][0:2] == ("forwarded message", "message/rfc822")
    assert described[2][2] > 0


def test_thread_ids_from_references_in_reply_to_and_message_id() -> None:
    raw = raw_mail(
        """
From: Petra <einkauf@hydro-kraft.example>
Message-ID: <third@hydro-kraft.example>
In-Reply-To: <second@nordwerk.example>
References: <first@hydro-kraft.example> not-an-id <second@nordwerk.example>
 <with space@x> <>
Subject: Re: Order SO4500123
""",
        b"and when will it arrive?",
    )
    parsed = parse(raw)
    assert parsed.message_id == "<third@hydro-kraft.example>"
    assert parsed.thread == [
        "<first@hydro-kraft.example>",
        "<second@nordwerk.example>",
        "<third@hydro-kraft.example>",
    ]


def test_sender_needs_exactly_one_valid_address() -> None:
    two = raw_mail("From: a@b.example, c@d.example\nSubject: x", b"hi")
    assert parse(two).sender is None
    none = raw_mail("Subject: x", b"hi")
    assert parse(none).sender is None
    broken = raw_mail("From: <<<@@>\nSubject: x", b"hi")
    assert parse(broken).sender is None


def test_encoded_line_breaks_in_headers_become_spaces() -> None:
    raw = raw_mail(
        "From: a@b.example\nSubject: =?utf-8?q?Order_SO4500123=0D=0ABcc:_victim@example.com?=",
        b"hi",
    )
    parsed = parse(raw)
    assert parsed.subject == "Order SO4500123 Bcc: victim@example.com"
    assert "\r" not in parsed.subject and "\n" not in parsed.subject


def test_content_language_hint() -> None:
    raw = raw_mail("From: a@b.example\nContent-Language: de-DE, en", b"Wo ist SO4500123?")
    assert parse(raw).language == "de"
    assert parse(raw_mail("From: a@b.example", b"x")).language is None
