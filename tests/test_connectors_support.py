"""Shared pieces of the connector tests: the demo connectors, a demo ERP file, a real facade.

No tests here.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

import yaml

from switchboard.demo_erp.database import build_database, sqlite_dsn
from switchboard.demo_erp.generate import utc_today
from switchboard.rules.model import Connector
from switchboard.rules.parts import connector as compile_connector

ROOT = Path(__file__).resolve().parent.parent
CONNECTORS_DIR = ROOT / "rules-repo" / "connectors"
TOKEN = "test-token-7f3a"
# The day the test databases are built for; the well-known records' dates are relative to it.
TODAY = utc_today()


def day(offset: int) -> dt.date:
    return TODAY + dt.timedelta(days=offset)


def load_connector(path: Path) -> Connector:
    """A connector file compiled the way the rules loader compiles it."""
    return compile_connector(yaml.safe_load(path.read_text()))


def demo_connectors(**changes: Any) -> dict[str, Connector]:
    """erp and logistics from the demo rules repository, each with `changes` applied."""
    connectors = {}
    for path in sorted(CONNECTORS_DIR.glob("*.yaml")):
        connector = dataclasses.replace(load_connector(path), **changes)
        connectors[connector.id] = connector
    return connectors


def env_for(db: Path, api_url: str = "http://127.0.0.1:9/api/v1") -> dict[str, str]:
    return {
        "SWITCHBOARD_ERP_DSN": sqlite_dsn(db),
        "SWITCHBOARD_ERP_API_URL": api_url,
        "SWITCHBOARD_ERP_API_TOKEN": TOKEN,
    }


def build_demo(directory: Path) -> Path:
    """A demo ERP database (seed 7, built for TODAY) in `directory`."""
    path = directory / "demo-erp.sqlite"
    build_database(path, seed=7, today=TODAY)
    return path


def copy_db(source: Path, directory: Path) -> Path:
    """A private copy of a database, for a test that changes it."""
    path = directory / "erp.sqlite"
    shutil.copyfile(source, path)
    return path


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


class Facade:
    """The demo ERP facade as a real server process on 127.0.0.1."""

    def __init__(self, db: Path, *, faults: bool = True, token: str = TOKEN) -> None:
        self.port = free_port()
        self.token = token
        self.base = f"http://127.0.0.1:{self.port}"
        self.api_url = f"{self.base}/api/v1"
        command = [sys.executable, "-m", "switchboard.cli", "demo-erp", "serve"]
        command += ["--path", str(db), "--port", str(self.port), "--token", token]
        command += ["--faults"] if faults else []
        self.process = subprocess.Popen(
            command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, env=dict(os.environ)
        )
        self._wait_ready()

    def _wait_ready(self) -> None:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                output = self.process.stdout.read().decode() if self.process.stdout else ""
                raise RuntimeError(f"facade exited: {output}")
            try:
                with urllib.request.urlopen(f"{self.base}/healthz", timeout=1) as response:
                    if response.status == 200:
                        return
            except OSError:
                time.sleep(0.1)
        raise RuntimeError("facade did not start within 30 s")

    def call(self, method: str, path: str, body: Any = None, token: str | None = None) -> Any:
        data = json.dumps(body).encode() if body is not None else None
        request = urllib.request.Request(self.base + path, data=data, method=method)
        request.add_header("Authorization", f"Bearer {token or self.token}")
        request.add_header("Content-Type", "application/json")
        try:
            with urllib.request.urlopen(request, timeout=10) as response:
                return response.status, json.loads(response.read() or b"null")
        except urllib.error.HTTPError as error:
            return error.code, json.loads(error.read() or b"null")

    def arm(self, mode: str, count: int = 1, delay_ms: int = 0) -> None:
        status, _ = self.call(
            "POST", "/_test/faults", {"mode": mode, "count": count, "delay_ms": delay_ms}
        )
        assert status == 200

    def reset(self) -> None:
        assert self.call("DELETE", "/_test/faults")[0] == 200

    def hits(self) -> tuple[int, list[str]]:
        _, body = self.call("GET", "/_test/hits")
        return body["hits"], body["paths"]

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        if self.process.stdout:
            self.process.stdout.close()
