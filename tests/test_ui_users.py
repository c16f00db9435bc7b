"""Local users: `switchboard users`, Argon2id hashes, and single sign-on through a trusted
reverse proxy."""

from __future__ import annotations

import io
import json
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import anyio
import httpx
import pytest

from repo_helpers import git
from switchboard.commands import users as users_command
from switchboard.resources import resource_dir
from switchboard.users.demo import ensure_demo_repo, ensure_demo_users
from switchboard.users.passwords import verify
from switchboard.users.store import read_users
from switchboard.web.ui.proxy import proxy_login
from ui_support import ui_app, ui_settings


def run(args: list[str], stdin: str = "", monkeypatch: Any = None) -> int:
    if monkeypatch is not None:
        monkeypatch.setattr("sys.stdin", io.StringIO(stdin))
    return users_command.main(args)


def test_add_list_password_and_remove(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "users.json"
    args = ["--file", str(path), "add", "erika", "--email", "erika@nordwerk.example"]
    args += ["--name", "Erika Neumann", "--roles", "editor,reviewer", "--password-stdin"]
    assert run(args, "a-long-secret-1\n", monkeypatch) == 0
    [user] = read_users(path)
    assert user.roles == frozenset({"editor", "reviewer"})
    assert user.password_hash.startswith("$argon2id$")
    assert "a-long-secret-1" not in path.read_text()
    assert verify(user.password_hash, "a-long-secret-1")
    assert not verify(user.password_hash, "a-long-secret-2")
    assert oct(path.stat().st_mode & 0o777) == "0o600"

    capsys.readouterr()
    assert (
        run(
            [
                "--file",
                str(path),
                "add",
                "rolf",
                "--email",
                "r@nordwerk.example",
                "--roles",
                "reviewer",
            ]
        )
        == 0
    )
    made_up = capsys.readouterr().out.strip()
    rolf = next(u for u in read_users(path) if u.login == "rolf")
    assert len(made_up) >= 16 and verify(rolf.password_hash, made_up)

    assert run(["--file", str(path), "list"]) == 0
    listing = capsys.readouterr().out
    assert "erika\terika@nordwerk.example\teditor,reviewer\tErika Neumann" in listing
    assert "$argon2" not in listing

    assert (
        run(
            ["--file", str(path), "password", "erika", "--password-stdin"],
            "another-secret-9\n",
            monkeypatch,
        )
        == 0
    )
    erika = next(u for u in read_users(path) if u.login == "erika")
    assert verify(erika.password_hash, "another-secret-9")
    assert run(["--file", str(path), "remove", "rolf"]) == 0
    assert [u.login for u in read_users(path)] == ["erika"]
    assert run(["--file", str(path), "remove", "rolf"]) == 1


@pytest.mark.parametrize(
    ("args", "stdin", "message"),
    [
        (
            ["add", "erika", "--email", "e@x.example", "--roles", "editor", "--password-stdin"],
            "short\n",
            "at least 10 characters",
        ),
        (["add", "Erika!", "--email", "e@x.example", "--roles", "editor"], "", "login name"),
        (["add", "erika", "--email", "not-an-address", "--roles", "editor"], "", "e-mail"),
    ],
)
def test_bad_input_is_refused_with_a_reason(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    args: list[str],
    stdin: str,
    message: str,
) -> None:
    path = tmp_path / "users.json"
    assert run(["--file", str(path), *args], stdin, monkeypatch) == 2
    assert message in capsys.readouterr().err
    assert not path.exists()


def test_unknown_roles_stop_the_parser(tmp_path: Path) -> None:
    with pytest.raises(SystemExit):
        run(
            [
                "--file",
                str(tmp_path / "u.json"),
                "add",
                "x",
                "--email",
                "x@y.example",
                "--roles",
                "boss",
            ]
        )


def test_a_duplicate_login_or_address_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "users.json"
    base = ["--file", str(path), "add"]
    assert run([*base, "anna", "--email", "anna@x.example", "--roles", "viewer"]) == 0
    assert run([*base, "anna", "--email", "other@x.example", "--roles", "viewer"]) == 2
    assert run([*base, "anna2", "--email", "ANNA@x.example", "--roles", "viewer"]) == 2
    assert "already" in capsys.readouterr().err
    assert len(json.loads(path.read_text())["users"]) == 1


def test_sso_needs_both_settings_and_real_addresses() -> None:
    assert proxy_login(None, None) is None
    with pytest.raises(ValueError, match="go together"):
        proxy_login("X-Forwarded-User", None)
    with pytest.raises(ValueError, match="not an address"):
        proxy_login("X-Forwarded-User", "10.0.0.0/8, proxy.example")
    sso = proxy_login("X-Forwarded-User", "127.0.0.1, 10.0.0.0/8")
    assert sso is not None
    assert sso.user_name("10.1.2.3", {"x-forwarded-user": "rolf"}) == "rolf"
    assert sso.user_name("192.168.1.5", {"x-forwarded-user": "rolf"}) is None
    assert sso.user_name("127.0.0.1", {}) is None


def test_the_proxy_header_logs_in_only_from_trusted_proxies(
    tmp_path: Path, tmp_path_factory: pytest.TempPathFactory
) -> None:
    settings = ui_settings(
        tmp_path,
        tmp_path_factory.getbasetemp() / "ui-cache",
        ui_proxy_user_header="X-Forwarded-User",
        ui_trusted_proxies="127.0.0.1",
    )
    # In a thread of its own: the browser tests' Playwright keeps an event loop running in
    # this one, and anyio.run refuses to start a second.
    with ThreadPoolExecutor(1) as pool:
        pool.submit(anyio.run, _proxy_checks, ui_app(settings)).result()


async def _proxy_checks(app: Any) -> None:
    """Through ASGI with a chosen peer address (the test client cannot set one)."""
    header = {"X-Forwarded-User": "rolf@nordwerk.example"}
    trusted = httpx.ASGITransport(app=app, client=("127.0.0.1", 4711))
    async with httpx.AsyncClient(transport=trusted, base_url="http://ui.test") as client:
        page = await client.get("/ui/proposals", headers=header)
        assert page.status_code == 200 and "Rolf Brandt" in page.text
        stranger = await client.get("/ui/proposals", headers={"X-Forwarded-User": "nobody"})
        assert stranger.status_code == 403 and "not a user of Switchboard" in stranger.text
    outside = httpx.ASGITransport(app=app, client=("10.9.9.9", 4711))
    async with httpx.AsyncClient(transport=outside, base_url="http://ui.test") as client:
        response = await client.get("/ui/proposals", headers=header)
        assert response.status_code == 303
        assert response.headers["location"].startswith("/ui/login")


def test_the_demo_rules_repository_is_made_in_a_relative_data_dir(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)  # as `make demo` runs: SWITCHBOARD_DATA_DIR is `var`
    repo = ensure_demo_repo(Path("var"), resource_dir("rules-repo"))
    assert (tmp_path / repo / "HEAD").is_file()
    assert git(tmp_path / repo, "log", "--format=%s", "main") == "Demo rules"


def test_the_demo_users_and_rules_are_made_once(tmp_path: Path) -> None:
    data = tmp_path / "var"
    first = ensure_demo_users(data / "users.json", data)
    assert [(login, role) for login, _, role in first] == [
        ("erika", "editor"),
        ("rolf", "reviewer"),
    ]
    assert ensure_demo_users(data / "users.json", data) == first  # printed alike every run
    for login, password, _ in first:
        user = next(u for u in read_users(data / "users.json") if u.login == login)
        assert verify(user.password_hash, password)
    repo = ensure_demo_repo(data, resource_dir("rules-repo"))
    assert ensure_demo_repo(data, resource_dir("rules-repo")) == repo
    log = git(repo, "log", "--format=%s", "main")
    assert log == "Demo rules"
    assert "id: damage_claim" in git(repo, "show", "main:taxonomy/damage_claim.yaml")
