"""Reload under load: a real `switchboard serve` process answers a bounded loopback load of
routine and non-routine inquiries while 50 approved commits land on its branch.

Every request must succeed, every decision must name an approved revision, and its content
must carry that revision's own marker (a decision built from two revisions would not).
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from switchboard.web.apikeys import create_key
from test_api_serve import free_port, wait_ready
from test_reload_support import (
    COMPLAINT,
    ROUTINE,
    check_decision,
    make_erp,
    make_marked_repo,
    marked,
    marker,
    plumb_commit,
    wait_for,
)

COMMITS = 50
THREADS = 4
REQUESTS = 1500
COMMIT_GAP_S = 0.1


@pytest.fixture
def served(tmp_path: Path) -> Iterator[dict[str, Any]]:
    root, first = make_marked_repo(tmp_path / "rules")
    db = make_erp(tmp_path / "erp.sqlite")
    data = tmp_path / "var"
    gw = create_key(data / "api-keys.json", "gw", ["inquiries:write"])
    ops = create_key(data / "api-keys.json", "ops", ["admin"])
    port = free_port()
    env = {
        **os.environ,
        "SWITCHBOARD_ERP_DSN": f"sqlite:///{db}",
        "SWITCHBOARD_RELOAD_POLL_S": "0.25",
        "SWITCHBOARD_LOG_LEVEL": "info",
    }
    argv = [sys.executable, "-m", "switchboard.cli", "serve", "--rules", str(root)]
    argv += ["--port", str(port), "--data-dir", str(data), "--no-access-log"]
    proc = subprocess.Popen(
        argv, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )
    base = f"http://127.0.0.1:{port}"
    try:
        wait_ready(base, proc)
        yield {"base": base, "root": root, "first": first, "gw": gw, "ops": ops, "proc": proc}
    finally:
        proc.send_signal(signal.SIGINT)
        output, _ = proc.communicate(timeout=30)
        assert "Traceback" not in output, output[-4000:]


def _load(base: str, key: str, count: int, out: list[Any]) -> None:
    with httpx.Client(base_url=base, headers={"X-API-Key": key}, timeout=30) as client:
        for n in range(count):
            inquiry = ROUTINE if n % 2 == 0 else COMPLAINT
            try:
                response = client.post("/v1/inquiries/dry-run", json=inquiry)
            except httpx.HTTPError as exc:
                out.append(f"{type(exc).__name__}: {exc}")
                continue
            out.append(response.json() if response.status_code == 200 else response.text)


@pytest.mark.slow
def test_fifty_commits_land_while_serving(served: dict[str, Any]) -> None:
    root: Path = served["root"]
    markers = {served["first"]: marker(0)}
    commits: list[str] = []

    def land_commits() -> None:
        for n in range(1, COMMITS + 1):
            sha = plumb_commit(root, marked(n), f"Marker {n}")
            markers[sha] = marker(n)
            commits.append(sha)
            time.sleep(COMMIT_GAP_S)

    results: list[list[Any]] = [[] for _ in range(THREADS)]
    workers = [
        threading.Thread(
            target=_load, args=(served["base"], served["gw"], REQUESTS // THREADS, out)
        )
        for out in results
    ]
    committer = threading.Thread(target=land_commits)
    started = time.monotonic()
    for thread in [committer, *workers]:
        thread.start()
    for thread in [committer, *workers]:
        thread.join(timeout=120)
    elapsed = time.monotonic() - started
    answers = [answer for out in results for answer in out]
    assert len(answers) == REQUESTS
    failed = [a for a in answers if not isinstance(a, dict)]
    assert failed == [], failed[:5]
    wrong = [why for a in answers if (why := check_decision(a, markers))]
    assert wrong == [], wrong[:5]
    seen = {a["revision"] for a in answers}
    assert len(seen) >= 2, "no new revision went live during the load"

    with httpx.Client(base_url=served["base"], headers={"X-API-Key": served["ops"]}) as client:
        status = wait_for(
            lambda: client.get("/v1/status").json(),
            lambda s: s["revision"] == commits[-1],
            timeout=60,
            what="the last commit",
        )
    counts = status["reload"]["counts"]
    assert counts.get("failed", 0) == 0
    print(
        f"\n{REQUESTS} requests in {elapsed:.1f} s while {COMMITS} commits landed: "
        f"{len(seen)} revisions answered, {counts['went_live']} went live, "
        f"{counts['builds']} builds; last build {status['reload']['last_build']['timings_s']}"
    )
