"""Login sessions in a signed cookie: who is logged in, since when, until when.

The cookie holds `{login, nonce, issued, expires, pw}` as base64 JSON with an HMAC-SHA256
signature; nothing is kept on the server, so several workers share sessions through the key
file alone. `pw` is a short digest of the user's password hash: a new password ends every
older session. The nonce is the session's secret for CSRF tokens; a login starts a new one.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import os
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

KEY_FILE = "ui-session-key"


@dataclass(frozen=True, slots=True)
class Session:
    login: str  # "" before login: the session only carries the CSRF nonce
    nonce: str
    issued: int
    expires: int
    pw: str = ""


def password_tag(password_hash: str) -> str:
    return hashlib.sha256(password_hash.encode()).hexdigest()[:16]


class Sessions:
    def __init__(self, key: bytes, lifetime_s: int, clock: Callable[[], float] = time.time) -> None:
        self._key = key
        self.lifetime_s = lifetime_s
        self.clock = clock

    def new(self, login: str = "", pw: str = "") -> Session:
        now = int(self.clock())
        return Session(login, secrets.token_urlsafe(16), now, now + self.lifetime_s, pw)

    def encode(self, session: Session) -> str:
        body = json.dumps(
            [session.login, session.nonce, session.issued, session.expires, session.pw],
            separators=(",", ":"),
        ).encode()
        payload = base64.urlsafe_b64encode(body).decode().rstrip("=")
        return f"{payload}.{self._sign(payload)}"

    def decode(self, cookie: str | None) -> Session | None:
        """The session in `cookie`, or None when it is missing, forged or expired."""
        if not cookie or len(cookie) > 2048 or "." not in cookie:
            return None
        payload, _, signature = cookie.rpartition(".")
        if not hmac.compare_digest(signature, self._sign(payload)):
            return None
        try:
            body = base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4))
            login, nonce, issued, expires, pw = json.loads(body)
        except (binascii.Error, ValueError, TypeError):
            return None
        if not all(isinstance(v, str) for v in (login, nonce, pw)):
            return None
        if not (isinstance(issued, int) and isinstance(expires, int)):
            return None
        if expires <= self.clock():
            return None
        return Session(login, nonce, issued, expires, pw)

    def csrf_token(self, session: Session) -> str:
        return self._sign(f"csrf:{session.nonce}")

    def _sign(self, text: str) -> str:
        digest = hmac.new(self._key, text.encode(), hashlib.sha256).digest()
        return base64.urlsafe_b64encode(digest).decode().rstrip("=")


def load_key(data_dir: Path) -> bytes:
    """The signing key in the data directory, made on first use (readable by its owner only)."""
    path = data_dir / KEY_FILE
    data_dir.mkdir(parents=True, exist_ok=True)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        pass
    else:
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            out.write(secrets.token_hex(32) + "\n")
    for _ in range(50):  # another worker may be writing it this very moment
        text = path.read_text(encoding="utf-8").strip()
        if len(text) == 64:
            return bytes.fromhex(text)
        time.sleep(0.02)
    raise ValueError(f"{path} does not hold a session key (64 hex digits); delete it to renew")
