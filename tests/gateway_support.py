"""Shared pieces of the gateway tests: the real Switchboard API on the demo rules and a demo ERP,
served by uvicorn on a free local port; an SMTP sink standing in for the relay; Twilio-style
signing computed here, independently of the gateway's own code."""

from __future__ import annotations

import base64
import hashlib
import hmac
import smtplib
import socket
import sqlite3
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from pathlib import Path
from typing import Any

import httpx
import pytest
import uvicorn
import yaml
from aiosmtpd.controller import Controller

from api_support import make_settings, mint
from conversations_support import DEMO_RULES, demo_erp, erp_environ, rules_cache
from switchboard.app import create_app
from switchboard.web.apikeys import create_key

MONTHS_EN = "January February March April May June July August September October November December"
MONTHS_DE = "Januar Februar März April Mai Juni Juli August September Oktober November Dezember"
LOAD_TIMEOUT_S = 300  # the first load of a test session trains the classifier


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@contextmanager
def serving(app: Any) -> Iterator[str]:
    """`app` under uvicorn in a thread on a free port; yields its base URL."""
    port = free_port()
    config = uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="on")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        assert thread.is_alive() and time.monotonic() < deadline, "the server did not start"
        time.sleep(0.02)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(30)


@dataclass
class LiveApi:
    base: str
    key: str  # inquiries:write, as a gateway holds
    reader: dict[str, str]  # headers of a conversations:read key
    erp: Path

    def conversations(self, customer_id: str) -> list[dict[str, Any]]:
        url = f"{self.base}/v1/customers/{customer_id}/conversations"
        response = httpx.get(url, headers=self.reader, timeout=30)
        if response.status_code == 404:  # the store has never seen this customer
            return []
        assert response.status_code == 200, response.text
        items: list[dict[str, Any]] = response.json()["items"]
        return items

    def conversation(self, conversation_id: str) -> dict[str, Any]:
        url = f"{self.base}/v1/conversations/{conversation_id}"
        response = httpx.get(url, headers=self.reader, timeout=30)
        assert response.status_code == 200, response.text
        found: dict[str, Any] = response.json()
        return found

    def inbound_texts(self, customer_id: str) -> list[str]:
        """The text of every inbound message the API recorded for the customer."""
        texts = []
        for item in self.conversations(customer_id):
            for message in self.conversation(item["id"])["messages"]:
                if message["direction"] == "inbound":
                    texts.append(message["text"])
        return texts

    def order(self, order_no: str) -> dict[str, Any]:
        with sqlite3.connect(self.erp) as db:
            db.row_factory = sqlite3.Row
            row = db.execute("SELECT * FROM orders WHERE order_no = ?", (order_no,)).fetchone()
        assert row is not None, order_no
        return dict(row)

    def set_eta(self, order_no: str, eta: str) -> None:
        with sqlite3.connect(self.erp) as db:
            db.execute("UPDATE orders SET eta = ? WHERE order_no = ?", (eta, order_no))

    def phone(self, customer_id: str) -> str:
        """A contact phone number of the customer, from the demo ERP."""
        with sqlite3.connect(self.erp) as db:
            row = db.execute(
                "SELECT min(phone) FROM contacts WHERE customer_id = ? AND phone IS NOT NULL",
                (customer_id,),
            ).fetchone()
        assert row is not None and row[0], customer_id
        return str(row[0])

    def shipped_orders(self, exclude: set[str]) -> list[tuple[str, str, str]]:
        """(customer id, contact e-mail, order number): standard customers' shipped orders
        with a delivery date, one per customer, read from the demo ERP itself."""
        with sqlite3.connect(self.erp) as db:
            rows = db.execute(
                "SELECT c.customer_id, min(k.email), min(o.order_no) FROM customers c "
                "JOIN contacts k ON k.customer_id = c.customer_id "
                "AND (k.email LIKE 'einkauf@%' OR k.email LIKE 'purchasing@%') "
                "JOIN orders o ON o.customer_id = c.customer_id "
                "WHERE c.tier = 'standard' AND o.status = 'shipped' AND o.eta IS NOT NULL "
                "GROUP BY c.customer_id ORDER BY c.customer_id"
            ).fetchall()
        return [(c, e, o) for c, e, o in rows if c not in exclude]


