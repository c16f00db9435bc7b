"""API keys for channel gateways: a JSON file of names, scopes and key hashes.

Only the SHA-256 of a key is stored. A slow, salted hash (scrypt, PBKDF2) protects guessable
passwords; our keys are 256 random bits minted by `new_key`, so no dictionary or brute-force
search can reach them and a fast unsalted hash loses nothing, while letting every request be
checked in microseconds. Hashes are compared with `hmac.compare_digest` (constant time).

The file is re-read when it changes (checked at most once a second), so a key minted or revoked
with `switchboard keys` takes effect without a restart.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
import logging
import os
import secrets
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from switchboard.proposals.model import ROLES, Person
from switchboard.watched import WatchedFile

SCOPES: tuple[str, ...] = (
    "inquiries:write",
    "inquiries:dry_run",
    "conversations:read",
    "conversations:write",
    "proposals:read",
    "proposals:write",
    "admin",
)
KEY_PREFIX = "sb_"
_RECHECK_S = 1.0

log = logging.getLogger("switchboard.apikeys")


class KeyFileError(Exception):
    """The keys file cannot be read or a key cannot be created; the message says why."""


@dataclass(frozen=True, slots=True)
class ApiKey:
    name: str
    scopes: frozenset[str]
    sha256: str
    created_at: str = ""
    user: tuple[str, str] | None = None  # (name, e-mail) of the person acting with this key
    roles: frozenset[str] = frozenset()

    def allows(self, scope: str | None) -> bool:
        """`admin` allows everything; `:write` also allows dry runs and reads; None = any key."""
        if scope is None or "admin" in self.scopes or scope in self.scopes:
            return True
        implied = {
            "inquiries:dry_run": "inquiries:write",
            "proposals:read": "proposals:write",
            "conversations:read": "conversations:write",
        }
        return implied.get(scope) in self.scopes


def new_key() -> str:
    return KEY_PREFIX + secrets.token_urlsafe(32)


def hash_key(key: str) -> str:
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


def read_keys(path: Path) -> list[ApiKey]:
    """The keys in `path`; a missing file holds no keys; a malformed one is an error."""
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return []
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise KeyFileError(f"{path}: cannot read the API keys file: {exc}") from None
    entries = raw.get("keys") if isinstance(raw, dict) else None
    if not isinstance(entries, list):
        raise KeyFileError(f'{path}: expected an object with a "keys" list')
    return [_parse(path, i, entry) for i, entry in enumerate(entries)]


def _parse(path: Path, index: int, entry: Any) -> ApiKey:
    where = f"{path}: keys[{index}]"
    if not isinstance(entry, dict):
        raise KeyFileError(f"{where} is not an object")
    name, scopes, digest = entry.get("name"), entry.get("scopes"), entry.get("sha256")
    if not isinstance(name, str) or not name:
        raise KeyFileError(f"{where} needs a name")
    if not isinstance(scopes, list) or not all(s in SCOPES for s in scopes):
        raise KeyFileError(f"{where} ({name}): scopes must be a list of {', '.join(SCOPES)}")
    if not isinstance(digest, str) or len(digest) != 64:
        raise KeyFileError(f"{where} ({name}): sha256 must be 64 hex digits")
    user, roles = entry.get("user"), entry.get("roles", [])
    if user is not None and not (
        isinstance(user, dict) and all(isinstance(user.get(k), str) for k in ("name", "email"))
    ):
        raise KeyFileError(f'{where} ({name}): user must be {{"name": ..., "email": ...}}')
    if user is not None:
        _check_user(f"{where} ({name})", (user["name"], user["email"]))
    if not isinstance(roles, list) or not all(r in ROLES for r in roles):
        raise KeyFileError(f"{where} ({name}): roles must be a list of {', '.join(ROLES)}")
    return ApiKey(
        name,
        frozenset(scopes),
        digest.lower(),
        str(entry.get("created_at", "")),
        (user["name"], user["email"]) if user else None,
        frozenset(roles),
    )


def write_keys(path: Path, keys: list[ApiKey]) -> None:
    """Replace the file in one rename, readable by its owner only."""
    path.parent.mkdir(parents=True, exist_ok=True)
    doc = {"keys": [_entry(k) for k in keys]}
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as out:
        json.dump(doc, out, indent=2)
        out.write("\n")
    os.replace(tmp, path)


def _entry(key: ApiKey) -> dict[str, Any]:
    entry: dict[str, Any] = {
        "name": key.name,
        "scopes": sorted(key.scopes),
        "sha256": key.sha256,
        "created_at": key.created_at,
    }
    if key.user:
        entry["user"] = {"name": key.user[0], "email": key.user[1]}
    if key.roles:
        entry["roles"] = sorted(key.roles)
    return entry


def _check_user(where: str, user: tuple[str, str]) -> None:
    try:
        Person.checked(*user)
    except ValueError as exc:
        raise KeyFileError(f"{where}: the user needs {exc}") from None


def create_key(
    path: Path,
    name: str,
    scopes: list[str],
    user: tuple[str, str] | None = None,
    roles: list[str] | None = None,
) -> str:
    """Add a key named `name` and return it; the key itself is shown once and never stored.

    `user` (name, e-mail) and `roles` make the key act as a person in the proposal workflow.
    """
    unknown = sorted(set(scopes) - set(SCOPES))
    if unknown or not scopes:
        raise KeyFileError(f"scopes must be some of {', '.join(SCOPES)} (got {scopes})")
    if set(roles or []) - set(ROLES):
        raise KeyFileError(f"roles must be some of {', '.join(ROLES)} (got {roles})")
    if user is not None:
        _check_user(name, user)
    keys = read_keys(path)
    if any(k.name == name for k in keys):
        raise KeyFileError(f"a key named {name!r} already exists in {path}")
    key = new_key()
    created = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
    keys.append(
        ApiKey(name, frozenset(scopes), hash_key(key), created, user, frozenset(roles or []))
    )
    write_keys(path, keys)
    return key


def revoke_key(path: Path, name: str) -> bool:
    keys = read_keys(path)
    kept = [k for k in keys if k.name != name]
    if len(kept) == len(keys):
        return False
    write_keys(path, kept)
    return True


class KeyStore:
    """The keys of one file, re-read when the file changes."""

    def __init__(self, path: Path, recheck_s: float = _RECHECK_S) -> None:
        self.path = path
        self._file = WatchedFile(
            path, _read_tuple, KeyFileError, what="API keys", log=log, recheck_s=recheck_s
        )

    def __len__(self) -> int:
        return len(self._file.value)

    def check(self, presented: str) -> ApiKey | None:
        """The key whose hash matches `presented`, or None."""
        digest = hash_key(presented)
        found = None
        for key in self._file.value:  # every key is compared: timing says nothing of position
            if hmac.compare_digest(digest, key.sha256):
                found = key
        return found


def _read_tuple(path: Path) -> tuple[ApiKey, ...]:
    return tuple(read_keys(path))
