"""Following a remote: a local bare repository plays the forge. A push to it and the signed
webhook make the mirror fetch and the new revision go live; a rollback is pushed back to it."""

from __future__ import annotations

import hashlib
import hmac
from pathlib import Path
from typing import Any

from litestar.testing import TestClient

from api_support import make_settings, mint, wait_until_settled
from repo_helpers import git
from switchboard.app import create_app
from switchboard.settings import Settings
from switchboard.web.apikeys import create_key
from test_reload_support import ROUTINE, make_erp, make_marked_repo, marked, plumb_commit, wait_for

SECRET = "remote-webhook-secret-0123456789"


def _signed(body: bytes) -> dict[str, str]:
    digest = hmac.new(SECRET.encode(), body, hashlib.sha256).hexdigest()
    return {"X-Hub-Signature-256": f"sha256={digest}", "Content-Type": "application/json"}


def test_push_webhook_fetch_and_rollback_through_the_remote(tmp_path: Path) -> None:
    work, first = make_marked_repo(tmp_path / "work")
    remote = tmp_path / "forge.git"
    git(tmp_path, "clone", "--quiet", "--bare", str(work), str(remote))
    db = make_erp(tmp_path / "erp.sqlite")
    settings = Settings(
        rules_remote=str(remote),
        data_dir=tmp_path / "var",
        reload_poll_s=0.1,
        remote_poll_s=3600,  # only the webhook makes it fetch during the test
        reload_webhook_secret=SECRET,
    )
    ops = {"X-API-Key": create_key(settings.keys_path, "ops", ["admin"], ("Ops", "ops@x.example"))}
    gw = mint(settings, "gw", "inquiries:write")
    with TestClient(
        create_app(settings, environ={"SWITCHBOARD_ERP_DSN": f"sqlite:///{db}"})
    ) as client:
        assert wait_until_settled(client) == 200

        def status() -> dict[str, Any]:
            body: dict[str, Any] = client.get("/v1/status", headers=ops).json()
            return body

        live = status()
        assert live["revision"] == first
        assert (
            live["reload"]["mode"] == "remote" and live["reload"]["following"] == "refs/heads/main"
        )
        assert live["reload"]["last_fetch"]["ok"] is True
        mirror = settings.data_dir / "rules-mirror.git"
        assert git(mirror, "rev-parse", "--is-bare-repository") == "true"

        second = plumb_commit(work, marked(4), "Marker 4")
        git(work, "push", "--quiet", str(remote), "main")
        assert status()["revision"] == first  # nothing fetched without the webhook
        body = b'{"ref": "refs/heads/main"}'
        response = client.post("/v1/admin/reload", content=body, headers=_signed(body))
        assert response.status_code == 202, response.text
        wait_for(status, lambda s: s["revision"] == second, what="the pushed revision")
        reply = client.post("/v1/inquiries/dry-run", json=ROUTINE, headers=gw).json()["reply"]
        assert "order desk m04" in reply["body"]

        done = client.post("/v1/admin/rollback", json={"to": first}, headers=ops)
        assert done.status_code == 201, done.text
        commit = done.json()["commit"]
        assert git(remote, "rev-parse", "main") == commit  # pushed to the forge
        assert git(remote, "rev-parse", f"{commit}^") == second
        wait_for(status, lambda s: s["revision"] == commit, what="the rollback")
        reply = client.post("/v1/inquiries/dry-run", json=ROUTINE, headers=gw).json()["reply"]
        assert "order desk m00" in reply["body"]

        remote.rename(tmp_path / "away.git")  # the forge is down: shown, still serving
        assert client.post("/v1/admin/reload", headers=ops).status_code == 202
        down = wait_for(status, lambda s: s["last_failure"] is not None, what="the fetch failure")
        assert down["revision"] == commit and down["ready"] is True
        assert down["last_failure"]["problems"][0]["code"] == "fetch_failed"
        (tmp_path / "away.git").rename(remote)
        assert client.post("/v1/admin/reload", headers=ops).status_code == 202
        wait_for(status, lambda s: s["last_failure"] is None, what="the recovery")


def test_an_unreachable_remote_is_reported_until_it_answers(tmp_path: Path) -> None:
    settings = make_settings(
        tmp_path / "var", tmp_path / "unused", rules_remote=str(tmp_path / "missing.git")
    )
    ops = mint(settings, "ops", "admin")
    with TestClient(create_app(settings, environ={})) as client:
        assert wait_until_settled(client) == 503
        failure = client.get("/v1/status", headers=ops).json()["last_failure"]
        assert failure["problems"][0]["code"] == "fetch_failed"
        assert "missing.git" in failure["message"]
        work, first = make_marked_repo(tmp_path / "work")  # the forge answers again
        git(tmp_path, "clone", "--quiet", "--bare", str(work), str(tmp_path / "missing.git"))
        assert client.post("/v1/admin/reload", headers=ops).status_code == 202
        status = wait_for(
            lambda: client.get("/v1/status", headers=ops).json(), lambda s: s["ready"]
        )
        assert status["revision"] == first and status["last_failure"] is None
