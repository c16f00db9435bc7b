"""A real Switchboard for the browser tests: `switchboard serve` on a free port, on a git copy
of the demo rules (followed by the reloader), with the demo ERP and its HTTP facade, two users
made with `switchboard users add` and an API key made with `switchboard keys create`.

Playwright drives Debian's Chromium (`apt-get install chromium`); it never downloads a browser.
Without Chromium these tests are skipped, saying why; under .ci/run, which installs it, they
fail instead.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from browser_support import PASSWORDS, Stack

from switchboard.demo_erp.database import sqlite_dsn
from switchboard.resources import resource_dir
from switchboard.users.demo import ensure_demo_repo

CHROMIUM = os.environ.get("CHROMIUM_PATH") or shutil.which("chromium") or "/usr/bin/chromium"
FLAGS = [
    "--no-sandbox",
    "--headless",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
READY_TIMEOUT_S = 300  # the first start trains the classifier of the demo rules


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    if not Path(CHROMIUM).exists():
        reason = f"no Chromium at {CHROMIUM}: apt-get install chromium"
        if os.environ.get("SWITCHBOARD_REQUIRE_SYSTEM_PROGRAMS"):  # set by .ci/run
            raise pytest.UsageError(f"{reason} (.ci/run should have installed it)")
        skip = pytest.mark.skip(reason=reason)
        for item in items:
            if "browser" in str(item.path):
                item.add_marker(skip)


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict[str, Any]) -> dict[str, Any]:
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM,
        "args": [*browser_type_launch_args.get("args", []), *FLAGS],
    }


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args: dict[str, Any]) -> dict[str, Any]:
    return {**browser_context_args, "viewport": {"width": 1280, "height": 900}}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def cli(
    *args: str, stdin: str | None = None, env: dict[str, str] | None = None, cwd: Path | None = None
) -> str:
    done = subprocess.run(
        [sys.executable, "-m", "switchboard.cli", *args],
        input=stdin,
        capture_output=True,
        text=True,
        env=env,
        cwd=cwd,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


def wait_for(url: str, proc: subprocess.Popen[bytes], log: Path, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise AssertionError(f"{proc.args} stopped:\n{log.read_text()[-3000:]}")
        with contextlib.suppress(httpx.TransportError):
            response = httpx.get(url, timeout=2)
            if response.status_code == 200:
                return
            if "load_failed" in response.text:
                raise AssertionError(f"the rules did not load:\n{log.read_text()[-3000:]}")
        time.sleep(0.25)
    raise AssertionError(f"{url} was not ready within {timeout} s:\n{log.read_text()[-3000:]}")


def start(
    args: list[str], log: Path, env: dict[str, str], cwd: Path | None = None
) -> subprocess.Popen[bytes]:
    with log.open("ab") as out:
        return subprocess.Popen(
            [sys.executable, "-m", "switchboard.cli", *args],
            stdout=out,
            stderr=subprocess.STDOUT,
            env=env,
            cwd=cwd,
        )


@pytest.fixture(scope="session")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    root = tmp_path_factory.mktemp("stack")
    data = root / "data"
    env = {k: v for k, v in os.environ.items() if not k.startswith("SWITCHBOARD_")}
    # Relative, as in `make demo`: the server and the CLI run in `root`, and every path the
    # server makes (worktrees, stores, the rules repository) must work from there.
    env["SWITCHBOARD_DATA_DIR"] = "data"
    db = root / "erp.sqlite"
    cli("demo-erp", "init", "--path", str(db), env=env)
    token = secrets.token_urlsafe(16)
    erp_port, port = free_port(), free_port()
    processes = []
    try:
        facade = start(
            ["demo-erp", "serve", "--path", str(db), "--port", str(erp_port), "--token", token],
            root / "erp.log",
            env,
        )
        processes.append(facade)
        wait_for(f"http://127.0.0.1:{erp_port}/healthz", facade, root / "erp.log", 60)
        repo = ensure_demo_repo(data, resource_dir("rules-repo"))
        for login, name, role in (
            ("erika", "Erika Neumann", "editor"),
            ("rolf", "Rolf Brandt", "reviewer"),
        ):
            cli(
                "users",
                "add",
                login,
                "--email",
                f"{login}@nordwerk.example",
                "--name",
                name,
                "--roles",
                role,
                "--password-stdin",
                stdin=PASSWORDS[login] + "\n",
                env=env,
                cwd=root,
            )
        key = cli(
            "keys", "create", "gateway", "--scopes", "inquiries:write", env=env, cwd=root
        ).strip()
        server_env = {
            **env,
            "SWITCHBOARD_ERP_DSN": sqlite_dsn(db),
            "SWITCHBOARD_ERP_API_URL": f"http://127.0.0.1:{erp_port}/api/v1",
            "SWITCHBOARD_ERP_API_TOKEN": token,
            "SWITCHBOARD_UI_COOKIE_SECURE": "false",
        }
        rules = str(repo.relative_to(root))
        server = start(
            ["serve", "--rules", rules, "--port", str(port), "--no-access-log"],
            root / "serve.log",
            server_env,
            cwd=root,
        )
        processes.append(server)
        base = f"http://127.0.0.1:{port}"
        wait_for(f"{base}/ready", server, root / "serve.log", READY_TIMEOUT_S)
        yield Stack(base, key, repo, data, processes)
    finally:
        for proc in reversed(processes):
            proc.terminate()
            try:
                proc.wait(15)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()


@pytest.fixture(scope="session")
def base_url(stack: Stack) -> str:
    return stack.base