def spoken_date(iso: str, locale: str = "en") -> str:
    """How the demo templates write a date: `3 December 2026`, `3. Dezember 2026`."""
    year, month, day = (int(part) for part in iso[:10].split("-"))
    if locale == "de":
        return f"{day}. {MONTHS_DE.split()[month - 1]} {year}"
    return f"{day} {MONTHS_EN.split()[month - 1]} {year}"


def queue_phone(queue_id: str) -> str:
    """The queue's phone number from the demo rules repository, in dialling form."""
    doc = yaml.safe_load((DEMO_RULES / "queues" / f"{queue_id}.yaml").read_text("utf-8"))
    return "".join(ch for ch in doc["contact"]["phone"] if ch == "+" or ch.isdigit())


@contextmanager
def running_switchboard(factory: pytest.TempPathFactory, name: str) -> Iterator[LiveApi]:
    tmp = factory.mktemp(name)
    erp = demo_erp(tmp)
    settings = make_settings(tmp / "var", DEMO_RULES, cache_dir=rules_cache(factory))
    key = create_key(settings.keys_path, "gateways", ["inquiries:write"])
    reader = mint(settings, "reader", "conversations:read")
    app = create_app(settings, environ=erp_environ(erp))
    with serving(app) as base:
        deadline = time.monotonic() + LOAD_TIMEOUT_S
        while httpx.get(f"{base}/ready", timeout=10).status_code != 200:
            assert time.monotonic() < deadline, "the demo rules did not load"
            time.sleep(0.1)
        yield LiveApi(base, key, reader, erp)


@dataclass
class Received:
    mail_from: str
    rcpt_tos: list[str]
    message: EmailMessage
    raw: bytes


@dataclass
class SmtpSink:
    """An SMTP server that keeps every message: the relay the gateway sends replies through."""

    received: list[Received] = field(default_factory=list)
    port: int = 0

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        raw = envelope.original_content or envelope.content
        message = BytesParser(policy=policy.default).parsebytes(raw)
        assert isinstance(message, EmailMessage)
        self.received.append(Received(envelope.mail_from, list(envelope.rcpt_tos), message, raw))
        return "250 OK"


@contextmanager
def smtp_sink() -> Iterator[SmtpSink]:
    sink = SmtpSink(port=free_port())
    controller = Controller(sink, hostname="127.0.0.1", port=sink.port)
    controller.start()
    try:
        yield sink
    finally:
        controller.stop()


def send_mail(port: int, message: EmailMessage | bytes, mail_from: str, to: str) -> None:
    """Deliver over SMTP; returns once the server accepted (the gateway has then decided)."""
    with smtplib.SMTP("127.0.0.1", port, timeout=60) as smtp:
        if isinstance(message, bytes):
            smtp.sendmail(mail_from, [to], message)
        else:
            smtp.send_message(message, from_addr=mail_from, to_addrs=[to])


def twilio_signature(token: str, url: str, params: dict[str, str]) -> str:
    """Twilio's documented scheme, written out here on its own: HMAC-SHA1 with the auth token
    over the URL followed by each parameter's name and value in name order, base64."""
    data = url
    for name in sorted(params):
        data += name + params[name]
    mac = hmac.new(token.encode(), data.encode(), hashlib.sha1)
    return base64.b64encode(mac.digest()).decode()


def bounce(original_id: str = "<reply-1@nordwerk.example>") -> bytes:
    """A delivery status notification as mail servers send them (RFC 3464)."""
    text = f"""From: Mail Delivery System <MAILER-DAEMON@mx.hydro-kraft.example>
To: orders@nordwerk.example
Subject: Undelivered Mail Returned to Sender
Message-ID: <bounce-{original_id.strip("<>")}>
MIME-Version: 1.0
Content-Type: multipart/report; report-type=delivery-status; boundary="b1"

--b1
Content-Type: text/plain; charset=us-ascii

Your message to nobody@hydro-kraft.example could not be delivered: mailbox unknown.
It was about order SO4500123.

--b1
Content-Type: message/delivery-status

Reporting-MTA: dns; mx.hydro-kraft.example

Final-Recipient: rfc822; nobody@hydro-kraft.example
Action: failed
Status: 5.1.1

--b1
Content-Type: text/rfc822-headers

Message-ID: {original_id}
Subject: Re: Order SO4500123

--b1--
"""
    return text.replace("\n", "\r\n").encode("ascii")
