"""Structured logs: one JSON object per line, decisions with ids and reasons, no content.

The end-to-end test runs `switchboard serve` as a real process on 127.0.0.1 and reads what
it writes to stderr.
"""

from __future__ import annotations

import json
import logging
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import httpx
import pytest

from api_support import make_settings, mint
from switchboard.observability.logging import JsonFormatter, formatters
from test_reload_support import COMPLAINT, make_erp, make_marked_repo

PROBE = "Quokka-5521"  # a word only the inquiry text carries
SENDER = "einkauf@hydro-kraft.example"


def record(name: str, message: str, *args: Any, **extra: Any) -> logging.LogRecord:
    made = logging.LogRecord(name, logging.INFO, __file__, 1, message, args, None)
    made.__dict__.update(extra)
    return made


def test_a_record_is_one_json_line_with_its_extra_fields() -> None:
    line = JsonFormatter().format(
        record("switchboard.x", "served %s", "abc", decision_id="d1", reasons=["a", "b"])
    )
    assert "\n" not in line
    entry = json.loads(line)
    assert entry["message"] == "served abc" and entry["level"] == "info"
    assert entry["logger"] == "switchboard.x"
    assert entry["decision_id"] == "d1" and entry["reasons"] == ["a", "b"]
    assert entry["ts"].endswith("+00:00")
    assert "args" not in entry and "msg" not in entry and "pathname" not in entry


def test_exceptions_keep_their_traceback_in_one_line() -> None:
    try:
        raise ValueError("bad value\nsecond line")
    except ValueError:
        made = logging.LogRecord("x", logging.ERROR, __file__, 1, "failed", (), sys.exc_info())
    entry = json.loads(JsonFormatter().format(made))
    assert "ValueError: bad value" in entry["exception"] and entry["level"] == "error"


def test_access_log_lines_lose_their_query_string() -> None:
    args = ("127.0.0.1:5000", "GET", "/v1/identities?email=a@b.example", "1.1", 200)
    entry = json.loads(JsonFormatter().format(record("uvicorn.access", "%s %s %s %s %d", *args)))
    assert entry["message"] == '127.0.0.1:5000 - "GET /v1/identities HTTP/1.1" 200'


def test_text_format_is_available() -> None:
    assert formatters("text")["standard"]["format"].startswith("%(levelname)s")
    assert formatters("json")["standard"]["()"] is JsonFormatter


def free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@pytest.mark.slow
def test_a_served_decision_is_logged_by_id_never_by_content(tmp_path: Path) -> None:
    root, _ = make_marked_repo(tmp_path / "rules")
    db = make_erp(tmp_path / "erp.sqlite")
    settings = make_settings(tmp_path / "var", root)
    headers = mint(settings, "gw", "inquiries:write")
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("SWITCHBOARD_")}
    env.update(
        SWITCHBOARD_RULES_PATH=str(root),
        SWITCHBOARD_DATA_DIR=str(settings.data_dir),
        SWITCHBOARD_ERP_DSN=f"sqlite:///{db}",
        SWITCHBOARD_LOG_LEVEL="info",
        SWITCHBOARD_PORT=str(port),
    )
    err = tmp_path / "serve.err"
    base = f"http://127.0.0.1:{port}"
    with err.open("wb") as sink:
        proc = subprocess.Popen(
            [sys.executable, "-m", "switchboard.cli", "serve"],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=sink,
        )
    try:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            assert proc.poll() is None, err.read_text()
            try:
                if httpx.get(f"{base}/ready", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            time.sleep(0.1)
        else:
            raise AssertionError(f"not ready:\n{err.read_text()}")
        inquiry = {
            "channel": "email",
            "text": f"Where is my order SO4500123? Our reference is {PROBE}.",
            "identifiers": {"email": SENDER},
        }
        answered = httpx.post(f"{base}/v1/inquiries", json=inquiry, headers=headers, timeout=30)
        complaint = {**COMPLAINT, "text": COMPLAINT["text"] + f" {PROBE}"}
        routed = httpx.post(
            f"{base}/v1/inquiries/dry-run", json=complaint, headers=headers, timeout=30
        )
        assert answered.status_code == routed.status_code == 200
        httpx.get(f"{base}/health?email={SENDER}", timeout=5)
    finally:
        proc.terminate()
        proc.wait(20)
    lines = err.read_text().splitlines()
    entries = [json.loads(line) for line in lines]  # every line is JSON
    assert all({"ts", "level", "logger", "message"} <= set(e) for e in entries)
    decisions = {e["decision_id"]: e for e in entries if e.get("event") == "decision"}
    first, second = answered.json(), routed.json()
    assert set(decisions) == {first["decision_id"], second["decision_id"]}
    logged = decisions[second["decision_id"]]
    assert logged["level"] == "info" and logged["dry_run"] is True
    assert logged["revision"] == second["revision"] and logged["outcome"] == "route"
    assert logged["reasons"] == second["reasons"] and logged["intent"] == "complaint"
    assert decisions[first["decision_id"]]["outcome"] == "auto_reply"
    assert any(e["logger"] == "uvicorn.access" and "/health" in e["message"] for e in entries)
    text = "\n".join(lines)
    for secret in (PROBE, SENDER, "hydro-kraft", "Hydro-Kraft", "C10023", "shipped"):
        assert secret not in text, secret
