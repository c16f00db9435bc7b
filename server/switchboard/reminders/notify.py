"""Where reminders go: e-mail through an SMTP relay, and a chat webhook (Slack or Teams).

A notifier raises `NotificationFailed` when a message did not go out; the service then keeps
the reminder pending and tries again on its next run.
"""

from __future__ import annotations

import datetime as dt
import smtplib
from collections.abc import Callable
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid
from typing import Protocol

import httpx

from switchboard.reminders.messages import Message


class NotificationFailed(Exception):
    pass


class Notifier(Protocol):
    channel: str

    def send(self, message: Message) -> None: ...


def _utc_now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


class EmailNotifier:
    """Plain-text mail through a relay that accepts it without login (host:port)."""

    channel = "email"

    def __init__(
        self,
        host: str,
        port: int,
        sender: str,
        *,
        timeout: float = 10.0,
        now: Callable[[], dt.datetime] = _utc_now,
    ) -> None:
        self.host, self.port, self.sender = host, port, sender
        self.timeout = timeout
        self._now = now

    def compose(self, message: Message) -> EmailMessage:
        mail = EmailMessage()
        mail["From"] = self.sender
        mail["To"] = message.recipient
        mail["Subject"] = message.subject
        mail["Date"] = format_datetime(self._now().astimezone(dt.UTC))
        mail["Message-ID"] = make_msgid(domain=self.sender.rpartition("@")[2] or None)
        mail["Auto-Submitted"] = "auto-generated"  # RFC 3834: no auto-replies to this
        mail["X-Auto-Response-Suppress"] = "All"
        mail.set_content(message.text)
        return mail

    def send(self, message: Message) -> None:
        mail = self.compose(message)
        try:
            with smtplib.SMTP(self.host, self.port, timeout=self.timeout) as smtp:
                smtp.send_message(mail)
        except (OSError, smtplib.SMTPException) as exc:
            raise NotificationFailed(
                f"mail to {message.recipient} via {self.host}:{self.port} failed: {exc}"
            ) from exc


class WebhookNotifier:
    """POSTs `{"text": ...}`, which Slack and Teams incoming webhooks both accept."""

    channel = "webhook"

    def __init__(self, url: str, *, timeout: float = 10.0) -> None:
        self.url = url
        self.timeout = timeout

    def send(self, message: Message) -> None:
        text = f"{message.subject}\n\n{message.text}"
        try:
            response = httpx.post(
                self.url, json={"text": text}, timeout=self.timeout, follow_redirects=False
            )
        except httpx.HTTPError as exc:
            raise NotificationFailed(f"webhook post failed: {exc}") from exc
        if response.status_code >= 300:
            raise NotificationFailed(f"webhook answered {response.status_code}")
