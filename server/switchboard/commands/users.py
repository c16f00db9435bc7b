"""`switchboard users add|list|remove|password`: the local users of the admin UI.

Passwords are read from standard input with `--password-stdin` (one line), or made up and
printed once. Only an Argon2id hash is stored, in the users file (SWITCHBOARD_USERS_FILE,
default users.json in the data directory).
"""

from __future__ import annotations

import argparse
import sys

from switchboard.proposals.model import ROLES
from switchboard.settings import Settings, SettingsError
from switchboard.users.model import UserError
from switchboard.users.passwords import WeakPassword, new_password
from switchboard.users.store import add_user, read_users, remove_user, set_password


def _roles(text: str) -> list[str]:
    roles = [r.strip() for r in text.split(",") if r.strip()]
    unknown = [r for r in roles if r not in ROLES]
    if unknown or not roles:
        raise argparse.ArgumentTypeError(f"roles are some of {','.join(ROLES)} (got {text!r})")
    return list(dict.fromkeys(roles))


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="switchboard users", description=__doc__)
    parser.add_argument("--file", help="the users file (default: SWITCHBOARD_USERS_FILE)")
    sub = parser.add_subparsers(dest="action", required=True)
    add = sub.add_parser("add", help="add a user")
    add.add_argument("login", help="the login name, e.g. erika")
    add.add_argument("--email", required=True, help="e-mail address, used in commits")
    add.add_argument("--name", default="", help="full name shown in reviews (default: login)")
    add.add_argument("--roles", required=True, type=_roles, help="e.g. editor or editor,reviewer")
    add.add_argument("--password-stdin", action="store_true", help="read the password from stdin")
    sub.add_parser("list", help="show every user with roles")
    remove = sub.add_parser("remove", help="delete a user")
    remove.add_argument("login")
    password = sub.add_parser("password", help="set a new password")
    password.add_argument("login")
    password.add_argument("--password-stdin", action="store_true")
    return parser


def main(argv: list[str]) -> int:
    args = _parser().parse_args(argv)
    try:
        path = Settings.from_env(users_file=args.file).users_path
        if args.action == "list":
            for user in read_users(path):
                print(
                    f"{user.login}\t{user.email}\t{','.join(sorted(user.roles))}\t{user.full_name}"
                )
        elif args.action == "remove":
            if not remove_user(path, args.login):
                print(f"switchboard users: no user {args.login!r} in {path}", file=sys.stderr)
                return 1
        else:
            password, made_up = _password(args.password_stdin)
            if args.action == "add":
                add_user(path, args.login, args.email, args.roles, password, args.name)
            else:
                set_password(path, args.login, password)
            if made_up:
                print(password)
                print(f"the password of {args.login!r} is shown only this once", file=sys.stderr)
            else:
                print(f"saved {args.login!r} in {path}", file=sys.stderr)
    except (SettingsError, UserError, WeakPassword) as exc:
        print(f"switchboard users: {exc}", file=sys.stderr)
        return 2
    return 0


def _password(from_stdin: bool) -> tuple[str, bool]:
    if not from_stdin:
        return new_password(), True
    line = sys.stdin.readline()
    return line.rstrip("\r\n"), False
