"""`switchboard serve` as a real process on a free port, called over real HTTP."""

from __future__ import annotations

import os
import signal
import socket
import sqlite3
import subprocess
import sys
import time
from contextlib import closing
from pathlib import Path

import httpx
import pytest

from repo_helpers import make_repo
from switchboard.web.apikeys import create_key

ERP = """
CREATE TABLE customers (customer_id TEXT PRIMARY KEY, name TEXT, email TEXT UNIQUE);
CREATE TABLE orders (order_no TEXT PRIMARY KEY, status TEXT, customer_id TEXT);
INSERT INTO customers VALUES ('C10023', 'Hydro-Kraft GmbH', 'einkauf@hydro-kraft.example');
INSERT INTO orders VALUES ('SO4500123', 'in_production', 'C10023');
"""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def wait_ready(base: str, proc: subprocess.Popen[str], timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        assert proc.poll() is None, f"serve exited with {proc.returncode}"
        try:
            if httpx.get(f"{base}/ready", timeout=2).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.2)
    raise AssertionError("the server did not become ready")


@pytest.mark.slow
def test_serve_answers_over_http_and_stops_cleanly(tmp_path: Path) -> None:
    root = make_repo(tmp_path / "rules")
    db = tmp_path / "erp.sqlite"
    with closing(sqlite3.connect(db)) as conn:
        conn.executescript(ERP)
    data = tmp_path / "var"
    key = create_key(data / "api-keys.json", "email-gateway", ["inquiries:write"])
    port = free_port()
    env = {**os.environ, "SWITCHBOARD_ERP_DSN": f"sqlite:///{db}", "SWITCHBOARD_LOG_LEVEL": "info"}
    argv = [sys.executable, "-m", "switchboard.cli", "serve", "--rules", str(root)]
    argv += ["--port", str(port), "--data-dir", str(data)]
    proc = subprocess.Popen(
        argv, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )
    try:
        base = f"http://127.0.0.1:{port}"
        wait_ready(base, proc)
        with httpx.Client(base_url=base, timeout=10) as client:
            assert client.get("/health").json() == {"status": "ok"}
            inquiry = {
                "channel": "sms",
                "text": "Where is my order SO4500123?",
                "identifiers": {"email": "einkauf@hydro-kraft.example"},
            }
            refused = client.post("/v1/inquiries", json=inquiry)
            assert refused.status_code == 401
            assert refused.json()["error"]["code"] == "unauthorized"
            answer = client.post("/v1/inquiries", json=inquiry, headers={"X-API-Key": key})
            assert answer.status_code == 200, answer.text
            decision = answer.json()
            assert decision["outcome"] == "auto_reply"
            assert decision["reply"]["body"] == "Order SO4500123: in_production"
    finally:
        proc.send_signal(signal.SIGINT)
        output, _ = proc.communicate(timeout=30)
    assert proc.returncode == 0, output
    assert "serving revision" in output
    assert "Traceback" not in output
