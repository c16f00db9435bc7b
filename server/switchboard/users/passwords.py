"""Password hashing with Argon2id (argon2-cffi).

Argon2id is memory-hard, so guessing a leaked hash costs an attacker memory as well as time,
and it has no length limit (bcrypt silently ignores everything after 72 bytes). The default
parameters are argon2-cffi's, RFC 9106's low-memory profile; a hash made with older parameters
is upgraded at the next successful login (`needs_rehash`).
"""

from __future__ import annotations

import secrets

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

MIN_LENGTH = 10
MAX_LENGTH = 1024

_hasher = PasswordHasher()
# Checked when the login name is unknown, so a wrong name takes as long as a wrong password.
_DUMMY = _hasher.hash(secrets.token_urlsafe(16))


class WeakPassword(ValueError):
    """The password is too short or too long; the message says which."""


def check_strength(password: str) -> None:
    if len(password) < MIN_LENGTH:
        raise WeakPassword(f"a password needs at least {MIN_LENGTH} characters")
    if len(password) > MAX_LENGTH:
        raise WeakPassword(f"a password may have at most {MAX_LENGTH} characters")


def hash_password(password: str) -> str:
    check_strength(password)
    return _hasher.hash(password)


def verify(stored: str | None, password: str) -> bool:
    """True when `password` matches the hash `stored`; None (no such user) is never a match."""
    if len(password) > MAX_LENGTH:
        return False
    try:
        return _hasher.verify(stored or _DUMMY, password) and stored is not None
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def needs_rehash(stored: str) -> bool:
    try:
        return _hasher.check_needs_rehash(stored)
    except InvalidHashError:
        return True


def new_password() -> str:
    """A random password of 16 URL-safe characters (96 bits)."""
    return secrets.token_urlsafe(12)
