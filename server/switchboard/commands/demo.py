"""`switchboard demo`: the demo ERP, its HTTP facade and the API on the demo rules, in one go.

Creates var/demo-erp.sqlite if it is missing, starts the facade as a child process on a free
local port, points the connectors at both, makes sure a demo API key exists (kept in
var/demo-api-key so later runs can print it again) and serves the API until Ctrl-C.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import secrets
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx

from switchboard.settings import Settings, SettingsError
from switchboard.web.apikeys import SCOPES, KeyStore, create_key, revoke_key

DEMO_KEY_NAME = "demo"
EXAMPLE_INQUIRY = {
    "channel": "email",
    "subject": "Order SO4500123",
    "text": "Hello, where is our order SO4500123? Kind regards, Petra Lange",
    "identifiers": {"email": "einkauf@hydro-kraft.example"},
}


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="switchboard demo", description=__doc__)
    parser.add_argument("--data-dir", type=Path, help="where the demo keeps its files (var/)")
    parser.add_argument("--host", help="address of the API (default 127.0.0.1)")
    parser.add_argument("--port", type=int, help="port of the API (default 8000)")
    return parser


def main(argv: list[str]) -> int:
    args = _parser().parse_args(argv)
    from switchboard.resources import resource_dir

    try:
        settings = Settings.from_env(
            rules_path=resource_dir("rules-repo"),
            rules_rev=None,
            data_dir=args.data_dir,
            host=args.host,
            port=args.port,
        )
    except (SettingsError, FileNotFoundError) as exc:
        print(f"switchboard demo: {exc}", file=sys.stderr)
        return 2
    if settings.rules_rev:
        settings = settings.model_copy(update={"rules_rev": None})  # the demo rules are files
    try:
        return _run(settings)
    except KeyboardInterrupt:  # Ctrl-C before the server took over the signal
        return 130


def _run(settings: Settings) -> int:
    from switchboard.commands.serve import run
    from switchboard.demo_erp.database import sqlite_dsn

    db = ensure_database(settings.data_dir / "demo-erp.sqlite")
    token = secrets.token_urlsafe(24)
    with erp_facade(db, token, settings.data_dir / "demo-erp.log") as erp_url:
        os.environ["SWITCHBOARD_ERP_DSN"] = sqlite_dsn(db)
        os.environ["SWITCHBOARD_ERP_API_URL"] = erp_url
        os.environ["SWITCHBOARD_ERP_API_TOKEN"] = token
        key = ensure_demo_key(settings)
        settings, users = _with_admin_ui(settings)
        text = banner(settings, key, erp_url)  # the UI lines go right after the key
        print(text.replace("\nTry it:", _ui_banner(settings, users) + "\nTry it:", 1), flush=True)
        return run(settings)


def _with_admin_ui(settings: Settings) -> tuple[Settings, list[tuple[str, str, str]]]:
    """The demo users, and rules in a git copy the admin UI can change (plain HTTP here)."""
    from switchboard.users.demo import ensure_demo_repo, ensure_demo_users

    assert settings.rules_path is not None
    repo = ensure_demo_repo(settings.data_dir, settings.rules_path)
    users = ensure_demo_users(settings.users_path, settings.data_dir)
    update = {"rules_path": repo, "ui_cookie_secure": False}
    return settings.model_copy(update=update), users


def _ui_banner(settings: Settings, users: list[tuple[str, str, str]]) -> str:
    logins = "\n".join(f"    {login:<8} {password}   ({role})" for login, password, role in users)
    return f"  admin UI       http://{settings.host}:{settings.port}/ui/\n  demo logins\n{logins}\n"


def ensure_database(db: Path) -> Path:
    from switchboard.demo_erp.database import build_database

    if not db.exists():
        counts = build_database(db)
        print(f"created the demo ERP database {db} ({counts.get('orders', 0)} orders)")
    return db


@contextlib.contextmanager
def erp_facade(db: Path, token: str, log: Path) -> Iterator[str]:
    """Run `switchboard demo-erp serve` on a free port; yields its API base URL."""
    port = free_port()
    argv = [sys.executable, "-m", "switchboard.cli", "demo-erp", "serve", "--path", str(db)]
    argv += ["--host", "127.0.0.1", "--port", str(port), "--token", token]
    log.parent.mkdir(parents=True, exist_ok=True)
    with log.open("ab") as out:
        proc = subprocess.Popen(argv, stdout=out, stderr=subprocess.STDOUT)
    try:
        wait_for(f"http://127.0.0.1:{port}/healthz", proc, log)
        yield f"http://127.0.0.1:{port}/api/v1"
    finally:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def wait_for(url: str, proc: subprocess.Popen[bytes], log: Path, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"switchboard demo: the demo ERP facade stopped; see {log}")
        with contextlib.suppress(httpx.TransportError):
            if httpx.get(url, timeout=1).status_code == 200:
                return
        time.sleep(0.1)
    raise SystemExit(f"switchboard demo: the demo ERP facade did not start; see {log}")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def ensure_demo_key(settings: Settings) -> str:
    """The demo key, kept readable in the data dir so every demo run can print it."""
    saved = settings.data_dir / "demo-api-key"
    keys_file = settings.keys_path
    if saved.exists():
        key = saved.read_text(encoding="utf-8").strip()
        if KeyStore(keys_file).check(key) is not None:
            return key
    revoke_key(keys_file, DEMO_KEY_NAME)  # a demo key whose text was lost is useless
    key = create_key(keys_file, DEMO_KEY_NAME, list(SCOPES))
    fd = os.open(saved, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as out:
        out.write(key + "\n")
    return key


def banner(settings: Settings, key: str, erp_url: str) -> str:
    base = f"http://{settings.host}:{settings.port}"
    body = json.dumps(EXAMPLE_INQUIRY, ensure_ascii=False)
    return f"""
Switchboard demo
  API            {base}   (OpenAPI: {base}/schema)
  demo ERP       {erp_url}
  rules          {settings.rules_path}
  demo API key   {key}

Try it:
  curl -s {base}/v1/inquiries \\
    -H 'Authorization: Bearer {key}' \\
    -H 'Content-Type: application/json' \\
    -d '{body}'

Press Ctrl-C to stop.
"""
