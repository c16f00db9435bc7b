"""Two `switchboard serve` replicas on one PostgreSQL database, as behind a load balancer.

Both follow one git remote (a bare repository playing the forge) through their own mirrors and
share the demo ERP. A push and the reload webhook sent to each replica take both to the new
revision, which each shows in /v1/status. Then a bounded load, spread over both, runs while one
replica is killed with SIGKILL; every inquiry a replica acknowledged is stored exactly once,
whole (message and decision), on the approved revision.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from conversations_support import DEMO_RULES, HYDRO_EMAIL, THAMES_PHONE, demo_erp, rules_cache
from pg_support import Server, free_port, running_server
from repo_helpers import git, make_repo
from switchboard.demo_erp.database import sqlite_dsn
from switchboard.web.apikeys import create_key

pytestmark = pytest.mark.slow
psycopg = pytest.importorskip("psycopg")

TOTAL, THREADS, KILL_AFTER = 200, 4, 70  # requests at most; acknowledged before the kill
TEXTS = [  # the first two continue one conversation, whichever replica takes them
    ("Where is my order SO4500123?", {"email": HYDRO_EMAIL}),
    ("Any news on SO4500123? We still wait.", {"email": HYDRO_EMAIL}),
    ("Status of SO4500456 please", {"phone": THAMES_PHONE}),
    ("Do you sell bicycles?", {"email": "nobody@nowhere.example"}),
]
SIGNATURE = "snippets/signature.yaml"


@pytest.fixture(scope="module")
def pg_server() -> Iterator[Server]:
    yield from running_server()


class Replica:
    def __init__(self, name: str, env: dict[str, str], work: Path) -> None:
        self.name, self.port = name, free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.log = work / f"{name}.log"
        argv = [sys.executable, "-m", "switchboard.cli", "serve", "--no-access-log"]
        argv += ["--port", str(self.port), "--data-dir", str(work / name)]
        with self.log.open("ab") as sink:
            self.proc = subprocess.Popen(argv, env=env, stdout=sink, stderr=subprocess.STDOUT)

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
        raise AssertionError(f"{self.name} not ready:\n{self.log.read_text()[-3000:]}")

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGINT)
            try:
                self.proc.wait(30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(10)


class Load:
    """A bounded load over both replicas, round robin; a replica that stops answering is taken
    out of the rotation (as a load balancer's health check would), and nothing is retried."""

    def __init__(self, replicas: list[Replica], key: str) -> None:
        self.replicas, self.headers = replicas, {"Authorization": f"Bearer {key}"}
        self.lock = threading.Lock()
        self.sent = 0
        self.down: set[str] = set()
        self.acked: dict[str, tuple[str, str, str]] = {}  # probe -> replica, decision, revision
        self.failed = 0  # no answer: the replica was killed before or while it took the request
        self.refused: dict[int, int] = {}  # answers other than 200, by status
        self.acked_enough = threading.Event()

    def _next(self) -> tuple[int, Replica] | None:
        with self.lock:
            live = [r for r in self.replicas if r.name not in self.down]
            if self.sent >= TOTAL or not live:
                return None
            self.sent += 1
            return self.sent, live[self.sent % len(live)]

    def run(self) -> None:
        with httpx.Client(headers=self.headers, timeout=30) as client:
            while (turn := self._next()) is not None:
                n, replica = turn
                text, identifiers = TEXTS[n % len(TEXTS)]
                probe = uuid.uuid4().hex
                body = {"channel": "email", "text": text, "identifiers": identifiers}
                body["metadata"] = {"probe": probe}
                try:
                    response = client.post(f"{replica.base}/v1/inquiries", json=body)
                except httpx.TransportError:
                    with self.lock:
                        self.down.add(replica.name)
                        self.failed += 1
                    continue
                with self.lock:
                    if response.status_code != 200:
                        code = response.status_code
                        self.refused[code] = self.refused.get(code, 0) + 1
                        continue
                    decision = response.json()
                    self.acked[probe] = (
                        replica.name,
                        decision["decision_id"],
                        decision["revision"],
                    )
                    if len(self.acked) >= KILL_AFTER:
                        self.acked_enough.set()


def rules_remote(work: Path) -> tuple[Path, Path]:
    """A work repository with the demo rules, and its bare clone as the shared remote."""
    files = {
        str(path.relative_to(DEMO_RULES)): path.read_bytes()
        for path in sorted(DEMO_RULES.rglob("*"))
        if path.is_file()
    }
    repo = make_repo(work / "rules", files)
    forge = work / "forge.git"
    git(work, "clone", "--quiet", "--bare", str(repo), str(forge))
    return repo, forge


def stored(url: str) -> dict[str, list[tuple[str | None, str | None]]]:
    """probe -> [(decision id, its revision)] of every inbound message stored with that probe."""
    with psycopg.connect(url) as conn:
        found = conn.execute(
            "SELECT m.metadata->>'probe', d.id, d.revision FROM messages m "
            "LEFT JOIN decisions d ON d.id = m.decision_id WHERE m.direction = 'inbound'"
        ).fetchall()
    out: dict[str, list[tuple[str | None, str | None]]] = {}
    for probe, decision, revision in found:
        out.setdefault(probe, []).append((decision, revision))
    return out


def status(replica: Replica, key: str) -> dict[str, Any]:
    response = httpx.get(f"{replica.base}/v1/status", headers={"X-API-Key": key}, timeout=10)
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def wait_revision(replica: Replica, key: str, revision: str, timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while (live := status(replica, key).get("revision")) != revision:
        assert time.monotonic() < deadline, f"{replica.name} still serves {live}"
        time.sleep(0.2)


def test_two_replicas_share_the_store_and_follow_one_ref(
    tmp_path: Path, tmp_path_factory: pytest.TempPathFactory, pg_server: Server
) -> None:
    url = pg_server.create_database("replicas")
    repo, forge = rules_remote(tmp_path)
    keys = tmp_path / "api-keys.json"  # the same keys file on every replica (a mounted secret)
    gateway = create_key(keys, "gateway", ["inquiries:write"])
    admin = create_key(keys, "ops", ["admin"])
    env = {k: v for k, v in os.environ.items() if not k.startswith("SWITCHBOARD_")}
    env |= {
        "SWITCHBOARD_DATABASE_URL": url,
        "SWITCHBOARD_RULES_REMOTE": str(forge),
        "SWITCHBOARD_REMOTE_POLL_S": "3600",  # only the webhook makes them fetch
        "SWITCHBOARD_API_KEYS_FILE": str(keys),
        "SWITCHBOARD_ERP_DSN": sqlite_dsn(demo_erp(tmp_path)),
        "SWITCHBOARD_CACHE_DIR": str(rules_cache(tmp_path_factory)),
        "SWITCHBOARD_LOG_LEVEL": "warning",
    }
    replicas = [Replica("a", env, tmp_path), Replica("b", env, tmp_path)]  # start together
    try:
        for replica in replicas:
            replica.wait_ready()
        first = git(repo, "rev-parse", "HEAD")
        assert [status(r, admin)["revision"] for r in replicas] == [first, first]

        text = (repo / SIGNATURE).read_text()
        assert "last_reviewed: 2026-07-06" in text
        (repo / SIGNATURE).write_text(text.replace("2026-07-06", "2026-07-07"))
        git(repo, "commit", "-q", "-am", "Signature reviewed again")
        git(repo, "push", "--quiet", str(forge), "main")
        second = git(repo, "rev-parse", "HEAD")
        for replica in replicas:  # the webhook, fanned out to every replica
            reload = httpx.post(
                f"{replica.base}/v1/admin/reload", headers={"X-API-Key": admin}, timeout=10
            )
            assert reload.status_code == 202, reload.text
        for replica in replicas:
            wait_revision(replica, admin, second)

        load = Load(replicas, gateway)
        threads = [threading.Thread(target=load.run) for _ in range(THREADS)]
        for thread in threads:
            thread.start()
        assert load.acked_enough.wait(180), f"only {len(load.acked)} acknowledged"
        killed = replicas[0]
        killed.proc.send_signal(signal.SIGKILL)
        killed.proc.wait(10)
        for thread in threads:
            thread.join(180)
    finally:
        for replica in replicas:
            replica.stop()
    assert killed.proc.returncode == -signal.SIGKILL
    assert load.sent == TOTAL and load.failed >= 1, "the kill came after the load had finished"
    assert load.refused == {}, "a replica refused inquiries"
    by_replica = [name for name, _, _ in load.acked.values()]
    assert by_replica.count("a") >= 10 and by_replica.count("b") >= 10

    found = stored(url)
    for probe, (name, decision, revision) in load.acked.items():
        assert found.get(probe) == [(decision, second)], f"{probe} from {name}: {found.get(probe)}"
        assert revision == second
    assert all(len(rows) == 1 for rows in found.values())  # nothing stored twice
    assert all(decision is not None for rows in found.values() for decision, _ in rows)
    unacked = len(found) - len(load.acked)
    assert 0 <= unacked <= load.failed
    print(
        f"\nsent {load.sent}, acknowledged {len(load.acked)} (a {by_replica.count('a')}, "
        f"b {by_replica.count('b')}), failed {load.failed}, stored {len(found)}"
    )
    for replica in replicas:
        assert "Traceback" not in replica.log.read_text(), replica.log.read_text()[-3000:]
    assert replicas[1].proc.returncode == 0
