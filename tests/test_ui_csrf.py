"""CSRF: every form post must carry the token of the caller's own session, or it is refused
with 403 and changes nothing."""

from __future__ import annotations

from typing import Any

import pytest
from litestar.testing import TestClient

from proposals_support import branch_head
from ui_support import csrf_of, log_in, ui_app, ui_settings

DESK = "queues/order_desk.yaml"


@pytest.fixture(scope="module")
def settings(tmp_path_factory: pytest.TempPathFactory) -> Any:
    """One repository for the module: every forged post must leave it as it was."""
    return ui_settings(tmp_path_factory.mktemp("csrf"), tmp_path_factory.getbasetemp() / "ui-cache")


@pytest.fixture(scope="module")
def client(settings: Any) -> TestClient[Any]:
    client = TestClient(ui_app(settings))
    assert log_in(client, "erika").status_code == 303
    return client


FORGED = [
    ("/ui/logout", {}),
    (f"/ui/files/{DESK}", {"mode": "yaml", "yaml": "id: order_desk\n"}),
    ("/ui/queues/order_desk", {"f.name": "Hacked"}),
    ("/ui/escalation/safety/move", {"rule": "complaints_to_claims", "direction": "up"}),
    ("/ui/escalation/safety/legal_threat", {"action": "save"}),
    ("/ui/proposals/abc123/approve", {}),
    ("/ui/proposals/abc123/merge", {}),
    ("/ui/proposals/abc123/comment", {"text": "hello"}),
    ("/ui/reviews/mark", {"path": DESK, "note": "ok"}),
    ("/ui/try", {"text": "hello"}),
    ("/ui/templates/order_status/preview", {"body": "x"}),
    ("/ui/connectors/erp/test", {"query": "order_by_reference"}),
]


@pytest.mark.parametrize(("url", "data"), FORGED)
def test_a_post_without_the_token_is_refused(
    client: TestClient[Any], settings: Any, url: str, data: dict[str, str]
) -> None:
    before = branch_head(settings.rules_path, "main")
    response = client.post(url, data=data, follow_redirects=False)
    assert response.status_code == 403
    assert "did not come from this session" in response.text
    assert "text/html" in response.headers["content-type"]
    assert branch_head(settings.rules_path, "main") == before
    assert client.get("/ui/proposals").text.count("/ui/proposals/") == 0  # nothing started


def test_the_token_of_another_session_is_refused(client: TestClient[Any], settings: Any) -> None:
    other = TestClient(client.app)
    assert log_in(other, "max").status_code == 303
    stolen = csrf_of(other, "/ui/taxonomy")
    data = {"_csrf": stolen, "mode": "yaml", "yaml": "id: order_desk\n"}
    assert client.post(f"/ui/files/{DESK}", data=data).status_code == 403


def test_a_cross_site_login_form_is_refused(settings: Any) -> None:
    fresh = TestClient(ui_app(settings))  # no session cookie at all
    data = {"login": "erika", "password": "erika-secret-1"}
    assert fresh.post("/ui/login", data=data, follow_redirects=False).status_code == 403


def test_the_token_may_come_as_a_header(client: TestClient[Any]) -> None:
    token = csrf_of(client, "/ui/templates/order_status")
    response = client.post(
        "/ui/templates/order_status/preview",
        data={"channel": "sms", "locale": "en", "body": "Order {{ order.order_no }}"},
        headers={"X-CSRF-Token": token, "X-Fragment": "1"},
    )
    assert response.status_code == 200
    assert "Order SO4500123" in response.text
