"""A local user: who they are (for commits and reviews) and what they may do."""

from __future__ import annotations

import re
from dataclasses import dataclass

from switchboard.proposals.model import ROLES, Actor, Person

LOGIN = re.compile(r"^[a-z][a-z0-9._-]{0,63}$")


class UserError(ValueError):
    """A user cannot be created, read or changed; the message says why."""


@dataclass(frozen=True, slots=True)
class User:
    login: str
    full_name: str
    email: str
    roles: frozenset[str]
    password_hash: str = ""  # empty: no password login (e.g. only through the SSO proxy)
    created_at: str = ""

    @property
    def person(self) -> Person:
        return Person(self.full_name, self.email)

    @property
    def actor(self) -> Actor:
        return Actor(self.person, self.roles)

    @property
    def first_name(self) -> str:
        return self.full_name.split()[0] if self.full_name.split() else self.login

    def has(self, role: str) -> bool:
        return self.actor.has(role)


def checked_user(
    login: str, full_name: str, email: str, roles: list[str] | frozenset[str]
) -> tuple[str, Person, frozenset[str]]:
    """The login, the person and the roles, or UserError saying what is wrong."""
    if not LOGIN.match(login):
        raise UserError(
            f"the login name {login!r} must be lower-case letters, digits, '.', '_' or '-', "
            "starting with a letter (at most 64 characters)"
        )
    unknown = sorted(set(roles) - set(ROLES))
    if unknown or not roles:
        raise UserError(f"roles must be some of {', '.join(ROLES)} (got {sorted(roles)})")
    try:
        person = Person.checked(full_name or login, email)
    except ValueError as exc:
        raise UserError(f"the user needs {exc}") from None
    return login, person, frozenset(roles)
