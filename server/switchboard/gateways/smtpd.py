"""The SMTP side of the e-mail gateway (aiosmtpd): receive mail, hand it to `EmailGateway`.

A mail is accepted (250) only once the API has decided it, so when the API is down or refuses
the key, the sending server is told to try again later (451) and nothing is lost. A request
the API rejects as invalid is refused for good (554), so the sender gets a bounce.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Collection
from typing import Any

from aiosmtpd.controller import Controller

from switchboard.gateways.client import ApiError
from switchboard.gateways.email import EmailGateway, Handled

log = logging.getLogger("switchboard.gateways.email")

MAX_MAIL_BYTES = 10 * 1024 * 1024
TRY_LATER = "451 4.3.0 Temporarily unable to process the message, try again later"


class SmtpHandler:
    """aiosmtpd handler: RCPT checks the accepted addresses, DATA runs the gateway."""

    def __init__(self, gateway: EmailGateway, on_handled: Callable[[Handled], None] | None = None):
        self.gateway = gateway
        self.on_handled = on_handled
        self.accepted: Collection[str] = {a.lower() for a in gateway.config.recipients}

    async def handle_RCPT(
        self, server: Any, session: Any, envelope: Any, address: str, rcpt_options: list[str]
    ) -> str:
        if self.accepted and address.lower() not in self.accepted:
            return "550 5.1.1 No such recipient here"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        raw = envelope.original_content or envelope.content
        data = raw if isinstance(raw, bytes) else str(raw).encode("utf-8", "surrogateescape")
        try:
            handled = await asyncio.to_thread(self.gateway.handle, data, envelope.mail_from)
        except ApiError as exc:
            log.error("the API did not decide a mail from %s: %s", envelope.mail_from, exc)
            if exc.retry:
                return TRY_LATER
            return "554 5.6.0 The message could not be processed"
        except Exception:
            log.exception("unexpected failure on a mail from %s", envelope.mail_from)
            return TRY_LATER
        if self.on_handled is not None:
            self.on_handled(handled)
        return "250 2.0.0 Message accepted"


def smtp_server(
    gateway: EmailGateway,
    host: str,
    port: int,
    *,
    max_bytes: int = MAX_MAIL_BYTES,
    on_handled: Callable[[Handled], None] | None = None,
) -> Controller:
    """A started SMTP server in its own thread; `.stop()` it when done."""
    controller = Controller(
        SmtpHandler(gateway, on_handled),
        hostname=host,
        port=port,
        data_size_limit=max_bytes,
        server_hostname="switchboard-gateway",
    )
    controller.start()
    return controller
