"""The e-mail gateway: one inbound mail decided by the API and, when allowed, answered through
the SMTP relay. `smtpd` receives the mail; `loops.judge` says what may never be answered.
"""

from __future__ import annotations

import datetime as dt
import logging
import smtplib
from collections.abc import Callable
from dataclasses import dataclass
from email.headerregistry import Address
from email.message import EmailMessage
from typing import Any, Literal

from switchboard.gateways.client import Decision, SwitchboardClient, inquiry
from switchboard.gateways.compose import compose_reply
from switchboard.gateways.limits import ReplyBudget, SeenIds
from switchboard.gateways.loops import judge
from switchboard.gateways.mime import InboundMail, parse

log = logging.getLogger("switchboard.gateways.email")

Action = Literal["ignored", "duplicate", "routed", "answered", "not_answered", "reply_failed"]
Sender = Callable[[EmailMessage, str], None]


@dataclass(frozen=True, slots=True)
class EmailConfig:
    sender: Address  # From of our replies, e.g. Nordwerk order desk <orders@nordwerk.example>
    relay: tuple[str, int]  # the SMTP relay replies go out through
    recipients: frozenset[str] = frozenset()  # accepted RCPT TO addresses; empty: any
    replies_per_hour: int = 5  # per recipient
    relay_timeout_s: float = 20.0


@dataclass(frozen=True, slots=True)
class Handled:
    """What became of one mail (logged; tests read it)."""

    action: Action
    reason: str = ""
    decision_id: str | None = None


def relay_sender(host: str, port: int, timeout: float) -> Sender:
    """Sends through the relay with the null envelope sender `<>` (RFC 3834 3.3), so that a
    bounce of an automatic reply goes nowhere instead of starting a loop."""

    def send(message: EmailMessage, recipient: str) -> None:
        with smtplib.SMTP(host, port, timeout=timeout) as smtp:
            smtp.send_message(message, from_addr="", to_addrs=[recipient])

    return send


class EmailGateway:
    def __init__(
        self, client: SwitchboardClient, config: EmailConfig, send: Sender | None = None
    ) -> None:
        self.client = client
        self.config = config
        self.send = send or relay_sender(*config.relay, config.relay_timeout_s)
        self.budget = ReplyBudget(config.replies_per_hour)
        self.seen = SeenIds()

    def handle(self, raw: bytes, envelope_sender: str | None) -> Handled:
        """Blocking. Raises `ApiError` when the API did not decide (the caller answers 451)."""
        mail = parse(raw)
        verdict = judge(mail, envelope_sender, [self.config.sender.addr_spec])
        if verdict.handling == "ignore":
            log.info("ignored mail %s from %s: %s", mail.message_id, mail.sender, verdict.reason)
            return Handled("ignored", verdict.reason)
        if mail.message_id and mail.message_id in self.seen:
            log.info("mail %s was handled before; not again", mail.message_id)
            return Handled("duplicate")
        quiet = verdict.reason if verdict.handling == "route_only" else ""
        decision = self.client.decide(_inquiry(mail, envelope_sender, quiet))
        if mail.message_id:
            self.seen.add(mail.message_id)
        return self._answer(mail, decision, quiet)

    def _answer(self, mail: InboundMail, decision: Decision, quiet: str) -> Handled:
        answer, did = decision.answer, decision.decision_id
        if answer is None:
            log.info("mail %s routed to %s (%s)", mail.message_id, decision.queue, did)
            return Handled("routed", ",".join(decision.reasons), did)
        if quiet or mail.sender is None:
            log.info("mail %s not answered (%s): %s", mail.message_id, did, quiet)
            return Handled("not_answered", quiet, did)
        if not self.budget.take(mail.sender):
            log.warning("reply budget for %s used up; %s not answered", mail.sender, did)
            return Handled("not_answered", "reply_budget", did)
        reply = compose_reply(
            mail,
            sender=self.config.sender,
            recipient=mail.sender,
            body=answer.body,
            template_subject=answer.subject,
            locale=answer.locale,
            decision_id=did,
        )
        try:
            self.send(reply, mail.sender)
        except (OSError, smtplib.SMTPException) as exc:
            log.error("reply %s to %s could not be sent: %s", did, mail.sender, exc)
            return Handled("reply_failed", str(exc), did)
        log.info("answered mail %s (%s)", mail.message_id, did)
        return Handled("answered", decision.outcome, did)


def _inquiry(mail: InboundMail, envelope_sender: str | None, quiet: str) -> dict[str, Any]:
    meta = {"message_id": mail.message_id or "", "envelope_from": envelope_sender or ""}
    if mail.html_only:
        meta["html_only"] = "true"
    if quiet:
        meta["no_auto_reply"] = quiet  # the gateway will not send an answer, whatever comes
    if mail.attachments:
        meta["attachments"] = str(len(mail.attachments))
    for n, item in enumerate(mail.attachments[:20], start=1):
        meta[f"attachment_{n}"] = f"{item.name}; {item.content_type}; {item.size} bytes"
    return inquiry(
        "email",
        mail.text,
        identifiers={"email": mail.sender},
        subject=mail.subject or None,
        thread=mail.thread,
        received_at=dt.datetime.now(dt.UTC),
        locale=mail.language,
        metadata={k: v for k, v in meta.items() if v},
    )
