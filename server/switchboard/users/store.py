"""The users file: JSON with login, name, e-mail, roles and an Argon2 hash per user.

Written in one rename, readable by its owner only. `UserStore` re-reads the file when it
changes (checked at most once a second), so `switchboard users add` takes effect at once.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import os
from dataclasses import replace
from pathlib import Path
from typing import Any

from switchboard.users.model import User, UserError, checked_user
from switchboard.users.passwords import hash_password
from switchboard.watched import WatchedFile

log = logging.getLogger("switchboard.users")
_RECHECK_S = 1.0


def read_users(path: Path) -> list[User]:
    """The users in `path`; a missing file holds none; a malformed one is a UserError."""
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return []
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise UserError(f"{path}: cannot read the users file: {exc}") from None
    entries = raw.get("users") if isinstance(raw, dict) else None
    if not isinstance(entries, list):
        raise UserError(f'{path}: expected an object with a "users" list')
    return [_parse(path, i, entry) for i, entry in enumerate(entries)]


def _parse(path: Path, index: int, entry: Any) -> User:
    where = f"{path}: users[{index}]"
    if not isinstance(entry, dict):
        raise UserError(f"{where} is not an object")
    texts = {k: entry.get(k) for k in ("login", "name", "email", "password", "created_at")}
    roles = entry.get("roles")
    if not all(isinstance(v, str) for k, v in texts.items() if v is not None or k == "login"):
        raise UserError(f"{where}: login, name, email and password must be text")
    if not isinstance(roles, list) or not all(isinstance(r, str) for r in roles):
        raise UserError(f"{where}: roles must be a list")
    try:
        login, person, role_set = checked_user(
            str(texts["login"]), str(texts["name"] or ""), str(texts["email"] or ""), roles
        )
    except UserError as exc:
        raise UserError(f"{where}: {exc}") from None
    return User(
        login,
        person.name,
        person.email,
        role_set,
        str(texts["password"] or ""),
        str(texts["created_at"] or ""),
    )


def write_users(path: Path, users: list[User]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    doc = {"users": [_entry(u) for u in users]}
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as out:
        json.dump(doc, out, indent=2, ensure_ascii=False)
        out.write("\n")
    os.replace(tmp, path)


def _entry(user: User) -> dict[str, Any]:
    return {
        "login": user.login,
        "name": user.full_name,
        "email": user.email,
        "roles": sorted(user.roles),
        "password": user.password_hash,
        "created_at": user.created_at,
    }


def add_user(
    path: Path, login: str, email: str, roles: list[str], password: str, full_name: str = ""
) -> User:
    """Add a user; UserError when the login or e-mail address is taken or a value is bad."""
    login, person, role_set = checked_user(login, full_name, email, roles)
    users = read_users(path)
    if any(u.login == login for u in users):
        raise UserError(f"a user {login!r} already exists in {path}")
    if any(u.person.key == person.key for u in users):
        raise UserError(f"another user already has the e-mail address {person.email}")
    created = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
    hashed = hash_password(password) if password else ""
    user = User(login, person.name, person.email, role_set, hashed, created)
    write_users(path, [*users, user])
    return user


def set_password(path: Path, login: str, password: str) -> User:
    users = read_users(path)
    found = next((u for u in users if u.login == login), None)
    if found is None:
        raise UserError(f"there is no user {login!r} in {path}")
    changed = replace(found, password_hash=hash_password(password))
    write_users(path, [changed if u.login == login else u for u in users])
    return changed


def remove_user(path: Path, login: str) -> bool:
    users = read_users(path)
    kept = [u for u in users if u.login != login]
    if len(kept) == len(users):
        return False
    write_users(path, kept)
    return True


class UserStore:
    """The users of one file, re-read when the file changes; lookups by login or e-mail."""

    def __init__(self, path: Path, recheck_s: float = _RECHECK_S) -> None:
        self.path = path
        self._file = WatchedFile(
            path, _users_by_login, UserError, what="users", log=log, recheck_s=recheck_s
        )

    def __len__(self) -> int:
        return len(self._file.value)

    def get(self, login: str) -> User | None:
        return self._file.value.get(login)

    def find(self, name_or_email: str) -> User | None:
        """The user with this login or (any case) e-mail address."""
        users = self._file.value
        wanted = name_or_email.strip()
        found = users.get(wanted)
        if found is None:
            key = wanted.lower()
            found = next((u for u in users.values() if u.person.key == key), None)
        return found

    def replace_hash(self, login: str, password_hash: str) -> None:
        """Store an upgraded hash of the same password (after a successful login)."""
        with self._file.lock:
            users = read_users(self.path)
            updated = [
                replace(u, password_hash=password_hash) if u.login == login else u for u in users
            ]
            write_users(self.path, updated)
        self.reload()

    def reload(self) -> None:
        """Read the file now, not at the next look (after a change made in this process)."""
        self._file.refresh(force=True)


def _users_by_login(path: Path) -> dict[str, User]:
    return {user.login: user for user in read_users(path)}
