"""A real PostgreSQL server for the tests: a throwaway cluster in a temp dir on a free port.

`initdb` and `pg_ctl` are taken from PATH, else from Debian's /usr/lib/postgresql/<version>/bin
(`ci/postgres.sh` installs them). Without them a test that needs the server is skipped. As root
the server runs as the `postgres` user, since PostgreSQL refuses to run as root.
"""

from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
import tempfile
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def _programs() -> tuple[str, str] | None:
    initdb, pg_ctl = shutil.which("initdb"), shutil.which("pg_ctl")
    if initdb and pg_ctl:
        return initdb, pg_ctl
    for folder in sorted(glob.glob("/usr/lib/postgresql/*/bin"), key=_version, reverse=True):
        initdb, pg_ctl = f"{folder}/initdb", f"{folder}/pg_ctl"
        if os.access(initdb, os.X_OK) and os.access(pg_ctl, os.X_OK):
            return initdb, pg_ctl
    return None


def _version(folder: str) -> tuple[int, ...]:
    number = Path(folder).parent.name
    return tuple(int(part) for part in number.split(".") if part.isdigit())


def available() -> bool:
    """The server programs are here (and, as root, the means to run them as postgres)."""
    return _programs() is not None and (os.geteuid() != 0 or shutil.which("runuser") is not None)


def _as_postgres(command: list[str]) -> list[str]:
    """PostgreSQL refuses to run as root; a root test run starts it as the postgres user."""
    return ["runuser", "-u", "postgres", "--", *command] if os.geteuid() == 0 else command


class Server:
    """`durable=False` (tests) turns fsync off; a bench wants the server as deployed."""

    def __init__(self, *, durable: bool = False) -> None:
        self.durable = durable
        programs = _programs()
        if programs is None or not available():
            missing = "PostgreSQL server programs are not installed"
            if os.environ.get("SWITCHBOARD_REQUIRE_SYSTEM_PROGRAMS"):  # set by .ci/run
                pytest.fail(f"{missing}, though .ci/run installed them")
            pytest.skip(missing)
        initdb, self.pg_ctl = programs
        self.dir = Path(tempfile.mkdtemp(prefix="switchboard-pg-"))
        if os.geteuid() == 0:
            shutil.chown(self.dir, "postgres")
        self.data = self.dir / "data"
        self.port = free_port()
        init = [initdb, "-D", str(self.data), "-U", "postgres", "--auth=trust", "-E", "UTF8"]
        self._run(init)
        self.start()
        self.dsn = self.url("postgres")

    def start(self) -> None:
        options = f"-p {self.port} -k {self.dir} -c listen_addresses=127.0.0.1"
        options += "" if self.durable else " -c fsync=off"
        log = str(self.dir / "server.log")
        self._run([self.pg_ctl, "-D", str(self.data), "-o", options, "-l", log, "-w", "start"])

    def halt(self) -> None:
        """Stop the server as a crash would (no clean shutdown); `start` brings it back."""
        self._run([self.pg_ctl, "-D", str(self.data), "-m", "immediate", "-w", "stop"])

    def url(self, database: str) -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/{database}"

    def create_database(self, prefix: str = "t") -> str:
        """A new, empty database; returns its URL."""
        import psycopg

        name = f"{prefix}_{uuid.uuid4().hex[:12]}"
        with psycopg.connect(self.dsn, autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')  # type: ignore[arg-type]
        return self.url(name)

    @staticmethod
    def _run(command: list[str]) -> None:
        done = subprocess.run(_as_postgres(command), capture_output=True, text=True, timeout=120)
        if done.returncode != 0:
            raise RuntimeError(f"{command[0]} failed: {done.stderr or done.stdout}")

    def stop(self) -> None:
        subprocess.run(
            _as_postgres([self.pg_ctl, "-D", str(self.data), "-m", "immediate", "stop"]),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            timeout=60,
        )
        shutil.rmtree(self.dir, ignore_errors=True)


def running_server() -> Iterator[Server]:
    """Body of a fixture: a server for the fixture's scope, stopped at its end."""
    pytest.importorskip("psycopg")
    pytest.importorskip("psycopg_pool")
    server = Server()
    try:
        yield server
    finally:
        server.stop()
