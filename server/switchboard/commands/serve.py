"""`switchboard serve`: run the HTTP API under uvicorn (one worker unless told otherwise)."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from switchboard.settings import Settings, SettingsError, describe


def _parser() -> argparse.ArgumentParser:
    rows = "\n".join(
        f"  {name}  (default: {default or '-'})\n      {text}" for name, default, text in describe()
    )
    parser = argparse.ArgumentParser(
        prog="switchboard serve",
        description="Run the HTTP API. Options override the environment variables below.",
        epilog="settings (environment variables):\n" + rows,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--rules", type=Path, help="the rules repository (SWITCHBOARD_RULES_PATH)")
    parser.add_argument("--rev", help="the git revision to serve (SWITCHBOARD_RULES_REV)")
    parser.add_argument("--host", help="address to listen on (SWITCHBOARD_HOST)")
    parser.add_argument("--port", type=int, help="port to listen on (SWITCHBOARD_PORT)")
    parser.add_argument("--data-dir", type=Path, help="the data directory (SWITCHBOARD_DATA_DIR)")
    parser.add_argument("--workers", type=int, default=1, help="worker processes (default 1)")
    parser.add_argument("--no-access-log", action="store_true", help="do not log every request")
    return parser


def main(argv: list[str]) -> int:
    args = _parser().parse_args(argv)
    if args.workers < 1:
        print("switchboard serve: --workers must be at least 1", file=sys.stderr)
        return 2
    try:
        settings = Settings.from_env(
            rules_path=args.rules,
            rules_rev=args.rev,
            host=args.host,
            port=args.port,
            data_dir=args.data_dir,
        )
    except SettingsError as exc:
        print(f"switchboard serve: {exc}", file=sys.stderr)
        return 2
    return run(settings, workers=args.workers, access_log=not args.no_access_log)


def run(settings: Settings, *, workers: int = 1, access_log: bool = True) -> int:
    """Serve until interrupted; 2 when the settings cannot start a server."""
    import uvicorn

    from switchboard.app import create_app
    from switchboard.observability.logging import uvicorn_log_config

    try:
        app = create_app(settings)  # checks everything a worker would, before forking
    except SettingsError as exc:
        print(f"switchboard serve: {exc}", file=sys.stderr)
        return 2
    factory = workers > 1  # each worker builds its own app from the environment
    if factory:
        os.environ.update(settings.to_env())
    uvicorn.run(
        "switchboard.app:app_from_env" if factory else app,
        factory=factory,
        workers=workers,
        host=settings.host,
        port=settings.port,
        log_level=settings.log_level,
        access_log=access_log,
        log_config=uvicorn_log_config(settings.log_level, settings.log_format),
        timeout_graceful_shutdown=10,
    )
    return 0
