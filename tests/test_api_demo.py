"""`switchboard demo` as a real process: demo ERP, facade, key, banner, answers, Ctrl-C."""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

from switchboard.commands.demo import EXAMPLE_INQUIRY

LOAD_TIMEOUT_S = 240  # the demo rules train a classifier on first load


@dataclass
class Demo:
    base: str
    key: str
    banner: str
    data_dir: Path

    def ask(self, text: str, email: str, channel: str = "email") -> dict[str, Any]:
        body = {"channel": channel, "text": text, "identifiers": {"email": email}}
        response = httpx.post(
            f"{self.base}/v1/inquiries",
            json=body,
            headers={"Authorization": f"Bearer {self.key}"},
            timeout=30,
        )
        assert response.status_code == 200, response.text
        decision: dict[str, Any] = response.json()
        return decision


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def facade_pids(root: Path) -> list[int]:
    """Processes serving a demo ERP from `root`, the demo's working directory (found through
    /proc, Linux only)."""
    pids = []
    for cmdline in Path("/proc").glob("[0-9]*/cmdline"):
        try:
            argv = cmdline.read_bytes().split(b"\0")
            cwd = os.readlink(cmdline.parent / "cwd")
        except OSError:
            continue
        if b"demo-erp" in argv and (cwd == str(root) or str(root).encode() in b" ".join(argv)):
            pids.append(int(cmdline.parent.name))
    return pids


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Demo]:
    tmp = tmp_path_factory.mktemp("demo")
    data_dir, out = tmp / "var", tmp / "demo.out"
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("SWITCHBOARD_")}
    # As `make demo` runs it: in the project folder, with the default data directory `var`.
    argv = [sys.executable, "-m", "switchboard.cli", "demo", "--port", str(port)]
    with out.open("wb") as sink:
        proc = subprocess.Popen(argv, env=env, cwd=tmp, stdout=sink, stderr=subprocess.STDOUT)
    try:
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + LOAD_TIMEOUT_S
        while time.monotonic() < deadline:
            assert proc.poll() is None, out.read_text()
            try:
                if httpx.get(f"{base}/ready", timeout=2).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            time.sleep(0.5)
        else:
            raise AssertionError(f"the demo was not ready:\n{out.read_text()[-3000:]}")
        assert facade_pids(tmp), "the demo ERP facade is not running"
        banner = out.read_text()
        key = re.search(r"demo API key\s+(sb_\S+)", banner)
        assert key, banner
        yield Demo(base, key.group(1), banner, data_dir)
    finally:
        proc.send_signal(signal.SIGINT)
        proc.wait(30)
    assert proc.returncode == 0, out.read_text()[-3000:]
    assert not facade_pids(tmp), "the demo ERP facade outlived the demo"
    assert "Traceback" not in out.read_text()


# The conversation store remembers contacts: from the third routine question in seven days a
# customer gets a person. So each test below asks as a different customer, at most twice.


@pytest.mark.slow
def test_banner_shows_a_working_key_and_curl_example(demo: Demo) -> None:
    assert (demo.data_dir / "demo-erp.sqlite").is_file()
    assert (demo.data_dir / "demo-api-key").read_text().strip() == demo.key
    assert f"curl -s {demo.base}/v1/inquiries" in demo.banner
    assert f"Authorization: Bearer {demo.key}" in demo.banner
    example = demo.ask(EXAMPLE_INQUIRY["text"], EXAMPLE_INQUIRY["identifiers"]["email"])
    assert example["outcome"] == "auto_reply", example["reasons"]
    assert example["intent"] == "order_status" and example["customer_id"] == "C10023"
    assert "HK-2026-118" in example["reply"]["body"]  # the PO number, read from the ERP
    assert [d["status"] for d in example["data"]] == ["ok"] * len(example["data"])


@pytest.mark.slow
def test_routine_answers_use_live_erp_data(demo: Demo) -> None:
    invoice = demo.ask(
        "Please send me a copy of invoice INV26004512.", "buchhaltung@hydro-kraft.example"
    )
    assert invoice["intent"] == "invoice", invoice["summary"]
    assert invoice["outcome"] == "auto_reply", invoice["reasons"]
    assert "9,492.80" in invoice["reply"]["body"]  # the amount, read from the ERP
    german = demo.ask(
        "Wo bleibt unsere Bestellung SO4500456?", "purchasing@thamesvalley-pumps.example"
    )
    assert german["language"] == "de" and german["customer_id"] == "C10031"
    assert german["outcome"] == "auto_reply", german["reasons"]
    assert "TVPS-88213" in german["reply"]["body"]


@pytest.mark.slow
def test_another_customers_order_goes_to_a_person(demo: Demo) -> None:
    # SO4500123 belongs to Hydro-Kraft (C10023), not to Thames Valley Pump Supplies.
    decision = demo.ask("Where is our order SO4500123?", "accounts@thamesvalley-pumps.example")
    assert decision["outcome"] == "route"
    assert "ownership_mismatch" in decision["reasons"]
    assert "HK-2026-118" not in str(decision)
    assert "reply" not in decision


@pytest.mark.slow
def test_status_reports_the_connectors(demo: Demo) -> None:
    status = httpx.get(f"{demo.base}/v1/status", headers={"X-API-Key": demo.key}).json()
    # the demo serves a git copy of the demo rules, so the admin UI can propose changes
    assert status["ready"] is True and re.fullmatch(r"[0-9a-f]{40}", status["revision"])
    assert set(status["connectors"]) == {"erp", "logistics"}
    assert status["connectors"]["erp"]["calls"] > 0
