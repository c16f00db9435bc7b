"""The e-mail gateway end to end: smtplib -> gateway (aiosmtpd) -> the real API on the demo rules
and a demo ERP -> replies through an SMTP sink standing in for the relay. A follow-up call goes
through the voice gateway, so the test sees the conversation continue across channels."""

from __future__ import annotations

import smtplib
import uuid
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from dataclasses import dataclass
from email.headerregistry import Address
from email.message import EmailMessage

import httpx
import pytest

from conversations_support import HYDRO_EMAIL, HYDRO_PHONE
from gateway_support import (
    LiveApi,
    SmtpSink,
    bounce,
    free_port,
    queue_phone,
    running_switchboard,
    send_mail,
    serving,
    smtp_sink,
    spoken_date,
    twilio_signature,
)
from switchboard.gateways.calls import CallDesk
from switchboard.gateways.client import SwitchboardClient
from switchboard.gateways.directory import QueueDirectory
from switchboard.gateways.email import EmailConfig, EmailGateway, Handled
from switchboard.gateways.smtpd import smtp_server
from switchboard.gateways.twilio import TwilioConfig, twilio_app

pytestmark = pytest.mark.slow

DESK = "orders@nordwerk.example"
TWILIO_TOKEN = "twilio-test-token-0123456789abcdef"
THAMES_EMAIL = "purchasing@thamesvalley-pumps.example"


@dataclass
class World:
    api: LiveApi
    sink: SmtpSink
    smtp_port: int
    voice_url: str
    handled: list[Handled]

    def send(self, message: EmailMessage | bytes, mail_from: str) -> Handled:
        before = len(self.handled)
        send_mail(self.smtp_port, message, mail_from, DESK)
        assert len(self.handled) == before + 1
        return self.handled[-1]

    def messages(self, customer_id: str) -> int:
        return sum(
            len(self.api.conversation(c["id"])["messages"])
            for c in self.api.conversations(customer_id)
        )


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    with running_switchboard(tmp_path_factory, "gateway-email") as api, smtp_sink() as sink:
        client = SwitchboardClient(api.base, api.key)
        config = EmailConfig(
            sender=Address("Nordwerk order desk", addr_spec=DESK),
            relay=("127.0.0.1", sink.port),
            recipients=frozenset({DESK}),
        )
        handled: list[Handled] = []
        port = free_port()
        server = smtp_server(
            EmailGateway(client, config), "127.0.0.1", port, on_handled=handled.append
        )
        desk = CallDesk(client, QueueDirectory(client.queues))
        voice = twilio_app(desk, TwilioConfig(TWILIO_TOKEN), voice=True, sms=False)
        try:
            with serving(voice) as voice_base:
                yield World(api, sink, port, f"{voice_base}/voice", handled)
        finally:
            server.stop()
            client.close()


def mail(sender: str, subject: str, text: str, **headers: str) -> EmailMessage:
    message = EmailMessage()
    message["From"] = sender
    message["To"] = DESK
    message["Subject"] = subject
    message["Message-ID"] = f"<{uuid.uuid4().hex}@{sender.rpartition('@')[2].strip('>')}>"
    for name, value in headers.items():
        message[name.replace("_", "-")] = value
    message.set_content(text)
    return message


