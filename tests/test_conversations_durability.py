"""kill -9 in the middle of a load: every inquiry the server acknowledged (2xx) is stored.

`switchboard serve` runs as a real process on a free port; a few threads send a bounded load
of inquiries, each with a unique `metadata.probe`; the server is killed with SIGKILL while
requests are in flight, restarted on the same data directory, and the store is counted.
"""

from __future__ import annotations

import os
import signal
import socket
import sqlite3
import subprocess
import sys
import threading
import time
import uuid
from contextlib import closing
from pathlib import Path

import httpx
import pytest

from conversations_support import DEMO_RULES, HYDRO_EMAIL, THAMES_PHONE, demo_erp, rules_cache
from switchboard.conversations.wiring import DATABASE_FILE
from switchboard.demo_erp.database import sqlite_dsn
from switchboard.web.apikeys import create_key

TOTAL = 300  # requests at most
THREADS = 4
KILL_AFTER = 60  # acknowledged inquiries before the kill
TEXTS = [
    ("Where is my order SO4500123?", {"email": HYDRO_EMAIL}),
    ("and when will it arrive?", {"phone": "+49 621 5550123"}),
    ("Status of SO4500456 please", {"phone": THAMES_PHONE}),
    ("Do you sell bicycles?", {"email": "nobody@nowhere.example"}),
]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


class Server:
    def __init__(self, data_dir: Path, env: dict[str, str], log: Path) -> None:
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        argv = [sys.executable, "-m", "switchboard.cli", "serve", "--rules", str(DEMO_RULES)]
        argv += ["--port", str(self.port), "--data-dir", str(data_dir), "--no-access-log"]
        with log.open("ab") as sink:
            self.proc = subprocess.Popen(argv, env=env, stdout=sink, stderr=subprocess.STDOUT)
        self.log = log

    def wait_ready(self, timeout: float = 300) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            assert self.proc.poll() is None, self.log.read_text()[-3000:]
            try:
                if httpx.get(f"{self.base}/ready", timeout=2).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            time.sleep(0.3)
        raise AssertionError(f"not ready:\n{self.log.read_text()[-3000:]}")

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGINT)
            try:
                self.proc.wait(30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(10)


class Load:
    """Bounded load from a few threads; remembers the probes that got a 2xx."""

    def __init__(self, base: str, key: str) -> None:
        self.base, self.headers = base, {"Authorization": f"Bearer {key}"}
        self.lock = threading.Lock()
        self.sent = 0
        self.acked: list[tuple[str, str, str]] = []  # (probe, decision_id, conversation_id)
        self.refused = 0
        self.acked_enough = threading.Event()

    def _next(self) -> int | None:
        with self.lock:
            if self.sent >= TOTAL:
                return None
            self.sent += 1
            return self.sent

    def run(self) -> None:
        with httpx.Client(base_url=self.base, headers=self.headers, timeout=30) as client:
            while (n := self._next()) is not None:
                text, identifiers = TEXTS[n % len(TEXTS)]
                probe = uuid.uuid4().hex
                body = {"channel": "email", "text": text, "identifiers": identifiers}
                body["metadata"] = {"probe": probe}
                try:
                    response = client.post("/v1/inquiries", json=body)
                except httpx.TransportError:
                    return  # the server is gone
                with self.lock:
                    if 200 <= response.status_code < 300:
                        decision = response.json()
                        ids = (decision["decision_id"], decision["conversation_id"])
                        self.acked.append((probe, *ids))
                        if len(self.acked) >= KILL_AFTER:
                            self.acked_enough.set()
                    else:
                        self.refused += 1


def stored_probes(db: Path) -> dict[str, str | None]:
    """probe -> decision id of its stored decision (None: inbound message without one)."""
    with closing(sqlite3.connect(f"file:{db}?mode=ro", uri=True)) as conn:
        found = conn.execute(
            "SELECT json_extract(m.metadata, '$.probe'), d.id FROM messages m "
            "LEFT JOIN decisions d ON d.id = m.decision_id WHERE m.direction = 'inbound'"
        ).fetchall()
    return {probe: decision for probe, decision in found}


@pytest.mark.slow
def test_every_acknowledged_inquiry_survives_kill_9(
    tmp_path: Path, tmp_path_factory: pytest.TempPathFactory
) -> None:
    data_dir, log = tmp_path / "var", tmp_path / "serve.log"
    erp = demo_erp(tmp_path)
    key = create_key(data_dir / "api-keys.json", "gateway", ["inquiries:write"])
    reader = create_key(data_dir / "api-keys.json", "reader", ["conversations:read"])
    env = {k: v for k, v in os.environ.items() if not k.startswith("SWITCHBOARD_")}
    env |= {
        "SWITCHBOARD_ERP_DSN": sqlite_dsn(erp),
        "SWITCHBOARD_CACHE_DIR": str(rules_cache(tmp_path_factory)),
        "SWITCHBOARD_LOG_LEVEL": "warning",
    }
    server = Server(data_dir, env, log)
    try:
        server.wait_ready()
        load = Load(server.base, key)
        threads = [threading.Thread(target=load.run) for _ in range(THREADS)]
        for thread in threads:
            thread.start()
        assert load.acked_enough.wait(120), f"only {len(load.acked)} acknowledged"
        server.proc.send_signal(signal.SIGKILL)
        server.proc.wait(10)
        for thread in threads:
            thread.join(60)
    finally:
        server.stop()
    assert server.proc.returncode == -signal.SIGKILL
    assert load.sent < TOTAL, "the kill came after the load had finished"

    restarted = Server(data_dir, env, log)
    try:
        restarted.wait_ready()
        stored = stored_probes(data_dir / DATABASE_FILE)
        missing = [probe for probe, _, _ in load.acked if probe not in stored]
        assert not missing, f"{len(missing)} of {len(load.acked)} acknowledged were lost"
        assert all(stored[probe] == decision for probe, decision, _ in load.acked)
        assert None not in stored.values()  # no inbound message without its decision
        print(
            f"\nsent {load.sent}, acknowledged {len(load.acked)}, refused {load.refused}, "
            f"stored {len(stored)} (at most {len(stored) - len(load.acked)} unacknowledged)"
        )
        _, last_decision, last_conversation = load.acked[-1]
        response = httpx.get(
            f"{restarted.base}/v1/conversations/{last_conversation}",
            headers={"Authorization": f"Bearer {reader}"},
            timeout=10,
        )
        assert response.status_code == 200, response.text
        assert last_decision in [d["decision_id"] for d in response.json()["decisions"]]
    finally:
        restarted.stop()
    assert restarted.proc.returncode == 0, log.read_text()[-3000:]
    assert "Traceback" not in log.read_text()
