"""`switchboard demo-erp init|serve`: the demo ERP database and its HTTP facade."""

from __future__ import annotations

import argparse
import datetime as dt
import os
import secrets
import sys
from pathlib import Path

DEFAULT_PATH = Path("var/demo-erp.sqlite")
TOKEN_SETTING = "SWITCHBOARD_ERP_API_TOKEN"


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="switchboard demo-erp", description="Create or serve the demo ERP database."
    )
    commands = parser.add_subparsers(dest="action", required=True)
    init = commands.add_parser("init", help="create the demo database from a seed")
    init.add_argument("--path", type=Path, default=DEFAULT_PATH, help="database file to create")
    init.add_argument("--seed", type=int, default=7, help="random seed (default 7)")
    init.add_argument(
        "--today",
        type=dt.date.fromisoformat,
        default=None,
        help="the day the data is built for, YYYY-MM-DD (default: today, UTC)",
    )
    init.add_argument("--force", action="store_true", help="replace an existing file")
    serve = commands.add_parser("serve", help="serve the HTTP facade over the database")
    serve.add_argument("--path", type=Path, default=DEFAULT_PATH, help="database file to serve")
    serve.add_argument("--host", default="127.0.0.1", help="address to listen on")
    serve.add_argument("--port", type=int, default=8765, help="TCP port (default 8765)")
    serve.add_argument(
        "--token", default=None, help=f"bearer token clients must send (default: ${TOKEN_SETTING})"
    )
    serve.add_argument("--faults", action="store_true", help="mount the fault injection hooks")
    return parser


def main(argv: list[str]) -> int:
    args = _parser().parse_args(argv)
    from switchboard.demo_erp.database import DemoErpError

    try:
        return _init(args) if args.action == "init" else _serve(args)
    except DemoErpError as error:
        print(f"switchboard demo-erp: {error}", file=sys.stderr)
        return 1


def _init(args: argparse.Namespace) -> int:
    from switchboard.demo_erp.database import build_database

    counts = build_database(args.path, seed=args.seed, today=args.today, force=args.force)
    summary = ", ".join(
        f"{count} {table}" for table, count in counts.items() if table != "erp_info"
    )
    print(f"created {args.path}: {summary}")
    return 0


def _serve(args: argparse.Namespace) -> int:
    from switchboard.demo_erp.api import serve

    token = args.token or os.environ.get(TOKEN_SETTING, "")
    if not token:
        token = secrets.token_urlsafe(24)
        print(f"no --token and no ${TOKEN_SETTING}: using the generated token {token}")
    print(f"demo ERP facade on http://{args.host}:{args.port}/api/v1 (database {args.path})")
    sys.stdout.flush()
    serve(args.path, host=args.host, port=args.port, token=token, faults=args.faults)
    return 0
