"""Following a local rules repository: new approved commits go live, bad ones never do.

A real git repository in a temp dir, commits made with plumbing (the runtime reads git objects,
never a working tree), a real SQLite ERP and the real app through Litestar's test client.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from litestar.testing import TestClient

from api_support import make_settings, mint, wait_until_settled
from repo_helpers import git, line_of
from switchboard.app import create_app
from switchboard.settings import Settings
from test_reload_support import (
    COMPLAINT,
    ROUTINE,
    SAFETY,
    make_erp,
    make_marked_repo,
    marked,
    marker,
    plumb_commit,
    wait_for,
)


@dataclass
class Server:
    client: TestClient[Any]
    root: Path
    settings: Settings
    first: str
    keys: dict[str, dict[str, str]]

    def status(self) -> dict[str, Any]:
        response = self.client.get("/v1/status", headers=self.keys["ops"])
        assert response.status_code == 200, response.text
        body: dict[str, Any] = response.json()
        return body

    def wait_live(self, sha: str) -> dict[str, Any]:
        return wait_for(self.status, lambda s: s["revision"] == sha, what=f"going live of {sha}")

    def wait_failed(self, sha: str) -> dict[str, Any]:
        return wait_for(
            self.status,
            lambda s: sha in s["reload"]["failed_revisions"],
            what=f"the failure of {sha}",
        )

    def ask(self, inquiry: dict[str, Any]) -> dict[str, Any]:
        response = self.client.post("/v1/inquiries/dry-run", json=inquiry, headers=self.keys["gw"])
        assert response.status_code == 200, response.text
        body: dict[str, Any] = response.json()
        return body


@pytest.fixture
def server(tmp_path: Path) -> Iterator[Server]:
    root, first = make_marked_repo(tmp_path / "rules")
    db = make_erp(tmp_path / "erp.sqlite")
    settings = make_settings(tmp_path / "var", root, reload_poll_s=0.1)
    keys = {
        "gw": mint(settings, "gw", "inquiries:write"),
        "ops": mint(settings, "ops", "admin"),
    }
    app = create_app(settings, environ={"SWITCHBOARD_ERP_DSN": f"sqlite:///{db}"})
    with TestClient(app) as client:
        assert wait_until_settled(client) == 200
        yield Server(client, root, settings, first, keys)


def test_an_approved_commit_goes_live_and_answers_with_its_content(server: Server) -> None:
    assert server.ask(ROUTINE)["revision"] == server.first
    assert "order desk m00" in server.ask(ROUTINE)["reply"]["body"]
    committed = time.monotonic()
    sha = plumb_commit(server.root, marked(1), "Marker 1")
    status = server.wait_live(sha)
    waited = time.monotonic() - committed
    decision = server.ask(ROUTINE)
    assert decision["revision"] == sha
    assert "order desk m01" in decision["reply"]["body"]
    assert f"complaint_{marker(1)}" in server.ask(COMPLAINT)["reasons"]
    assert {"read", "parse", "validate", "compile", "engine", "tests", "total"} <= set(
        status["timings_s"]
    )
    build = status["reload"]["last_build"]
    assert build["revision"] == sha and build["ok"] is True
    assert "classifier" in build["reused"]  # only a text and a reason changed
    assert "renderer" not in build["reused"]  # the signature changed
    assert status["reload"]["following"] == "refs/heads/main"
    assert status["reload"]["counts"]["went_live"] == 2
    assert status["last_failure"] is None
    print(f"commit -> live seen by a client polling /v1/status: {waited:.2f} s")


def test_an_invalid_revision_never_serves_and_its_fix_does(server: Server) -> None:
    files = marked(1)
    files[SAFETY] = files[SAFETY].replace(
        "queue: quality_claims\n      priority", "queue: nowhere\n      priority"
    )
    bad = plumb_commit(server.root, files, "Route legal threats to a queue that does not exist")
    status = server.wait_failed(bad)
    assert status["revision"] == server.first
    failure = status["last_failure"]
    assert failure["revision"] == bad
    assert bad[:12] in failure["message"]
    problem = failure["problems"][0]
    assert problem["file"] == SAFETY
    assert problem["line"] == line_of(files[SAFETY], "queue: nowhere")
    assert "nowhere" in problem["message"]
    assert {"file", "line", "column", "code", "message"} <= set(problem)
    assert server.ask(ROUTINE)["revision"] == server.first
    assert "order desk m00" in server.ask(ROUTINE)["reply"]["body"]
    builds = status["reload"]["counts"]["builds"]
    time.sleep(1.0)  # ten polls of the same failed head
    again = server.status()["reload"]
    assert again["counts"]["builds"] == builds  # a failed revision is not built again
    assert again["counts"]["checks"] > status["reload"]["counts"]["checks"]
    fixed = plumb_commit(server.root, marked(2), "Fix the queue")
    status = server.wait_live(fixed)
    assert status["last_failure"] is None
    assert "order desk m02" in server.ask(ROUTINE)["reply"]["body"]


def test_a_failing_repository_test_blocks_going_live(server: Server) -> None:
    files = marked(1)
    files[SAFETY] = files[SAFETY].replace(
        "queue: quality_claims\n      priority: urgent", "queue: order_desk\n      priority: urgent"
    )
    failing = plumb_commit(server.root, files, "Legal threats to the order desk")
    status = server.wait_failed(failing)
    assert status["revision"] == server.first
    failure = status["last_failure"]
    assert failure["problems"] == []
    [case] = failure["failed_tests"]
    assert (case["suite"], case["id"], case["file"]) == (
        "basics",
        "lawyer_goes_to_claims",
        "tests/basics.yaml",
    )
    assert any("queue" in line for line in case["problems"])
    assert case["decided"]["queue"] == "order_desk"
    assert "complaint_m00" in server.ask(COMPLAINT)["reasons"]


def test_ready_only_after_the_first_good_revision(tmp_path: Path) -> None:
    files = marked(0)
    files[SAFETY] = files[SAFETY].replace("precedence: 10", "precedence: ten")
    root, bad = make_marked_repo(tmp_path / "rules")
    bad = plumb_commit(root, files, "Broken precedence")
    settings = make_settings(tmp_path / "var", root, reload_poll_s=0.1)
    ops = mint(settings, "ops", "admin")
    app = create_app(settings, environ={})
    with TestClient(app) as client:
        assert wait_until_settled(client) == 503
        status = client.get("/v1/status", headers=ops).json()
        assert status["ready"] is False and status["last_failure"]["revision"] == bad
        assert status["last_failure"]["problems"][0]["file"] == SAFETY
        good = plumb_commit(root, marked(3), "Fixed")
        wait_for(lambda: client.get("/v1/status", headers=ops).json(), lambda s: s["ready"])
        assert client.get("/ready").json() == {"status": "ready", "revision": good}


def test_follows_the_approved_ref_named_in_the_repository(tmp_path: Path) -> None:
    files = marked(0)
    files["switchboard.yaml"] = files["switchboard.yaml"].replace(
        "approved_ref: main", "approved_ref: live"
    )
    root, first = make_marked_repo(tmp_path / "rules")
    first = plumb_commit(root, files, "Serve the live branch")
    git(root, "branch", "live", first)
    settings = make_settings(tmp_path / "var", root, reload_poll_s=0.1)
    ops = mint(settings, "ops", "admin")
    with TestClient(create_app(settings, environ={})) as client:
        assert wait_until_settled(client) == 200

        def status() -> dict[str, Any]:
            body: dict[str, Any] = client.get("/v1/status", headers=ops).json()
            return body

        assert status()["reload"]["following"] == "refs/heads/live"
        unapproved = plumb_commit(root, {**files, **_signature(marked(5))}, "Only on main")
        approved = plumb_commit(root, {**files, **_signature(marked(6))}, "On live", "live")
        wait_for(status, lambda s: s["revision"] == approved)
        assert status()["reload"]["head"] == approved
        assert unapproved not in status()["reload"]["failed_revisions"]


def _signature(files: dict[str, str]) -> dict[str, str]:
    return {"snippets/signature.yaml": files["snippets/signature.yaml"]}
