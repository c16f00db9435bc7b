"""The voice and SMS webhooks Twilio calls (`POST /voice`, `POST /sms`), answered in TwiML.

Every request must carry a valid `X-Twilio-Signature` for the URL Twilio called; anything else
gets 403 before its parameters are used. Behind a proxy or TLS terminator, set the public URL
(what Twilio calls) so that the signed URL can be rebuilt exactly.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl

import anyio.to_thread
from litestar import Litestar, Request, Response, post

from switchboard.gateways.calls import CallDesk, NotDecided
from switchboard.gateways.signature import valid_signature
from switchboard.gateways.webapp import gateway_app

XML = "application/xml"
MAX_FIELDS = 100


@dataclass(frozen=True, slots=True)
class TwilioConfig:
    auth_token: str
    public_url: str | None = None  # e.g. https://gateway.example.com, without a trailing path


class _Refused(Exception):
    pass


def _public_url(request: Request[Any, Any, Any], config: TwilioConfig) -> str:
    if not config.public_url:
        return str(request.url)
    query = f"?{request.url.query}" if request.url.query else ""
    return config.public_url.rstrip("/") + request.url.path + query


async def _signed_params(request: Request[Any, Any, Any]) -> dict[str, str]:
    config: TwilioConfig = request.app.state.twilio
    body = (await request.body()).decode("utf-8", errors="replace")
    try:
        pairs = parse_qsl(body, keep_blank_values=True, max_num_fields=MAX_FIELDS)
    except ValueError:
        raise _Refused from None
    presented = request.headers.get("x-twilio-signature")
    if not valid_signature(config.auth_token, _public_url(request, config), pairs, presented):
        raise _Refused
    return dict(pairs)


def _refused() -> Response[str]:
    return Response(
        "invalid or missing X-Twilio-Signature\n", status_code=403, media_type="text/plain"
    )


@post("/voice", status_code=200)
async def voice_webhook(request: Request[Any, Any, Any]) -> Response[str]:
    try:
        params = await _signed_params(request)
    except _Refused:
        return _refused()
    desk: CallDesk = request.app.state.desk
    config: TwilioConfig = request.app.state.twilio
    action = (config.public_url or "").rstrip("/") + request.url.path
    twiml = await anyio.to_thread.run_sync(desk.voice, params, action)
    return Response(twiml, media_type=XML)


@post("/sms", status_code=200)
async def sms_webhook(request: Request[Any, Any, Any]) -> Response[str]:
    try:
        params = await _signed_params(request)
    except _Refused:
        return _refused()
    desk: CallDesk = request.app.state.desk
    try:
        twiml = await anyio.to_thread.run_sync(desk.sms, params)
    except NotDecided:
        return Response("<Response/>", status_code=503, media_type=XML)
    return Response(twiml, media_type=XML)


def twilio_app(desk: CallDesk, config: TwilioConfig, *, voice: bool, sms: bool) -> Litestar:
    handlers = [h for h, on in ((voice_webhook, voice), (sms_webhook, sms)) if on]
    return gateway_app(handlers, desk.client, desk=desk, twilio=config)
