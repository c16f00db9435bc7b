"""`switchboard route`, `classify` and `test` on a real git copy of the demo rules, with the
demo ERP as a real SQLite database where live data is needed."""

from __future__ import annotations

import json
import shutil
import sqlite3
import subprocess
from pathlib import Path

import pytest

from engine_support import DEMO_REPO
from switchboard.cli import main
from switchboard.demo_erp.database import build_database, sqlite_dsn

ERP_SETTINGS = ("SWITCHBOARD_ERP_DSN", "SWITCHBOARD_ERP_API_URL", "SWITCHBOARD_ERP_API_TOKEN")


def git(repo: Path, *args: str) -> str:
    done = subprocess.run(["git", "-C", str(repo), *args], check=True, capture_output=True)
    return done.stdout.decode().strip()


@pytest.fixture(scope="module")
def repo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("rules")
    shutil.copytree(DEMO_REPO, path, dirs_exist_ok=True)
    git(path, "init", "-q", "-b", "main")
    git(path, "add", ".")
    git(path, "-c", "user.name=Test", "-c", "user.email=t@nordwerk.example", "commit", "-qm", "x")
    return path


@pytest.fixture(scope="module")
def cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("cache")


@pytest.fixture(scope="module")
def erp(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("erp") / "erp.sqlite"
    build_database(path)
    return path


@pytest.fixture
def no_live_data(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ERP_SETTINGS:
        monkeypatch.delenv(name, raising=False)


def test_test_command_passes_on_the_demo_rules(
    repo: Path, cache: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(["test", str(repo), "--rev", "HEAD", "--cache-dir", str(cache)])
    lines = capsys.readouterr().out.strip().splitlines()
    assert code == 0, lines
    passed, failed = lines[-1].split(", ")
    assert int(passed.split()[0]) > 10 and failed == "0 failed"


def test_test_command_reports_a_failing_case(
    repo: Path, cache: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    work = tmp_path / "rules"
    shutil.copytree(repo, work, ignore=shutil.ignore_patterns(".git"))
    suite = work / "tests" / "escalations.yaml"
    text = suite.read_text()
    assert "outcome: route" in text
    suite.write_text(text.replace("outcome: route", "outcome: auto_reply", 1))
    code = main(["test", str(work), "--cache-dir", str(cache)])
    out = capsys.readouterr().out.strip().splitlines()
    assert code == 1
    assert out[-1].endswith(", 1 failed")
    assert any(line.startswith("FAIL escalations/") for line in out)
    assert any("outcome: expected 'auto_reply', got 'route'" in line for line in out)


def test_route_without_live_data_hands_off(
    repo: Path, cache: Path, no_live_data: None, capsys: pytest.CaptureFixture[str]
) -> None:
    args = ["route", "--rules", str(repo), "--cache-dir", str(cache), "--channel", "email"]
    args += ["--from", "einkauf@hydro-kraft.example", "--subject", "Order SO4500123"]
    code = main([*args, "Where is our order SO4500123?"])
    captured = capsys.readouterr()
    decision = json.loads(captured.out)
    assert code == 0
    assert decision["outcome"] == "route" and decision["automated"] is False
    assert decision["intent"] == "order_status" and "reply" not in decision
    assert "SWITCHBOARD_ERP_DSN" in captured.err


def _owned_and_foreign(erp: Path) -> tuple[str, str, str]:
    """A standard customer's contact e-mail, one of their orders, and another's order."""
    with sqlite3.connect(erp) as connection:
        email, customer, order = connection.execute(
            """SELECT ct.email, c.customer_id, o.order_no FROM contacts ct
               JOIN customers c USING (customer_id) JOIN orders o USING (customer_id)
               WHERE c.tier = 'standard' AND o.status IN ('confirmed', 'in_production', 'shipped')
                 AND o.total < 20000 ORDER BY o.order_no LIMIT 1"""
        ).fetchone()
        (foreign,) = connection.execute(
            "SELECT order_no FROM orders WHERE customer_id != ? LIMIT 1", (customer,)
        ).fetchone()
    return email, order, foreign


def test_route_with_the_demo_erp_answers_owned_orders_only(
    repo: Path,
    cache: Path,
    erp: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("SWITCHBOARD_ERP_DSN", sqlite_dsn(erp))
    email, order, foreign = _owned_and_foreign(erp)
    args = ["route", "--rules", str(repo), "--cache-dir", str(cache), "--from", email]

    assert main([*args, f"Hello, what is the status of order {order}? Thanks"]) == 0
    answered = json.loads(capsys.readouterr().out)
    assert answered["outcome"] == "auto_reply", answered["reasons"]
    assert order in answered["reply"]["body"]

    assert main([*args, f"Hello, what is the status of order {foreign}? Thanks"]) == 0
    out = capsys.readouterr().out
    refused = json.loads(out)
    assert refused["outcome"] == "route" and "ownership_mismatch" in refused["reasons"]
    with sqlite3.connect(erp) as connection:
        owner, total = connection.execute(
            "SELECT customer_id, total FROM orders WHERE order_no = ?", (foreign,)
        ).fetchone()
    assert owner not in out and str(total) not in out


def test_classify_writes_one_line_per_input(
    repo: Path, cache: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = tmp_path / "in.jsonl"
    lines = [
        {"id": "a", "text": "Where is our order SO4500123? Thanks", "channel": "chat"},
        {"id": "b", "text": "Order SO4500123 is late again, our lawyer will call you."},
        "not json",
        {"id": 7, "text": "Wann wird die Bestellung SO4500871 geliefert?", "channel": "fax"},
        {"text": "Bitte senden Sie uns die Rechnung INV26004512 noch einmal."},
        {"id": "p", "text": "uh yeah where is order SO4500123", "channel": "Phone"},
        {"id": "n", "text": 42},
    ]
    source.write_text("\n".join(x if isinstance(x, str) else json.dumps(x) for x in lines) + "\n\n")
    target = tmp_path / "out.jsonl"
    args = ["classify", "--rules", str(repo), "--cache-dir", str(cache)]
    code = main([*args, "--input", str(source), "--output", str(target)])
    results = [json.loads(line) for line in target.read_text().splitlines()]
    assert code == 1 and len(results) == 7
    first, second, bad_json, fax, last, phone, not_text = results
    assert first["id"] == "a" and first["intent"] == "order_status"
    assert first["outcome"] == "auto_reply" and first["automated"] is True
    assert second["outcome"] == "route" and second["automated"] is False
    assert "legal_threat" in second["reasons"]
    assert bad_json == {"id": None, "line": 3, "error": bad_json["error"]} and bad_json["error"]
    assert fax["id"] == 7 and fax["intent"] == "delivery_date"  # an unknown channel: email
    assert last["id"] is None and last["intent"] == "invoice"
    assert phone["id"] == "p" and phone["intent"] == "order_status"  # read as voice
    assert not_text["id"] == "n" and not_text["line"] == 7 and "text" in not_text["error"]
    assert set(first) == {"id", "intent", "confidence", "outcome", "automated", "reasons"}
    assert "2 line(s) could not be read" in capsys.readouterr().err
