"""`switchboard keys create|list|revoke`: API keys for channel gateways.

A new key is printed once; only its SHA-256 is written to the keys file.
"""

from __future__ import annotations

import argparse
import sys

from switchboard.proposals.history import parse_person
from switchboard.proposals.model import ROLES
from switchboard.settings import Settings, SettingsError
from switchboard.web.apikeys import SCOPES, KeyFileError, create_key, read_keys, revoke_key


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="switchboard keys", description=__doc__)
    parser.add_argument("--file", help="the keys file (default: SWITCHBOARD_API_KEYS_FILE)")
    sub = parser.add_subparsers(dest="action", required=True)
    create = sub.add_parser("create", help="mint a key and print it once")
    create.add_argument("name", help="who uses the key, e.g. email-gateway")
    create.add_argument(
        "--scopes",
        nargs="+",
        choices=SCOPES,
        default=["inquiries:write"],
        help="what the key may do (default: inquiries:write)",
    )
    create.add_argument("--user", help='the person acting with the key: "Name <e-mail>"')
    create.add_argument("--roles", nargs="+", choices=ROLES, default=[], help="proposal roles")
    sub.add_parser("list", help="show the names and scopes of all keys")
    revoke = sub.add_parser("revoke", help="delete a key by name")
    revoke.add_argument("name")
    return parser


def main(argv: list[str]) -> int:
    args = _parser().parse_args(argv)
    try:
        path = Settings.from_env(api_keys_file=args.file).keys_path
        if args.action == "create":
            user = parse_person(args.user) if args.user else None
            if args.user and user is None:
                raise KeyFileError(f'--user must read "Name <e-mail>" (got {args.user!r})')
            key = create_key(
                path,
                args.name,
                list(dict.fromkeys(args.scopes)),
                (user.name, user.email) if user else None,
                args.roles,
            )
            print(key)
            print(f"key {args.name!r} added to {path}; it is shown only this once", file=sys.stderr)
        elif args.action == "list":
            for entry in read_keys(path):
                print(f"{entry.name}\t{','.join(sorted(entry.scopes))}\t{entry.created_at}")
        elif not revoke_key(path, args.name):
            print(f"switchboard keys: no key named {args.name!r} in {path}", file=sys.stderr)
            return 1
    except (SettingsError, KeyFileError) as exc:
        print(f"switchboard keys: {exc}", file=sys.stderr)
        return 2
    return 0
