"""Twilio's request signature (`X-Twilio-Signature`), checked before anything is read.

The signature is base64(HMAC-SHA1(auth token, URL + every POST parameter's name and value,
sorted by name)), where the URL is the full address Twilio called, query string included.
A parameter sent several times contributes each of its distinct values, sorted.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from collections.abc import Iterable


def expected_signature(auth_token: str, url: str, params: Iterable[tuple[str, str]]) -> str:
    payload = url + "".join(name + value for name, value in sorted(set(params)))
    digest = hmac.new(auth_token.encode("utf-8"), payload.encode("utf-8"), hashlib.sha1).digest()
    return base64.b64encode(digest).decode("ascii")


def valid_signature(
    auth_token: str, url: str, params: Iterable[tuple[str, str]], presented: str | None
) -> bool:
    if not presented or not auth_token:
        return False
    expected = expected_signature(auth_token, url, params)
    return hmac.compare_digest(expected.encode("ascii"), presented.strip().encode("utf-8"))
