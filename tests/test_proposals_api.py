"""The proposal API through the real app: the main flow, and every error in the one shape."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from litestar.testing import TestClient

from api_support import assert_error, make_settings
from proposals_support import bare_repo, branch_head
from repo_helpers import BASE, line_of
from switchboard.app import create_app
from switchboard.web.apikeys import create_key

DESK = "queues/order_desk.yaml"
Headers = dict[str, str]


class Keys:
    def __init__(self, path: Path) -> None:
        def key(name: str, scopes: list[str], user: str | None = None, *roles: str) -> Headers:
            person = (user, f"{user.split()[0].lower()}@nordwerk.example") if user else None
            secret = create_key(path, name, scopes, person, list(roles))
            return {"Authorization": f"Bearer {secret}"}

        self.anna = key("anna", ["proposals:write"], "Anna Berger", "editor")
        self.jonas = key("jonas", ["proposals:write"], "Jonas Keller", "editor")
        self.elena = key("elena", ["proposals:write"], "Elena Roth", "reviewer")
        self.reader = key("dashboard", ["proposals:read"])
        self.robot = key("robot", ["proposals:write"])  # no user: cannot change anything
        self.viewer = key("vera", ["proposals:write"], "Vera Lang", "viewer")


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    return bare_repo(tmp_path)


@pytest.fixture
def keys(tmp_path: Path) -> Keys:
    return Keys(make_settings(tmp_path / "var", tmp_path).keys_path)


@pytest.fixture
def client(tmp_path: Path, repo: Path, keys: Keys) -> Iterator[TestClient[Any]]:
    settings = make_settings(tmp_path / "var", repo)
    with TestClient(create_app(settings, environ={})) as client:
        yield client


def start(client: TestClient[Any], headers: Headers, title: str = "Rename") -> dict[str, Any]:
    response = client.post("/v1/proposals", json={"title": title}, headers=headers)
    assert response.status_code == 201, response.text
    body: dict[str, Any] = response.json()
    return body


def read(client: TestClient[Any], headers: Headers, pid: str, path: str) -> dict[str, Any]:
    response = client.get(f"/v1/proposals/{pid}/files/{path}", headers=headers)
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def edit(client: TestClient[Any], headers: Headers, pid: str, path: str, old: str, new: str) -> Any:
    current = read(client, headers, pid, path)
    files = [
        {"path": path, "content": current["content"].replace(old, new), "base": current["blob"]}
    ]
    return client.post(
        f"/v1/proposals/{pid}/edits",
        json={"message": f"{old} -> {new}", "files": files},
        headers=headers,
    )


def test_main_flow_from_draft_to_merged(client: TestClient[Any], keys: Keys, repo: Path) -> None:
    proposal = start(client, keys.anna, "Rename the order desk")
    pid = proposal["id"]
    assert proposal["state"] == "draft"
    assert proposal["created_by"] == {"name": "Anna Berger", "email": "anna@nordwerk.example"}
    edited = edit(client, keys.anna, pid, DESK, "name: Order desk", "name: Orders")
    assert edited.status_code == 201, edited.text
    assert edited.json()["head"] == branch_head(repo, proposal["branch"])
    comment = client.post(f"/v1/proposals/{pid}/comments", json={"text": "Ok?"}, headers=keys.elena)
    assert comment.status_code == 201
    assert (
        client.post(f"/v1/proposals/{pid}/submit", headers=keys.anna).json()["state"] == "in_review"
    )
    approved = client.post(f"/v1/proposals/{pid}/approve", headers=keys.elena)
    assert approved.status_code == 200 and approved.json()["state"] == "approved"

    view = client.get(f"/v1/proposals/{pid}", headers=keys.reader).json()
    assert [d["path"] for d in view["diff"]] == [DESK]
    assert "+name: Orders" in view["diff"][0]["diff"]
    assert view["checks"]["valid"] is True and view["checks"]["problems"] == []
    assert [t["passed"] for t in view["checks"]["tests"]] == [True]
    assert [c["text"] for c in view["comments"]] == ["Ok?"]
    assert [e["kind"] for e in view["events"]] == ["created", "edited", "submitted", "approved"]

    merged = client.post(f"/v1/proposals/{pid}/merge", headers=keys.elena)
    assert merged.status_code == 200, merged.text
    assert merged.json()["state"] == "merged"
    assert merged.json()["merged_commit"] == branch_head(repo, "main")
    assert branch_head(repo, proposal["branch"]) is None

    history = client.get(f"/v1/rules/files/{DESK}/history", headers=keys.reader)
    assert history.status_code == 200
    newest = history.json()[0]
    assert newest["proposal"] == pid
    assert newest["approved_by"] == [{"name": "Elena Roth", "email": "elena@nordwerk.example"}]
    assert newest["edits"][0]["author"]["name"] == "Anna Berger"
    approved_file = client.get(f"/v1/rules/files/{DESK}", headers=keys.reader).json()
    assert "name: Orders" in approved_file["content"]

    listed = client.get("/v1/proposals?state=merged", headers=keys.reader).json()
    assert [p["id"] for p in listed["items"]] == [pid] and listed["total"] == 1


def test_list_pages(client: TestClient[Any], keys: Keys) -> None:
    ids = {start(client, keys.anna, f"P{n}")["id"] for n in range(3)}
    first = client.get("/v1/proposals?limit=2", headers=keys.reader).json()
    second = client.get("/v1/proposals?limit=2&offset=2", headers=keys.reader).json()
    assert first["total"] == 3 and len(first["items"]) == 2 and len(second["items"]) == 1
    assert {p["id"] for p in first["items"] + second["items"]} == ids
    bad = client.get("/v1/proposals?state=lost", headers=keys.reader)
    assert "lost" in assert_error(bad, 422, "invalid_request")["problems"][0]["message"]


def test_stale_edit_is_409_and_commits_nothing(
    client: TestClient[Any], keys: Keys, repo: Path
) -> None:
    proposal = start(client, keys.anna)
    pid = proposal["id"]
    old = read(client, keys.jonas, pid, DESK)
    assert edit(client, keys.anna, pid, DESK, "Order desk", "Order desk 1").status_code == 201
    head = branch_head(repo, proposal["branch"])
    stale = {"path": DESK, "content": old["content"] + "\n", "base": old["blob"]}
    response = client.post(
        f"/v1/proposals/{pid}/edits", json={"message": "mine", "files": [stale]}, headers=keys.jonas
    )
    details = assert_error(response, 409, "stale_edit")
    assert details["path"] == DESK and details["base"] == old["blob"]
    assert branch_head(repo, proposal["branch"]) == head


def test_invalid_edit_is_422_with_file_and_line(client: TestClient[Any], keys: Keys) -> None:
    pid = start(client, keys.anna)["id"]
    path = "taxonomy/complaint.yaml"
    response = edit(client, keys.anna, pid, path, "queue: quality_claims", "queue: nowhere")
    details = assert_error(response, 422, "invalid_revision")
    [problem] = [p for p in details["problems"] if p["file"] == path]
    assert problem["line"] == line_of(BASE[path], "queue: quality_claims")
    assert {"file", "line", "column", "code", "message"} <= set(problem)


def test_four_eyes_roles_and_identity(client: TestClient[Any], keys: Keys) -> None:
    pid = start(client, keys.anna)["id"]
    assert edit(client, keys.anna, pid, DESK, "Order desk", "Order desk 2").status_code == 201
    client.post(f"/v1/proposals/{pid}/submit", headers=keys.anna)
    details = assert_error(
        client.post(f"/v1/proposals/{pid}/approve", headers=keys.anna), 403, "role_required"
    )
    assert details["role"] == "reviewer"
    assert_error(
        client.post(f"/v1/proposals/{pid}/approve", headers=keys.robot), 403, "no_identity"
    )
    assert_error(client.post(f"/v1/proposals/{pid}/approve", headers=keys.reader), 403, "forbidden")
    assert_error(
        client.post("/v1/proposals", json={"title": "x"}, headers=keys.viewer), 403, "role_required"
    )
    assert_error(
        client.post(f"/v1/proposals/{pid}/withdraw", headers=keys.jonas), 403, "not_an_author"
    )
    assert_error(client.get(f"/v1/proposals/{pid}"), 401, "unauthorized")


def test_author_who_reviews_is_refused_four_eyes(tmp_path: Path, repo: Path) -> None:
    settings = make_settings(tmp_path / "var", repo)
    both = create_key(
        settings.keys_path,
        "marc",
        ["proposals:write"],
        ("Marc Vogel", "marc@nordwerk.example"),
        ["editor", "reviewer"],
    )
    headers = {"Authorization": f"Bearer {both}"}
    with TestClient(create_app(settings, environ={})) as client:
        pid = start(client, headers)["id"]
        assert edit(client, headers, pid, DESK, "Order desk", "Order desk 3").status_code == 201
        client.post(f"/v1/proposals/{pid}/submit", headers=headers)
        details = assert_error(
            client.post(f"/v1/proposals/{pid}/approve", headers=headers), 403, "four_eyes"
        )
        assert details["approver"] == "marc@nordwerk.example"


def test_state_conflict_and_not_found(client: TestClient[Any], keys: Keys) -> None:
    assert_error(client.get("/v1/proposals/nosuch", headers=keys.reader), 404, "not_found")
    assert_error(client.get(f"/v1/rules/files/{DESK}x", headers=keys.reader), 404, "not_found")
    first, second = (start(client, keys.anna, title)["id"] for title in ("One", "Two"))
    assert_error(
        client.post(f"/v1/proposals/{first}/merge", headers=keys.elena), 409, "invalid_state"
    )
    for pid, name in ((first, "North"), (second, "South")):
        assert (
            edit(client, keys.anna, pid, DESK, "Order desk", f"Order desk {name}").status_code
            == 201
        )
        client.post(f"/v1/proposals/{pid}/submit", headers=keys.anna)
        client.post(f"/v1/proposals/{pid}/approve", headers=keys.elena)
    assert client.post(f"/v1/proposals/{first}/merge", headers=keys.elena).status_code == 200
    details = assert_error(
        client.post(f"/v1/proposals/{second}/merge", headers=keys.elena), 409, "merge_conflict"
    )
    assert details["paths"] == [DESK]
    missing = client.post(f"/v1/proposals/{second}/update", headers=keys.jonas)
    assert assert_error(missing, 409, "merge_conflict")["missing"] == [DESK]
    mine = read(client, keys.jonas, second, DESK)
    final = mine["content"].replace("Order desk South", "Order desk North")
    resolution = {"path": DESK, "content": final, "base": mine["blob"]}
    updated = client.post(
        f"/v1/proposals/{second}/update", json={"resolutions": [resolution]}, headers=keys.jonas
    )
    assert updated.status_code == 200, updated.text
    assert updated.json()["state"] == "in_review"


def test_tests_failed_blocks_merge(client: TestClient[Any], keys: Keys, repo: Path) -> None:
    pid = start(client, keys.anna)["id"]
    old, new = (
        "      queue: quality_claims\n      priority: urgent",
        "      queue: order_desk\n      priority: urgent",
    )
    assert edit(client, keys.anna, pid, "escalation/safety.yaml", old, new).status_code == 201
    client.post(f"/v1/proposals/{pid}/submit", headers=keys.anna)
    client.post(f"/v1/proposals/{pid}/approve", headers=keys.elena)
    main = branch_head(repo, "main")
    details = assert_error(
        client.post(f"/v1/proposals/{pid}/merge", headers=keys.elena), 422, "tests_failed"
    )
    assert details["failed"][0]["case"] == "lawyer_goes_to_claims"
    assert branch_head(repo, "main") == main


def test_malformed_bodies_use_the_error_shape(client: TestClient[Any], keys: Keys) -> None:
    pid = start(client, keys.anna)["id"]
    missing_base = {"message": "m", "files": [{"path": DESK, "content": "x"}]}
    response = client.post(f"/v1/proposals/{pid}/edits", json=missing_base, headers=keys.anna)
    problems = assert_error(response, 422, "invalid_request")["problems"]
    assert "base" in problems[0]["message"]
    outside = {"message": "m", "files": [{"path": "../x.yaml", "content": "x", "base": None}]}
    response = client.post(f"/v1/proposals/{pid}/edits", json=outside, headers=keys.anna)
    assert_error(response, 422, "invalid_edit")
    assert_error(
        client.post("/v1/proposals", json={"title": "  "}, headers=keys.anna),
        422,
        "invalid_request",
    )


def test_a_plain_folder_offers_no_proposals(tmp_path: Path, keys: Keys) -> None:
    folder = tmp_path / "plain"
    folder.mkdir()
    settings = make_settings(tmp_path / "var", folder)
    with TestClient(create_app(settings, environ={})) as client:
        response = client.get("/v1/proposals", headers=keys.reader)
        details = assert_error(response, 503, "repository_unavailable")
        assert details["reason"] == "not_a_repository"
