"""The `http` kind: one request per lookup through httpx, no retries, a hard deadline.

Every parameter is percent-encoded before it goes into the URL (a `/`, `?`, `#` or `.` in an
order number cannot change the path); the response must be JSON, at most MAX_BODY bytes; the
record is found at the query's result pointer. 404 (or a null record) means not found.
A GET carries the params in the path and query string only; a POST also sends all of the
query's params as a JSON object body (read-only search endpoints are often POST).
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import Mapping
from typing import Any
from urllib.parse import quote, urlsplit

import httpx

from switchboard.connectors import pointer
from switchboard.connectors.errors import (
    ConfigError,
    LookupFailure,
    LookupTimeout,
    NothingToLookUp,
)
from switchboard.rules.model import Connector, Query

MAX_BODY = 1024 * 1024
_PLACEHOLDER = re.compile(r"\{([A-Za-z_][A-Za-z0-9_]*)\}")


def encode_segment(value: str) -> str:
    """A value as one path segment: everything but letters, digits, `-`, `_`, `~` escaped."""
    return quote(value, safe="").replace(".", "%2E")


def expand(template: str, params: Mapping[str, Any], encode: bool) -> str | None:
    """Fill `{name}` placeholders; None when a placeholder's value is empty."""
    missing = False

    def fill(match: re.Match[str]) -> str:
        nonlocal missing
        name = match.group(1)
        if name not in params:
            raise ConfigError(f"placeholder {{{name}}} is not a param of the query")
        value = params[name]
        if value is None:
            missing = True
            return ""
        text = str(value).lower() if isinstance(value, bool) else str(value)
        return encode_segment(text) if encode else text

    result = _PLACEHOLDER.sub(fill, template)
    return None if missing else result


class HttpBackend:
    kind = "http"

    def __init__(self, connector: Connector, env: Mapping[str, str]) -> None:
        self.base_url = _setting(connector.base_url_setting, env, connector.id, "base_url_setting")
        if urlsplit(self.base_url).scheme not in {"http", "https"}:
            raise ConfigError(f"{connector.base_url_setting} must be an http(s) URL")
        headers = {"Accept": "application/json"}
        if connector.auth_secret_setting:
            secret = _setting(connector.auth_secret_setting, env, connector.id, "secret_setting")
            scheme = connector.auth_scheme
            headers[connector.auth_header or "Authorization"] = (
                f"{scheme} {secret}" if scheme else secret
            )
        size = max(1, connector.pool_size)
        self.pool_size = size
        self._client = httpx.Client(
            headers=headers,
            limits=httpx.Limits(max_connections=size, max_keepalive_connections=size),
            follow_redirects=False,
            trust_env=False,
            transport=httpx.HTTPTransport(retries=0),
        )

    def url(self, query: Query, params: Mapping[str, Any]) -> tuple[str, dict[str, str]]:
        path = expand(query.path or "", params, encode=True)
        if path is None:
            raise NothingToLookUp("a path parameter is empty")
        arguments: dict[str, str] = {}
        for name, template in query.query_params.items():
            value = expand(template, params, encode=False)
            if value is not None:
                arguments[name] = value
        if query.query_params and not arguments and not _PLACEHOLDER.search(query.path or ""):
            raise NothingToLookUp("every query parameter is empty")
        return self.base_url.rstrip("/") + "/" + path.lstrip("/"), arguments

    def run(self, query: Query, params: Mapping[str, Any], deadline: float) -> Any:
        method = query.method.upper()
        if method not in {"GET", "POST"}:
            raise ConfigError(f"query {query.name}: method {method} is not supported")
        url, arguments = self.url(query, params)
        payload = dict(params) if method == "POST" else None
        left = deadline - time.monotonic()
        if left <= 0:
            raise LookupTimeout("no time left for the request")
        try:
            with self._client.stream(
                method, url, params=arguments, json=payload, timeout=httpx.Timeout(left)
            ) as response:
                if response.status_code in (404, 204):
                    return None
                if response.status_code != 200:
                    raise LookupFailure(f"HTTP {response.status_code}")
                body = _read(response, deadline)
        except httpx.TimeoutException:
            raise LookupTimeout("no answer within the timeout") from None
        except httpx.HTTPError as error:
            raise LookupFailure(f"{type(error).__name__}: {error}") from None
        try:
            document = json.loads(body)
        except ValueError:
            raise LookupFailure("the response is not valid JSON") from None
        try:
            record = pointer.resolve(document, query.result_pointer)
        except pointer.PointerMissing as missing:
            raise LookupFailure(f"unexpected response shape: {missing}") from None
        if record is None:
            return None
        if not isinstance(record, dict):
            raise LookupFailure("unexpected response shape: the result is not an object")
        return record

    def close(self) -> None:
        self._client.close()


def _read(response: httpx.Response, deadline: float) -> bytes:
    chunks: list[bytes] = []
    size = 0
    for chunk in response.iter_bytes():
        size += len(chunk)
        if size > MAX_BODY:
            raise LookupFailure(f"the response is larger than {MAX_BODY} bytes")
        if time.monotonic() > deadline:
            raise LookupTimeout("the response did not arrive within the timeout")
        chunks.append(chunk)
    return b"".join(chunks)


def _setting(name: str | None, env: Mapping[str, str], connector: str, role: str) -> str:
    if not name:
        raise ConfigError(f"connector {connector} has no {role}")
    value = env.get(name, "").strip()
    if not value:
        raise ConfigError(f"setting {name} is not set (needed by connector {connector})")
    return value
