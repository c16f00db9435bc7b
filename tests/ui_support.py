"""Shared pieces of the admin UI tests: an app on a real bare rules repository, local users
with real Argon2 hashes, logging in through the login form and reading CSRF tokens from pages.
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path
from typing import Any

from litestar import Litestar
from litestar.testing import TestClient

from api_support import make_settings
from proposals_support import bare_repo
from switchboard.app import create_app
from switchboard.settings import Settings
from switchboard.users.model import User
from switchboard.users.passwords import hash_password
from switchboard.users.store import write_users

PASSWORDS = {
    "erika": "erika-secret-1",
    "rolf": "rolf-secret-22",
    "vera": "vera-secret-333",
    "max": "max-secret-4444",
}
ROLES = {
    "erika": ("Erika Neumann", {"editor"}),
    "rolf": ("Rolf Brandt", {"reviewer"}),
    "vera": ("Vera Lang", {"viewer"}),
    "max": ("Max Ebert", {"editor", "reviewer"}),
}
_CSRF = re.compile(r'name="_csrf" value="([^"]+)"')


@cache
def _hash(password: str) -> str:
    return hash_password(password)  # Argon2 is slow on purpose: hash each password once


def write_demo_users(path: Path) -> None:
    users = [
        User(login, name, f"{login}@nordwerk.example", frozenset(roles), _hash(PASSWORDS[login]))
        for login, (name, roles) in ROLES.items()
    ]
    write_users(path, users)


def ui_settings(tmp_path: Path, cache_dir: Path, **more: Any) -> Settings:
    """Settings on a new bare repository of the small test rules, with the four users."""
    repo = bare_repo(tmp_path)
    settings = make_settings(
        tmp_path / "var", repo, ui_cookie_secure=False, cache_dir=cache_dir, **more
    )
    write_demo_users(settings.users_path)
    return settings


def ui_app(settings: Settings) -> Litestar:
    return create_app(settings, environ={})


def csrf_of(client: TestClient[Any], url: str = "/ui/login") -> str:
    response = client.get(url)
    assert response.status_code == 200, response.text
    found = _CSRF.search(response.text)
    assert found, f"no CSRF token on {url}"
    return found.group(1)


def log_in(client: TestClient[Any], login: str, password: str | None = None) -> Any:
    token = csrf_of(client)
    return client.post(
        "/ui/login",
        data={"login": login, "password": password or PASSWORDS[login], "_csrf": token},
        follow_redirects=False,
    )


def post_form(
    client: TestClient[Any], url: str, data: dict[str, Any], page: str | None = None
) -> Any:
    """POST `data` with the CSRF token of the session (read from `page`, default `url`)."""
    token = csrf_of(client, page or url)
    return client.post(url, data={**data, "_csrf": token}, follow_redirects=False)
