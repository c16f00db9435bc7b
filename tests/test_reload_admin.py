"""Rollback (endpoint and command) and the push webhook's checks, against the real app."""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from litestar.testing import TestClient

from api_support import assert_error, make_settings, wait_until_settled
from repo_helpers import git
from switchboard.app import create_app
from switchboard.commands import rollback as rollback_command
from switchboard.settings import Settings
from switchboard.web.apikeys import create_key
from test_reload_support import ROUTINE, make_erp, make_marked_repo, marked, plumb_commit, wait_for

SECRET = "a-webhook-secret-for-tests-0123"
PUSH = json.dumps({"ref": "refs/heads/main", "after": "0" * 40}).encode()
ANNA = ("Anna Berger", "anna.berger@nordwerk.example")


@dataclass
class Server:
    client: TestClient[Any]
    root: Path
    first: str
    keys: dict[str, dict[str, str]]

    def status(self) -> dict[str, Any]:
        body: dict[str, Any] = self.client.get("/v1/status", headers=self.keys["ops"]).json()
        return body

    def wait_live(self, sha: str) -> dict[str, Any]:
        return wait_for(self.status, lambda s: s["revision"] == sha, what=f"going live of {sha}")

    def reply(self) -> str:
        response = self.client.post("/v1/inquiries/dry-run", json=ROUTINE, headers=self.keys["gw"])
        assert response.status_code == 200, response.text
        body: str = response.json()["reply"]["body"]
        return body


def _key(settings: Settings, name: str, scopes: list[str], user: Any = None) -> dict[str, str]:
    return {"X-API-Key": create_key(settings.keys_path, name, scopes, user)}


@pytest.fixture
def server(tmp_path: Path) -> Iterator[Server]:
    root, first = make_marked_repo(tmp_path / "rules")
    db = make_erp(tmp_path / "erp.sqlite")
    settings = make_settings(
        tmp_path / "var", root, reload_poll_s=0.1, reload_webhook_secret=SECRET
    )
    keys = {
        "gw": _key(settings, "gw", ["inquiries:write"]),
        "ops": _key(settings, "ops", ["admin"], ANNA),
        "ops-nobody": _key(settings, "ops-nobody", ["admin"]),
        "editor": _key(settings, "editor", ["proposals:write"], ANNA),
    }
    app = create_app(settings, environ={"SWITCHBOARD_ERP_DSN": f"sqlite:///{db}"})
    with TestClient(app) as client:
        assert wait_until_settled(client) == 200
        yield Server(client, root, first, keys)


def test_rollback_endpoint_restores_content_as_a_new_commit(server: Server) -> None:
    second = plumb_commit(server.root, marked(1), "Marker 1")
    server.wait_live(second)
    assert "order desk m01" in server.reply()
    response = server.client.post(
        "/v1/admin/rollback", json={"to": server.first}, headers=server.keys["ops"]
    )
    assert response.status_code == 201, response.text
    done = response.json()
    assert done["previous"] == second and done["restored"] == server.first
    assert done["branch"] == "refs/heads/main"
    commit = done["commit"]
    assert git(server.root, "rev-parse", "main") == commit
    assert git(server.root, "rev-parse", f"{commit}^") == second  # history is kept
    assert git(server.root, "rev-parse", f"{commit}^{{tree}}") == git(
        server.root, "rev-parse", f"{server.first}^{{tree}}"
    )
    assert git(server.root, "log", "-1", "--format=%an <%ae>", commit) == f"{ANNA[0]} <{ANNA[1]}>"
    server.wait_live(commit)
    assert "order desk m00" in server.reply()
    assert server.status()["reload"]["counts"]["rollbacks"] == 1


def test_rollback_endpoint_refusals(server: Server) -> None:
    git(server.root, "branch", "side", server.first)
    stray = plumb_commit(server.root, marked(7), "Never approved", branch="side")
    ops = server.keys["ops"]
    post = server.client.post
    details = assert_error(
        post("/v1/admin/rollback", json={"to": stray}, headers=ops), 409, "not_an_ancestor"
    )
    assert details == {}
    assert_error(
        post("/v1/admin/rollback", json={"to": server.first}, headers=ops),
        409,
        "nothing_to_roll_back",
    )
    assert_error(
        post("/v1/admin/rollback", json={"to": "no-such-tag"}, headers=ops), 404, "unknown_revision"
    )
    assert_error(
        post("/v1/admin/rollback", json={"to": "--all"}, headers=ops), 404, "unknown_revision"
    )
    editor = server.keys["editor"]
    assert_error(
        post("/v1/admin/rollback", json={"to": server.first}, headers=editor), 403, "forbidden"
    )
    nobody = server.keys["ops-nobody"]
    assert_error(
        post("/v1/admin/rollback", json={"to": server.first}, headers=nobody), 403, "no_identity"
    )
    assert_error(post("/v1/admin/rollback", json={"to": server.first}), 401, "unauthorized")
    assert_error(post("/v1/admin/rollback", json={"to": ""}, headers=ops), 422, "invalid_request")
    assert git(server.root, "rev-parse", "main") == server.first  # nothing moved


