"""`switchboard <command> ...`: dispatches to one module per command under `commands/`.

Each command module owns its argument parser and exposes `main(argv) -> int`. Modules are
imported only when their command runs, so `switchboard validate` starts fast.
"""

from __future__ import annotations

import importlib
import sys

from switchboard import __version__

COMMANDS: dict[str, str] = {
    "validate": "check a rules repository (a git revision or plain files)",
    "test": "run a rules repository's test cases through the engine",
    "route": "decide one inquiry and print the Decision as JSON",
    "classify": "classify JSON lines from a file, one result line per input",
    "serve": "run the HTTP API (gateway API, admin UI, health)",
    "keys": "create, list or revoke API keys for channel gateways",
    "gateway": "run a channel gateway: email (SMTP), voice or sms (Twilio webhooks), chat",
    "demo": "run the demo: demo ERP, its HTTP facade and the server on the demo rules",
    "demo-erp": "create or serve the demo ERP database",
    "reviews": "list the rules files due for review, with owner, due date and reason",
    "users": "add, list or remove the users of the admin UI and set their passwords",
    "rollback": "restore an earlier approved revision as a new commit on the approved branch",
    "analyze": "prove the no-automatic-answer guarantees; find shadowed and overlapping rules",
    "replay": "replay recorded inquiries through two revisions and show what would change",
}


def _usage() -> str:
    width = max(map(len, COMMANDS))
    lines = [f"  {name:<{width}}  {text}" for name, text in COMMANDS.items()]
    return (
        "usage: switchboard <command> [options]\n\ncommands:\n"
        + "\n".join(lines)
        + ("\n\nRun `switchboard <command> --help` for a command's options.")
    )


def main(argv: list[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    if not args or args[0] in {"-h", "--help", "help"}:
        print(_usage())
        return 0 if args else 2
    if args[0] == "--version":
        print(f"switchboard {__version__}")
        return 0
    name, rest = args[0], args[1:]
    if name not in COMMANDS:
        print(f"switchboard: unknown command {name!r}\n\n{_usage()}", file=sys.stderr)
        return 2
    module = importlib.import_module(f"switchboard.commands.{name.replace('-', '_')}")
    result: int = module.main(rest)
    return result


if __name__ == "__main__":
    sys.exit(main())
