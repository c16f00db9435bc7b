"""A server whose rules do not load: alive, not ready, and every error in the one shape."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from litestar import get
from litestar.testing import TestClient

from api_support import assert_error, make_settings, mint, wait_until_settled
from switchboard.app import create_app
from switchboard.settings import Settings

INQUIRY = {"channel": "email", "text": "Where is order SO4500123?"}


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return make_settings(tmp_path / "var", tmp_path / "no-such-repo")


@pytest.fixture
def keys(settings: Settings) -> dict[str, dict[str, str]]:
    """Keys minted before the server starts (it re-reads the file at most once a second)."""
    return {
        "gw": mint(settings, "gw", "inquiries:write"),
        "ui": mint(settings, "ui", "conversations:read"),
        "ops": mint(settings, "ops", "admin"),
    }


@pytest.fixture
def client(settings: Settings, keys: dict[str, dict[str, str]]) -> Iterator[TestClient[Any]]:
    app = create_app(settings, environ={})

    @get("/test-only/crash", include_in_schema=False)
    async def crash() -> None:
        raise RuntimeError("secret detail /etc/passwd")

    app.register(crash)
    with TestClient(app) as client:
        assert wait_until_settled(client) == 503
        yield client


def test_health_is_up_and_ready_is_not(client: TestClient[Any]) -> None:
    assert client.get("/health").json() == {"status": "ok"}
    response = client.get("/ready")
    details = assert_error(response, 503, "not_ready")
    assert details == {"reason": "load_failed"}  # no paths or problems for anonymous callers
    assert response.headers["retry-after"] == "5"


def test_inquiries_answer_503_to_a_valid_key(
    client: TestClient[Any], keys: dict[str, dict[str, str]]
) -> None:
    response = client.post("/v1/inquiries", json=INQUIRY, headers=keys["gw"])
    assert_error(response, 503, "not_ready")


def test_status_tells_a_key_holder_why(
    client: TestClient[Any], keys: dict[str, dict[str, str]]
) -> None:
    assert_error(client.get("/v1/status"), 401, "unauthorized")
    status = client.get("/v1/status", headers=keys["ops"]).json()
    assert status["ready"] is False
    assert status["last_failure"]["reason"] == "load_failed"
    assert "no-such-repo" in status["last_failure"]["message"]
    assert [p["code"] for p in status["last_failure"]["problems"]] == ["not_found"]


def test_missing_unknown_and_insufficient_keys(
    client: TestClient[Any], keys: dict[str, dict[str, str]]
) -> None:
    reader = keys["ui"]
    response = client.post("/v1/inquiries", json=INQUIRY)
    assert_error(response, 401, "unauthorized")
    assert response.headers["www-authenticate"] == "Bearer"
    bad = {"X-API-Key": "sb_not-a-key"}
    assert_error(client.post("/v1/inquiries", json=INQUIRY, headers=bad), 401, "unauthorized")
    details = assert_error(
        client.post("/v1/inquiries/dry-run", json=INQUIRY, headers=reader), 403, "forbidden"
    )
    assert details == {"scope": "inquiries:dry_run", "key": "ui"}


def test_framework_errors_use_the_same_shape(client: TestClient[Any]) -> None:
    assert_error(client.get("/v1/nothing-here"), 404, "not_found")
    details = assert_error(client.get("/v1/inquiries"), 405, "method_not_allowed")
    assert "POST" in details["allowed"]


def test_unexpected_errors_leak_nothing(client: TestClient[Any]) -> None:
    response = client.get("/test-only/crash")
    assert_error(response, 500, "internal_error")
    assert "passwd" not in response.text and "Traceback" not in response.text
