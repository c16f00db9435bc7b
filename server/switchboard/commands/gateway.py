"""`switchboard gateway email|voice|sms|chat`: run one reference channel gateway.

Each gateway is a separate process that calls the Switchboard API with an API key (scope
inquiries:write). Options override the environment variables named in their help; prefer the
environment for secrets, which command lines show to every user of the machine.
"""

from __future__ import annotations

import argparse
import logging
import os
import signal
import sys
import threading
from collections.abc import Callable
from email.headerregistry import Address
from email.utils import parseaddr
from typing import Any

ENV = "SWITCHBOARD_GATEWAY_"
PORTS = {"email": 2525, "voice": 8081, "sms": 8082, "chat": 8083}


class UsageError(Exception):
    pass


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="switchboard gateway", description=__doc__)
    sub = parser.add_subparsers(dest="channel", required=True)
    for channel, text in (
        ("email", "receive mail over SMTP and answer through a relay"),
        ("voice", "Twilio voice webhook (POST /voice), answers in TwiML"),
        ("sms", "Twilio SMS webhook (POST /sms), answers in TwiML"),
        ("chat", "JSON chat webhook (POST /chat)"),
    ):
        one = sub.add_parser(channel, help=text, description=text)
        one.add_argument("--host", default="127.0.0.1", help="address to listen on")
        one.add_argument("--port", type=int, default=PORTS[channel], help="port to listen on")
        _env_option(one, "--api-url", "API_URL", "the Switchboard API (http://127.0.0.1:8000)")
        _env_option(one, "--api-key", "API_KEY", "an API key with scope inquiries:write")
        one.add_argument("--log-level", default="info", choices=["debug", "info", "warning"])
        if channel == "email":
            _env_option(one, "--relay", "RELAY", "the SMTP relay replies go through, host:port")
            _env_option(one, "--from", "MAIL_FROM", 'our sender: "Order desk <orders@...>"')
            one.add_argument(
                "--recipient",
                action="append",
                default=[],
                help="an address this gateway accepts mail for (repeatable; default: any)",
            )
            one.add_argument("--replies-per-hour", type=int, default=5, help="per recipient")
            one.add_argument("--max-size", type=int, default=10 * 1024 * 1024, help="bytes")
        elif channel in ("voice", "sms"):
            _env_option(one, "--auth-token", "TWILIO_AUTH_TOKEN", "the Twilio auth token")
            _env_option(one, "--public-url", "PUBLIC_URL", "the URL Twilio calls this at")
            if channel == "voice":
                one.add_argument("--locale", default="en", choices=["en", "de"], help="greeting")
        else:
            _env_option(one, "--token", "CHAT_TOKEN", "the bearer token the chat backend sends")
    return parser


def _env_option(parser: argparse.ArgumentParser, flag: str, var: str, text: str) -> None:
    parser.add_argument(flag, default=None, help=f"{text} (env {ENV}{var})")
    parser.set_defaults(**{f"_env_{flag[2:].replace('-', '_')}": ENV + var})


def _value(args: argparse.Namespace, name: str, default: str | None = None) -> str | None:
    given = getattr(args, name)
    if given:
        return str(given)
    return os.environ.get(getattr(args, f"_env_{name}"), "").strip() or default


def _required(args: argparse.Namespace, name: str) -> str:
    value = _value(args, name)
    if not value:
        flag = "--" + name.replace("_", "-")
        raise UsageError(f"{flag} is required (or set {getattr(args, f'_env_{name}')})")
    return value


def main(argv: list[str]) -> int:
    args = _parser().parse_args(argv)
    logging.basicConfig(
        level=args.log_level.upper(), format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    if args.log_level != "debug":  # aiosmtpd logs every SMTP command and address at INFO
        logging.getLogger("mail.log").setLevel(logging.WARNING)
    try:
        run = _build(args)
    except (UsageError, ValueError) as exc:
        print(f"switchboard gateway {args.channel}: {exc}", file=sys.stderr)
        return 2
    run()
    return 0


def _build(args: argparse.Namespace) -> Callable[[], None]:
    from switchboard.gateways.client import SwitchboardClient

    api_url = _value(args, "api_url", "http://127.0.0.1:8000") or ""
    client = SwitchboardClient(api_url, _required(args, "api_key"))
    if args.channel == "email":
        return _email(args, client)
    from switchboard.gateways.webapp import serve

    if args.channel == "chat":
        from switchboard.gateways.chat import chat_app

        app: Any = chat_app(client, _required(args, "token"))
    else:
        from switchboard.gateways.calls import CallDesk
        from switchboard.gateways.directory import QueueDirectory
        from switchboard.gateways.twilio import TwilioConfig, twilio_app

        config = TwilioConfig(_required(args, "auth_token"), _value(args, "public_url"))
        desk = CallDesk(client, QueueDirectory(client.queues), getattr(args, "locale", "en"))
        voice = args.channel == "voice"
        app = twilio_app(desk, config, voice=voice, sms=not voice)
    return lambda: serve(app, args.host, args.port, args.log_level)


def _email(args: argparse.Namespace, client: Any) -> Callable[[], None]:
    from switchboard.gateways.email import EmailConfig, EmailGateway
    from switchboard.gateways.smtpd import smtp_server

    host, _, port = _required(args, "relay").rpartition(":")
    if not host or not port.isdigit():
        raise UsageError("--relay must read host:port")
    name, address = parseaddr(_required(args, "from"))
    if "@" not in address:
        raise UsageError("--from needs an e-mail address")
    config = EmailConfig(
        sender=Address(display_name=name, addr_spec=address),
        relay=(host, int(port)),
        recipients=frozenset(args.recipient),
        replies_per_hour=args.replies_per_hour,
    )
    gateway = EmailGateway(client, config)

    def run() -> None:
        stop = threading.Event()
        for sig in (signal.SIGINT, signal.SIGTERM):
            signal.signal(sig, lambda *_: stop.set())
        server = smtp_server(gateway, args.host, args.port, max_bytes=args.max_size)
        logging.getLogger("switchboard.gateways.email").info(
            "SMTP on %s:%s, replies via %s:%s", args.host, args.port, host, port
        )
        try:
            stop.wait()
        finally:
            server.stop()
            client.close()

    return run
