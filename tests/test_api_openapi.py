"""The OpenAPI document at /schema: served, valid OpenAPI 3.1, and describing our endpoints."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from litestar.testing import TestClient
from openapi_spec_validator import validate

from api_support import make_settings
from switchboard.app import create_app


def fetch_schema(tmp_path: Path) -> dict[str, Any]:
    app = create_app(make_settings(tmp_path / "var", tmp_path / "no-repo"), environ={})
    with TestClient(app) as client:
        response = client.get("/schema/openapi.json")
        assert response.status_code == 200
        schema: dict[str, Any] = response.json()
        return schema


def test_schema_is_valid_openapi(tmp_path: Path) -> None:
    schema = fetch_schema(tmp_path)
    validate(schema)  # raises with the failing path when the document is not valid
    assert schema["openapi"].startswith("3.1")
    assert schema["info"]["title"] == "Switchboard"


def test_schema_describes_the_gateway_api(tmp_path: Path) -> None:
    schema = fetch_schema(tmp_path)
    paths = schema["paths"]
    assert {"/v1/inquiries", "/v1/inquiries/dry-run", "/v1/status", "/health", "/ready"} <= set(
        paths
    )
    decide = paths["/v1/inquiries"]["post"]
    body = decide["requestBody"]["content"]["application/json"]["schema"]
    inquiry = schema["components"]["schemas"][body["$ref"].rsplit("/", 1)[1]]
    assert set(inquiry["required"]) == {"channel", "text"}
    assert inquiry["properties"]["channel"]["enum"] == ["email", "sms", "chat", "voice"]
    assert "200" in decide["responses"]
    assert decide["security"] == [{"apiKey": []}, {"bearer": []}]
    schemes = schema["components"]["securitySchemes"]
    assert schemes["apiKey"] == {"type": "apiKey", "name": "X-API-Key", "in": "header"}
    assert schemes["bearer"]["scheme"] == "bearer"
    dry_headers = paths["/v1/inquiries/dry-run"]["post"]["responses"]["200"]["headers"]
    assert "Switchboard-Dry-Run" in dry_headers


def test_error_responses_are_documented_in_the_one_shape(tmp_path: Path) -> None:
    schema = fetch_schema(tmp_path)
    responses = schema["paths"]["/v1/inquiries"]["post"]["responses"]
    assert {"400", "401", "403", "413", "422", "503"} <= set(responses)
    for status in ("400", "401", "403", "413", "422", "503"):
        ref = responses[status]["content"]["application/json"]["schema"]["$ref"]
        assert ref == "#/components/schemas/ErrorBody"
    body = schema["components"]["schemas"]["ErrorBody"]
    detail = schema["components"]["schemas"][body["properties"]["error"]["$ref"].split("/")[-1]]
    assert set(detail["required"]) == {"code", "message", "details"}
