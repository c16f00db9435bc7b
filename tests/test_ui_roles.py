"""Roles in the UI: editors change and submit, reviewers approve and merge, viewers read.
A button shows only to those allowed, and the server refuses everyone else all the same."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from litestar.testing import TestClient

from proposals_support import branch_head, show
from ui_support import log_in, post_form, ui_app, ui_settings

DESK = "queues/order_desk.yaml"


@pytest.fixture
def settings(tmp_path: Path, tmp_path_factory: pytest.TempPathFactory) -> Any:
    return ui_settings(tmp_path, tmp_path_factory.getbasetemp() / "ui-cache")


def user(settings: Any, login: str) -> TestClient[Any]:
    client = TestClient(ui_app(settings))
    assert log_in(client, login).status_code == 303
    return client


def rename_desk(client: TestClient[Any], name: str) -> str:
    """Save a new team name through the YAML view; returns the proposal id."""
    page = client.get(f"/ui/files/{DESK}?mode=yaml")
    base = re.search(r'name="base" value="([0-9a-f]+)"', page.text)
    assert base
    text = re.search(r'<textarea id="yaml"[^>]*>\n(.*?)</textarea>', page.text, re.S)
    assert text
    new = text.group(1).replace("&#34;", '"').replace("name: Order desk", f"name: {name}")
    response = post_form(
        client,
        f"/ui/files/{DESK}",
        {"mode": "yaml", "yaml": new, "base": base.group(1)},
        page="/ui/taxonomy",
    )
    assert response.status_code == 303, response.text
    listing = client.get("/ui/proposals?state=draft").text
    found = re.search(r'href="/ui/proposals/([a-z0-9]+)"', listing)
    assert found
    return found.group(1)


def buttons(client: TestClient[Any], pid: str) -> set[str]:
    return set(re.findall(r'data-action="(\w+)"', client.get(f"/ui/proposals/{pid}").text))


def test_editor_submits_reviewer_approves_and_merges(settings: Any) -> None:
    erika, rolf = user(settings, "erika"), user(settings, "rolf")
    pid = rename_desk(erika, "Order desk (Mannheim)")
    assert buttons(erika, pid) == {"submit", "withdraw"}
    assert buttons(rolf, pid) == set()  # a draft is not for review yet
    assert post_form(erika, f"/ui/proposals/{pid}/submit", {}, page="/ui/").status_code == 303

    assert "approve" not in buttons(erika, pid)
    refused = post_form(erika, f"/ui/proposals/{pid}/approve", {}, page="/ui/")
    assert refused.status_code == 403
    assert "reviewer role" in refused.text

    assert buttons(rolf, pid) == {"approve", "reject"}
    analysis = rolf.get(f"/ui/proposals/{pid}/analysis", headers={"X-Fragment": "1"})
    assert analysis.status_code == 200 and "Guarantees" in analysis.text
    assert "<html" not in analysis.text  # a fragment for the page's script
    no_live = rolf.get(f"/ui/proposals/{pid}/impact")
    assert no_live.status_code == 503 and "No revision is live yet" in no_live.text
    assert post_form(rolf, f"/ui/proposals/{pid}/approve", {}, page="/ui/").status_code == 303
    assert buttons(rolf, pid) == {"merge", "reject"}
    before = branch_head(settings.rules_path, "main")
    merged = post_form(rolf, f"/ui/proposals/{pid}/merge", {}, page="/ui/")
    assert merged.status_code == 303, merged.text
    after = branch_head(settings.rules_path, "main")
    assert after != before
    assert "name: Order desk (Mannheim)" in show(settings.rules_path, "main", DESK)
    history = rolf.get(f"/ui/history/{DESK}").text
    assert "Rolf Brandt" in history and "Erika Neumann" in history


def test_an_author_who_is_also_a_reviewer_cannot_approve(settings: Any) -> None:
    max_ = user(settings, "max")
    pid = rename_desk(max_, "Order desk 2")
    assert post_form(max_, f"/ui/proposals/{pid}/submit", {}, page="/ui/").status_code == 303
    assert "approve" not in buttons(max_, pid)
    refused = post_form(max_, f"/ui/proposals/{pid}/approve", {}, page="/ui/")
    assert refused.status_code == 403
    assert "four_eyes" in refused.text


def test_reviewers_and_viewers_cannot_change_files(settings: Any) -> None:
    for login in ("rolf", "vera"):
        client = user(settings, login)
        page = client.get("/ui/queues/order_desk")
        assert page.status_code == 200
        assert "Save to my proposal" not in page.text
        refused = post_form(client, "/ui/queues/order_desk", {"f.name": "x"}, page="/ui/")
        assert refused.status_code == 403
        assert "editor role" in refused.text
    assert branch_head(settings.rules_path, "main") is not None
    assert "Order desk" in show(settings.rules_path, "main", DESK)


def test_a_viewer_cannot_move_rules_or_mark_reviews(settings: Any) -> None:
    vera = user(settings, "vera")
    assert "Move legal_threat down" not in vera.get("/ui/escalation").text
    moved = post_form(
        vera, "/ui/escalation/safety/move", {"rule": "legal_threat", "direction": "down"}, "/ui/"
    )
    assert moved.status_code == 403
    marked = post_form(vera, "/ui/reviews/mark", {"path": DESK, "note": "fine"}, page="/ui/")
    assert marked.status_code == 403