def test_a_mail_is_answered_from_the_erp_and_a_call_continues_it(world: World) -> None:
    order = world.api.order("SO4500123")
    question = mail(
        f"Petra Lange <{HYDRO_EMAIL}>",
        "Order SO4500123",
        "Hello, where is our order SO4500123? Kind regards, Petra Lange",
    )
    before = len(world.sink.received)
    handled = world.send(question, HYDRO_EMAIL)
    assert handled.action == "answered", handled
    assert len(world.sink.received) == before + 1
    sent = world.sink.received[-1]
    reply = sent.message
    assert sent.mail_from == "<>"  # RFC 3834: a bounce of the reply goes nowhere
    assert sent.rcpt_tos == [HYDRO_EMAIL]
    assert reply["To"] == HYDRO_EMAIL
    assert reply["From"] == f"Nordwerk order desk <{DESK}>"
    assert reply["Subject"] == "Re: Order SO4500123"
    assert reply["In-Reply-To"] == question["Message-ID"]
    assert reply["References"] == question["Message-ID"]
    assert reply["Message-ID"] != question["Message-ID"]
    assert reply["Message-ID"].endswith("@nordwerk.example>")
    assert reply["Auto-Submitted"] == "auto-replied"
    assert reply["X-Auto-Response-Suppress"] == "All"
    assert reply["X-Switchboard-Decision"] == handled.decision_id
    body = reply.get_content()
    assert order["status"] == "shipped"
    assert "SO4500123" in body and "shipped" in body
    assert spoken_date(order["eta"]) in body

    call = {
        "CallSid": f"CA{uuid.uuid4().hex}",
        "AccountSid": "AC0123",
        "From": HYDRO_PHONE,
        "To": "+496215550100",
        "SpeechResult": "and when will it arrive?",
    }
    signature = twilio_signature(TWILIO_TOKEN, world.voice_url, call)
    response = httpx.post(
        world.voice_url, data=call, headers={"X-Twilio-Signature": signature}, timeout=60
    )
    assert response.status_code == 200, response.text
    root = ET.fromstring(response.text)
    assert [child.tag for child in root] == ["Say", "Dial"]
    said = root[0].text or ""
    assert "SO4500123" in said and spoken_date(order["eta"]) in said  # no question back
    assert root[0].get("language") == "en-GB"
    assert root[1].text == queue_phone("order_desk")  # "stay on the line" reaches the desk

    [conversation] = world.api.conversations("C10023")
    assert set(conversation["channels"]) == {"email", "voice"}
    assert question["Message-ID"].strip("<>") in conversation["threads"]
    assert call["CallSid"] in conversation["threads"]


def test_our_own_reply_coming_back_starts_no_loop(world: World) -> None:
    question = mail(
        f"Petra Lange <{HYDRO_EMAIL}>", "Invoice INV26004512", "Is invoice INV26004512 paid?"
    )
    world.send(question, HYDRO_EMAIL)
    ours = world.sink.received[-1]
    assert ours.message["Auto-Submitted"] == "auto-replied"
    recorded, sent = world.messages("C10023"), len(world.sink.received)

    echoed = world.send(ours.raw, DESK)  # a forwarding rule sends our reply straight back
    assert (echoed.action, echoed.reason) == ("ignored", "auto_submitted")
    bounced = world.send(bounce(ours.message["Message-ID"]), "")
    assert (bounced.action, bounced.reason) == ("ignored", "null_sender")
    from_daemon = world.send(bounce(ours.message["Message-ID"]), "MAILER-DAEMON@mx.example")
    assert (from_daemon.action, from_daemon.reason) == ("ignored", "bounce")
    assert len(world.sink.received) == sent  # nothing answered
    assert world.messages("C10023") == recorded  # nothing even reached the API


def test_an_automatic_mail_from_a_customer_is_ignored(world: World) -> None:
    recorded, sent = world.messages("C10023"), len(world.sink.received)
    away = mail(
        "Markus Brandt <m.brandt@hydro-kraft.example>",
        "Automatic reply: Order SO4500123",
        "I am out of the office until Monday. About order SO4500123 ask Petra Lange.",
        Auto_Submitted="auto-replied",
    )
    handled = world.send(away, "m.brandt@hydro-kraft.example")
    assert (handled.action, handled.reason) == ("ignored", "auto_submitted")
    assert len(world.sink.received) == sent
    assert world.messages("C10023") == recorded


