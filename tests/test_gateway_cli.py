"""`switchboard gateway ...` as real processes: bad options, serving, stopping on SIGTERM.

No Switchboard runs behind these gateways (the API URL is a closed port): what they do without
the API is exactly what is checked.
"""

from __future__ import annotations

import os
import signal
import smtplib
import subprocess
import sys
import time
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from email.message import EmailMessage

import httpx
import pytest

from gateway_support import free_port, twilio_signature

pytestmark = pytest.mark.slow

TOKEN = "cli-test-token-0123456789abcdef"


def environ(**more: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("SWITCHBOARD_")}
    env["SWITCHBOARD_GATEWAY_API_URL"] = f"http://127.0.0.1:{free_port()}"  # nothing there
    env["SWITCHBOARD_GATEWAY_API_KEY"] = "sb_not_checked_here"
    env.update(more)
    return env


def run(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    argv = [sys.executable, "-m", "switchboard.cli", "gateway", *args]
    return subprocess.run(
        argv, env=env or environ(), capture_output=True, text=True, timeout=60, check=False
    )


@contextmanager
def gateway(*args: str, env: dict[str, str]) -> Iterator[subprocess.Popen[str]]:
    argv = [sys.executable, "-m", "switchboard.cli", "gateway", *args]
    proc = subprocess.Popen(
        argv, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )
    try:
        yield proc
    finally:
        if proc.poll() is None:
            proc.kill()
        proc.wait(30)


def stop(proc: subprocess.Popen[str]) -> tuple[int, str]:
    proc.send_signal(signal.SIGTERM)
    output, _ = proc.communicate(timeout=30)
    return proc.returncode, output


def wait_until(check: object, proc: subprocess.Popen[str], timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        assert proc.poll() is None, proc.communicate()[0]
        with suppress(OSError, httpx.TransportError):
            if callable(check) and check():
                return
        time.sleep(0.1)
    raise AssertionError("the gateway did not start")


def test_the_command_is_listed() -> None:
    out = subprocess.run(
        [sys.executable, "-m", "switchboard.cli", "--help"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert "gateway" in out


@pytest.mark.parametrize(
    ("args", "env", "message"),
    [
        (["voice"], {"SWITCHBOARD_GATEWAY_API_KEY": ""}, "SWITCHBOARD_GATEWAY_API_KEY"),
        (["voice"], {}, "SWITCHBOARD_GATEWAY_TWILIO_AUTH_TOKEN"),
        (["chat"], {}, "--token is required"),
        (["email", "--from", "orders@x.example"], {}, "--relay is required"),
        (["email", "--from", "orders@x.example", "--relay", "nohost"], {}, "host:port"),
        (["email", "--relay", "127.0.0.1:25", "--from", "no address"], {}, "--from needs"),
    ],
)
def test_bad_options_stop_with_a_clear_message(
    args: list[str], env: dict[str, str], message: str
) -> None:
    result = run(*args, env=environ(**env))
    assert result.returncode == 2
    assert message in result.stderr
    assert "Traceback" not in result.stderr


def test_voice_gateway_process() -> None:
    port = free_port()
    env = environ(SWITCHBOARD_GATEWAY_TWILIO_AUTH_TOKEN=TOKEN)
    with gateway("voice", "--port", str(port), "--locale", "de", env=env) as proc:
        base = f"http://127.0.0.1:{port}"
        wait_until(lambda: httpx.get(f"{base}/health", timeout=2).status_code == 200, proc)
        first_leg = {"CallSid": "CA1", "From": "+496215550123", "To": "+496215550100"}
        assert httpx.post(f"{base}/voice", data=first_leg, timeout=10).status_code == 403
        signature = twilio_signature(TOKEN, f"{base}/voice", first_leg)
        response = httpx.post(
            f"{base}/voice", data=first_leg, headers={"X-Twilio-Signature": signature}, timeout=30
        )
        assert response.status_code == 200
        root = ET.fromstring(response.text)
        assert [child.tag for child in root] == ["Gather", "Say", "Hangup"]  # no queue known
        assert root[0].get("language") == "de-DE"
        assert httpx.post(f"{base}/sms", data=first_leg, timeout=10).status_code == 404
        code, output = stop(proc)
    assert code in (0, -signal.SIGTERM), output  # uvicorn ends by re-raising the signal
    assert "Application shutdown complete" in output


def test_email_gateway_process() -> None:
    port, relay = free_port(), free_port()
    args = ["email", "--port", str(port), "--relay", f"127.0.0.1:{relay}"]
    args += ["--from", "Order desk <orders@nordwerk.example>"]
    with gateway(*args, env=environ()) as proc:

        def accepts() -> bool:
            with smtplib.SMTP("127.0.0.1", port, timeout=5) as smtp:
                return smtp.noop()[0] == 250

        wait_until(accepts, proc)
        mail = EmailMessage()
        mail["From"] = "einkauf@hydro-kraft.example"
        mail["Subject"] = "Automatic reply"
        mail["Auto-Submitted"] = "auto-replied"
        mail.set_content("I am away.")
        with smtplib.SMTP("127.0.0.1", port, timeout=30) as smtp:
            smtp.send_message(mail, to_addrs=["orders@nordwerk.example"])  # ignored: 250
            del mail["Auto-Submitted"]
            with pytest.raises(smtplib.SMTPDataError) as later:
                smtp.send_message(mail, to_addrs=["orders@nordwerk.example"])
        assert later.value.smtp_code == 451  # the API is not there: try again later
        code, output = stop(proc)
    assert code == 0, output
    assert "ignored mail" in output and "auto_submitted" in output
