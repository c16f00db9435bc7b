"""Shared pieces of the HTTP API tests: settings in a temp dir, keys, waiting for readiness."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from litestar.testing import TestClient

from switchboard.settings import Settings
from switchboard.web.apikeys import SCOPES, create_key

ALL_SCOPES = list(SCOPES)


def make_settings(data_dir: Path, rules_path: Path, **more: Any) -> Settings:
    return Settings(rules_path=rules_path, data_dir=data_dir, **more)


def mint(settings: Settings, name: str, *scopes: str) -> dict[str, str]:
    """A new key with `scopes`, as request headers."""
    key = create_key(settings.keys_path, name, list(scopes))
    return {"Authorization": f"Bearer {key}"}


def wait_until_settled(client: TestClient[Any], timeout: float = 60.0) -> int:
    """Poll /ready until the first load succeeded (200) or failed (503 load_failed)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        response = client.get("/ready")
        if response.status_code == 200:
            return 200
        if response.json()["error"]["details"].get("reason") == "load_failed":
            return 503
        time.sleep(0.05)
    raise AssertionError(f"the ruleset did not load within {timeout} s")


def assert_error(response: Any, status: int, code: str) -> dict[str, Any]:
    """The response is `status` in the one error shape with `code`; returns the details."""
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/json")
    body = response.json()
    assert set(body) == {"error"}
    error = body["error"]
    assert set(error) == {"code", "message", "details"}
    assert error["code"] == code
    assert isinstance(error["message"], str) and error["message"].endswith(".")
    assert isinstance(error["details"], dict)
    return dict(error["details"])
