"""Domain errors and the one mapping of every error to an HTTP response.

Every error response, ours or the framework's (404, 405, validation, body size), has the shape
`{"error": {"code": "snake_case", "message": "A plain sentence.", "details": {...}}}`.
Unexpected exceptions become `internal_error` with no traceback in the response; the traceback
goes to the log.
"""

from __future__ import annotations

import logging
from http import HTTPStatus
from typing import Any

import msgspec
from litestar import Request, Response
from litestar.exceptions import HTTPException, SerializationException, ValidationException
from litestar.openapi import ResponseSpec
from litestar.types import ExceptionHandlersMap

log = logging.getLogger("switchboard.errors")


class SwitchboardError(Exception):
    """An error with a stable code that clients may act on."""

    status_code = 500
    code = "internal_error"

    def __init__(self, message: str, details: dict[str, Any] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.details = details or {}


class Unauthorized(SwitchboardError):
    status_code = 401
    code = "unauthorized"


class Forbidden(SwitchboardError):
    status_code = 403
    code = "forbidden"


class NotReady(SwitchboardError):
    status_code = 503
    code = "not_ready"


class ErrorDetail(msgspec.Struct):
    code: str
    message: str
    details: dict[str, Any]


class ErrorBody(msgspec.Struct):
    """The shape of every error response."""

    error: ErrorDetail


def error_responses(*statuses: int) -> dict[int, ResponseSpec]:
    """OpenAPI entries for the errors a route can answer, all in the one error shape."""
    return {
        status: ResponseSpec(
            data_container=ErrorBody,
            description=_DOC.get(status) or _HTTP.get(status, ("", _phrase(status)))[1],
            generate_examples=False,
        )
        for status in statuses
    }


def error_body(code: str, message: str, details: dict[str, Any] | None = None) -> dict[str, Any]:
    return {"error": {"code": code, "message": message, "details": details or {}}}


def error_response(
    status: int,
    code: str,
    message: str,
    details: dict[str, Any] | None = None,
    headers: dict[str, str] | None = None,
) -> Response[dict[str, Any]]:
    return Response(
        error_body(code, message, details),
        status_code=status,
        headers=headers,
        media_type="application/json",
    )


# Litestar's own HTTP errors, by status: (code, message). The framework's detail texts are
# terse ("Not Found"), so the message is ours.
_HTTP: dict[int, tuple[str, str]] = {
    400: ("bad_request", "The request could not be read."),
    401: ("unauthorized", "An API key is required."),
    403: ("forbidden", "This API key may not do that."),
    404: ("not_found", "There is nothing at this address."),
    405: ("method_not_allowed", "This address does not accept that method."),
    413: ("body_too_large", "The request body is larger than this server accepts."),
    415: ("unsupported_media_type", "The request body must be JSON."),
    429: ("too_many_requests", "Too many requests; try again later."),
    503: ("not_ready", "The server is not ready to take requests."),
}


_DOC: dict[int, str] = {
    400: "malformed_json: the body is not valid JSON.",
    401: "unauthorized: no API key, or an unknown one.",
    403: "forbidden: the API key lacks the route's scope.",
    413: "body_too_large: the body exceeds SWITCHBOARD_MAX_BODY_BYTES.",
    422: "invalid_request: the body does not match the schema (details.problems).",
    503: "not_ready: no ruleset is live yet; store_unavailable: nothing could be stored.",
}


def handle_domain_error(request: Request[Any, Any, Any], exc: SwitchboardError) -> Response[Any]:
    headers = {}
    if exc.status_code == 401:
        headers["WWW-Authenticate"] = "Bearer"
    if exc.status_code == 503:
        headers["Retry-After"] = "5"
    return error_response(exc.status_code, exc.code, exc.message, exc.details, headers)


def handle_http_exception(request: Request[Any, Any, Any], exc: HTTPException) -> Response[Any]:
    status = exc.status_code
    if isinstance(exc, ValidationException):
        return _invalid_request(exc)
    if status >= 500:
        return handle_unexpected(request, exc)
    headers = dict(exc.headers or {})
    if status == 400 and isinstance(exc.__cause__, SerializationException):
        return error_response(
            400,
            "malformed_json",
            "The request body is not valid JSON.",
            {"reason": str(exc.detail)},
            headers,
        )
    code, message = _HTTP.get(status, (_snake(status), f"{_phrase(status)}."))
    details: dict[str, Any] = {}
    if status == 405:
        allow = headers.get("allow", "")
        details["allowed"] = [method.strip() for method in allow.split(",") if method.strip()]
    if status == 413:
        details["max_bytes"] = request.route_handler.resolve_request_max_body_size()
    return error_response(status, code, message, details, headers)


def handle_unexpected(request: Request[Any, Any, Any], exc: Exception) -> Response[Any]:
    log.error("unhandled error on %s %s", request.method, request.url.path, exc_info=exc)
    return error_response(500, "internal_error", "Something went wrong on our side.")


def _invalid_request(exc: ValidationException) -> Response[Any]:
    problems = []
    for item in exc.extra if isinstance(exc.extra, list) else []:
        if not isinstance(item, dict):
            continue
        message = str(item.get("message", ""))
        if item.get("key") == "data" and message == "'data'":
            message = "A JSON body is required."
        problems.append(
            {"field": item.get("key"), "source": item.get("source"), "message": message}
        )
    return error_response(
        422,
        "invalid_request",
        "The request does not match the expected format.",
        {"problems": problems},
    )


def _phrase(status: int) -> str:
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "Error"


def _snake(status: int) -> str:
    return _phrase(status).lower().replace(" ", "_").replace("-", "_").replace("'", "")


EXCEPTION_HANDLERS: ExceptionHandlersMap = {
    SwitchboardError: handle_domain_error,
    HTTPException: handle_http_exception,
    Exception: handle_unexpected,
}