def test_a_complaint_is_routed_and_not_answered(world: World) -> None:
    sent = len(world.sink.received)
    complaint = mail(
        f"Thames Valley Purchasing <{THAMES_EMAIL}>",
        "Damaged pump, order SO4500409",
        "The pump delivered with order SO4500409 arrived with a cracked housing. This is not "
        "acceptable, we expect a replacement this week.",
    )
    handled = world.send(complaint, THAMES_EMAIL)
    assert handled.action == "routed", handled
    assert len(world.sink.received) == sent
    [conversation] = world.api.conversations("C10031")
    assert conversation["queue"] == "quality_claims"


def test_mailing_list_mail_is_decided_but_never_answered(world: World) -> None:
    customer, email, order_no = world.api.shipped_orders({"C10023", "C10031"})[0]
    sent = len(world.sink.received)
    digest = mail(
        email,
        f"[pump-users] status of {order_no}",
        f"Where is order {order_no}?",
        List_Id="Pump users <pump-users.lists.example>",
        List_Unsubscribe="<mailto:leave@lists.example>",
    )
    handled = world.send(digest, email)
    assert (handled.action, handled.reason) == ("not_answered", "mailing_list")
    assert handled.decision_id
    assert len(world.sink.received) == sent
    [conversation] = world.api.conversations(customer)
    [inbound] = [
        m
        for m in world.api.conversation(conversation["id"])["messages"]
        if m["direction"] == "inbound"
    ]
    assert inbound["metadata"]["no_auto_reply"] == "mailing_list"


def subject_with_a_line_break(email: str, order_no: str, header: str) -> bytes:
    """A status question whose encoded subject hides a line break and `header` after it."""
    return (
        f"From: <{email}>\r\nTo: {DESK}\r\nMessage-ID: <inj-{uuid.uuid4().hex}@x.example>\r\n"
        f"Subject: =?utf-8?q?Order_{order_no}=0D=0A{header.replace(' ', '_')}?=\r\n"
        f"Content-Type: text/plain; charset=utf-8\r\n\r\nWhere is order {order_no}?\r\n"
    ).encode("ascii")


def test_no_header_can_be_injected_through_the_subject(world: World) -> None:
    _customer, email, order_no = world.api.shipped_orders({"C10023", "C10031"})[1]
    sent = len(world.sink.received)
    handled = world.send(subject_with_a_line_break(email, order_no, "X-Injected: yes"), email)
    assert handled.action == "answered", handled
    assert len(world.sink.received) == sent + 1
    reply = world.sink.received[-1]
    assert reply.rcpt_tos == [email]
    assert reply.message["X-Injected"] is None
    assert reply.message["Subject"] == f"Re: Order {order_no} X-Injected: yes"
    assert b"\r\nX-Injected:" not in reply.raw.split(b"\r\n\r\n", 1)[0]


def test_a_subject_that_smuggles_in_another_recipient_gets_no_answer(world: World) -> None:
    _customer, email, order_no = world.api.shipped_orders({"C10023", "C10031"})[1]
    sent = len(world.sink.received)
    raw = subject_with_a_line_break(email, order_no, "Bcc: victim@example.com")
    handled = world.send(raw, email)
    assert (handled.action, handled.reason) == ("routed", "another_recipient")
    assert len(world.sink.received) == sent


def test_html_only_and_latin1_mails_are_read(world: World) -> None:
    (html_customer, html_email, html_order), (de_customer, de_email, de_order) = (
        world.api.shipped_orders({"C10023", "C10031"})[2:4]
    )
    html = mail(html_email, "Order status", "")
    html.set_content(
        f"<html><head><style>p{{margin:0}}</style></head><body><p>Hello,</p><p>where is "
        f"<b>{html_order}</b>?<br>Thanks &amp; regards</p><script>track()</script></body></html>",
        subtype="html",
    )
    assert world.send(html, html_email).action == "answered"
    assert world.api.inbound_texts(html_customer) == [
        f"Hello,\n\nwhere is {html_order}?\nThanks & regards"
    ]
    assert html_order in world.sink.received[-1].message.get_content()

    german = (
        f"From: =?iso-8859-1?q?J=FCrgen_M=FCller?= <{de_email}>\r\nTo: {DESK}\r\n"
        f"Subject: =?iso-8859-1?q?Bestellung_{de_order}?=\r\nMIME-Version: 1.0\r\n"
        f"Content-Type: text/plain; charset=iso-8859-1\r\n"
        f"Content-Transfer-Encoding: quoted-printable\r\n\r\n"
        f"Guten Tag, wo steht unser Auftrag {de_order}? Gr=FC=DFe aus M=FCnchen\r\n"
    ).encode("ascii")
    handled = world.send(german, de_email)
    assert world.api.inbound_texts(de_customer) == [
        f"Guten Tag, wo steht unser Auftrag {de_order}? Grüße aus München"
    ]
    assert handled.action == "answered", handled
    assert de_order in world.sink.received[-1].message.get_content()