def _github(body: bytes, secret: str = SECRET) -> dict[str, str]:
    digest = hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
    return {"X-Hub-Signature-256": f"sha256={digest}", "X-GitHub-Event": "push"}


def test_webhook_accepts_a_github_signature_and_reloads(server: Server) -> None:
    second = plumb_commit(server.root, marked(2), "Marker 2")
    response = server.client.post("/v1/admin/reload", content=PUSH, headers=_github(PUSH))
    assert response.status_code == 202, response.text
    body = response.json()
    assert body["by"] == "github" and body["pushed_ref"] == "refs/heads/main"
    assert body["following"] == "refs/heads/main"
    server.wait_live(second)
    assert server.status()["reload"]["counts"]["triggers"] == 1


@pytest.mark.parametrize(
    "headers",
    [
        _github(PUSH, "another-secret-entirely-xx"),  # wrong key
        _github(PUSH + b" "),  # signs another body
        {"X-Hub-Signature-256": "sha256=" + "0" * 64},
        {"X-Hub-Signature-256": "not-even-hex"},
        {"X-Gitlab-Token": SECRET + "x"},
        {"X-Gitlab-Token": ""},
        {},  # nothing at all
        {"X-API-Key": "sb_unknown"},
    ],
    ids=["gh-key", "gh-body", "gh-zero", "gh-garbage", "gl-wrong", "gl-empty", "none", "bad-key"],
)
def test_webhook_refuses_unverified_calls(server: Server, headers: dict[str, str]) -> None:
    response = server.client.post("/v1/admin/reload", content=PUSH, headers=headers)
    assert_error(response, 401, "unauthorized")
    assert "triggers" not in server.status()["reload"]["counts"]


def test_webhook_gitlab_token_and_admin_key(server: Server) -> None:
    response = server.client.post(
        "/v1/admin/reload", content=PUSH, headers={"X-Gitlab-Token": SECRET}
    )
    assert response.status_code == 202 and response.json()["by"] == "gitlab"
    response = server.client.post("/v1/admin/reload", headers=server.keys["ops"])
    assert response.status_code == 202 and response.json()["by"] == "api_key"
    refused = server.client.post("/v1/admin/reload", headers=server.keys["editor"])
    assert_error(refused, 403, "forbidden")
    assert server.status()["reload"]["counts"]["triggers"] == 2


def test_webhook_without_a_configured_secret_takes_only_admin_keys(tmp_path: Path) -> None:
    root, _ = make_marked_repo(tmp_path / "rules")
    settings = make_settings(tmp_path / "var", root)
    ops = _key(settings, "ops", ["admin"])
    with TestClient(create_app(settings, environ={})) as client:
        for headers in (_github(PUSH), {"X-Gitlab-Token": SECRET}):
            response = client.post("/v1/admin/reload", content=PUSH, headers=headers)
            assert_error(response, 401, "unauthorized")
            assert "SWITCHBOARD_RELOAD_WEBHOOK_SECRET" in response.json()["error"]["message"]
        assert client.post("/v1/admin/reload", headers=ops).status_code == 202


def test_rollback_command(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root, first = make_marked_repo(tmp_path / "rules")
    second = plumb_commit(root, marked(1), "Marker 1")
    argv = ["--rules", str(root), "--to", first, "--author", "Anna Berger <anna@nordwerk.example>"]
    assert rollback_command.main(argv) == 0
    head = git(root, "rev-parse", "main")
    assert git(root, "rev-parse", f"{head}^") == second
    assert git(root, "rev-parse", f"{head}^{{tree}}") == git(root, "rev-parse", f"{first}^{{tree}}")
    assert git(root, "log", "-1", "--format=%an|%s", head).startswith("Anna Berger|Roll back to")
    assert head[:12] in capsys.readouterr().out
    assert rollback_command.main(argv) == 1  # the content is already there
    assert "nothing_to_roll_back" in capsys.readouterr().err
    git(root, "branch", "side", first)
    stray = plumb_commit(root, marked(9), "Side", branch="side")
    assert (
        rollback_command.main(["--rules", str(root), "--to", stray, "--author", "A <a@b.example>"])
        == 1
    )
    assert "not_an_ancestor" in capsys.readouterr().err
    assert rollback_command.main(["--rules", str(root), "--to", first, "--author", "nobody"]) == 2
    assert git(root, "rev-parse", "main") == head
