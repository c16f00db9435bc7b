"""Shared pieces of the bad-input tests (no tests here): the real app on a copy of the demo
rules in a temp git repository and a demo ERP, served by uvicorn on 127.0.0.1 in a thread."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
import uvicorn

from conversations_support import DEMO_RULES, demo_erp, erp_environ, rules_cache
from repo_helpers import make_repo
from switchboard.app import create_app
from switchboard.proposals.model import ROLES
from switchboard.settings import Settings
from switchboard.web.apikeys import SCOPES, create_key

HOST = "127.0.0.1"
PERSON = ("Anna Berger", "anna.berger@nordwerk.example")


@dataclass
class Served:
    base: str
    headers: dict[str, str]  # an admin key acting as a person: every route is reachable
    data_dir: Path
    erp: Path
    rules: Path


def demo_files() -> dict[str, str | bytes | None]:
    return {
        str(path.relative_to(DEMO_RULES)): path.read_bytes()
        for path in sorted(DEMO_RULES.rglob("*"))
        if path.is_file()
    }


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        port: int = sock.getsockname()[1]
        return port


@contextmanager
def served_demo(factory: pytest.TempPathFactory, name: str, **more: object) -> Iterator[Served]:
    tmp = factory.mktemp(name)
    rules = make_repo(tmp / "rules", demo_files())
    erp = demo_erp(tmp)
    settings = Settings(
        rules_path=rules, data_dir=tmp / "var", cache_dir=rules_cache(factory), **more
    )
    key = create_key(settings.keys_path, "fuzz", list(SCOPES), user=PERSON, roles=list(ROLES))
    app = create_app(settings, environ=erp_environ(erp))
    port = free_port()
    config = uvicorn.Config(app, host=HOST, port=port, log_level="warning", access_log=False)
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, name="badinput-server", daemon=True)
    thread.start()
    base = f"http://{HOST}:{port}"
    try:
        deadline = time.monotonic() + 300
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"{base}/ready", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            assert thread.is_alive(), "the server stopped"
            time.sleep(0.1)
        else:
            raise AssertionError("the demo rules did not go live in time")
        headers = {"X-API-Key": key}
        yield Served(base, headers, settings.data_dir, erp, rules)
    finally:
        server.should_exit = True
        thread.join(30)