def test_the_reply_reads_the_erp_as_it_is_now(world: World) -> None:
    _customer, email, order_no = world.api.shipped_orders({"C10023", "C10031"})[4]
    world.api.set_eta(order_no, "2026-12-18")
    handled = world.send(mail(email, "Delivery", f"Where is order {order_no}?"), email)
    assert handled.action == "answered", handled
    assert spoken_date("2026-12-18") in world.sink.received[-1].message.get_content()


def test_a_mail_delivered_twice_is_answered_once(world: World) -> None:
    _customer, email, order_no = world.api.shipped_orders({"C10023", "C10031"})[5]
    question = mail(email, f"Order {order_no}", f"Status of {order_no} please")
    sent = len(world.sink.received)
    assert world.send(question, email).action == "answered"
    assert world.send(question, email).action == "duplicate"
    assert len(world.sink.received) == sent + 1


def test_unknown_recipients_are_refused(world: World) -> None:
    with smtplib.SMTP("127.0.0.1", world.smtp_port, timeout=30) as smtp:
        refused = smtp.sendmail(
            HYDRO_EMAIL, [DESK, "someone@nordwerk.example"], b"Subject: x\r\n\r\nhi\r\n"
        )
    assert refused == {"someone@nordwerk.example": (550, b"5.1.1 No such recipient here")}


def test_when_the_api_is_down_the_sender_is_told_to_retry() -> None:
    with smtp_sink() as sink:
        client = SwitchboardClient(f"http://127.0.0.1:{free_port()}", "sb_unused", timeout=2)
        config = EmailConfig(Address(addr_spec=DESK), ("127.0.0.1", sink.port))
        port = free_port()
        server = smtp_server(EmailGateway(client, config), "127.0.0.1", port)
        try:
            question = mail(HYDRO_EMAIL, "Order SO4500123", "Where is order SO4500123?")
            with pytest.raises(smtplib.SMTPDataError) as refused:
                send_mail(port, question, HYDRO_EMAIL, DESK)
            assert refused.value.smtp_code == 451
            assert sink.received == []
        finally:
            server.stop()
            client.close()


def test_a_relay_failure_loses_no_mail(world: World) -> None:
    customer, email, order_no = world.api.shipped_orders({"C10023", "C10031"})[6]
    client = SwitchboardClient(world.api.base, world.api.key)
    config = EmailConfig(Address(addr_spec=DESK), ("127.0.0.1", free_port()))  # relay down
    handled: list[Handled] = []
    port = free_port()
    server = smtp_server(EmailGateway(client, config), "127.0.0.1", port, on_handled=handled.append)
    try:
        send_mail(port, mail(email, f"Order {order_no}", f"Where is {order_no}?"), email, DESK)
    finally:
        server.stop()
        client.close()
    [result] = handled
    assert result.action == "reply_failed" and result.decision_id  # accepted, decided, logged
    [conversation] = world.api.conversations(customer)
    directions = [m["direction"] for m in world.api.conversation(conversation["id"])["messages"]]
    assert directions == ["inbound", "outbound"]  # the agent sees question and rendered answer
