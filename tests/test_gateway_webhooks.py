"""Twilio signatures, TwiML and the webhook apps' refusals, without a Switchboard behind them
(the API URL points at a closed port, so anything that would need it fails visibly)."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from litestar.testing import TestClient

from gateway_support import free_port, twilio_signature
from switchboard.gateways.calls import CallDesk
from switchboard.gateways.chat import chat_app
from switchboard.gateways.client import ApiError, QueueContact, QueueList, SwitchboardClient
from switchboard.gateways.directory import QueueDirectory, dialable
from switchboard.gateways.signature import expected_signature, valid_signature
from switchboard.gateways.twilio import TwilioConfig, twilio_app
from switchboard.gateways.twiml import TwiML, speech_language

TOKEN = "12345678901234567890123456789012"
CALL = {
    "CallSid": "CA0001",
    "AccountSid": "AC0001",
    "From": "+496215550123",
    "To": "+496215550100",
    "SpeechResult": "Where is order SO4500123?",
}


def test_signature_matches_an_independent_computation() -> None:
    url = "https://gateway.example.com/voice?tenant=nordwerk"
    theirs = twilio_signature(TOKEN, url, CALL)
    assert expected_signature(TOKEN, url, CALL.items()) == theirs
    assert valid_signature(TOKEN, url, CALL.items(), theirs)


@pytest.mark.parametrize(
    ("url", "params", "presented"),
    [
        ("https://gateway.example.com/voice", {**CALL, "From": "+4917600000000"}, "signed"),
        ("https://gateway.example.com/voice?x=1", CALL, "signed"),
        ("http://gateway.example.com/voice", CALL, "signed"),
        ("https://gateway.example.com/voice", CALL, ""),
        ("https://gateway.example.com/voice", CALL, None),
        ("https://gateway.example.com/voice", CALL, "not base64 at all ✓"),
    ],
)
def test_anything_changed_is_invalid(
    url: str, params: dict[str, str], presented: str | None
) -> None:
    signed = twilio_signature(TOKEN, "https://gateway.example.com/voice", CALL)
    given = signed if presented == "signed" else presented
    assert not valid_signature(TOKEN, url, params.items(), given)
    assert not valid_signature("", url, params.items(), given)


def test_twiml_escapes_everything() -> None:
    hostile = 'Order <SO4500123> & "you" \x07</Say><Dial>+1900</Dial>'
    xml = (
        TwiML()
        .say(hostile, "en-GB")
        .message(hostile)
        .gather("/voice?a=1&b=<2>", "de-DE", hostile)
        .dial("+496215550140")
        .render()
    )
    assert xml.startswith('<?xml version="1.0" encoding="UTF-8"?><Response>')
    root = ET.fromstring(xml)
    assert [child.tag for child in root] == ["Say", "Message", "Gather", "Dial"]
    clean = 'Order <SO4500123> & "you" </Say><Dial>+1900</Dial>'
    assert root[0].text == clean and root[0].get("language") == "en-GB"
    assert root[1].text == clean
    gather = root[2]
    assert gather.get("action") == "/voice?a=1&b=<2>" and gather.get("input") == "speech"
    assert gather[0].tag == "Say" and gather[0].text == clean
    assert root.findall("Dial")[0].text == "+496215550140"
    assert "<Dial>+1900" not in xml


@pytest.mark.parametrize(
    ("locale", "language"),
    [("de", "de-DE"), ("de-AT", "de-DE"), ("en", "en-GB"), ("fr", "en-GB"), (None, "en-GB")],
)
def test_speech_language(locale: str | None, language: str) -> None:
    assert speech_language(locale) == language


@pytest.mark.parametrize(
    ("phone", "number"),
    [
        ("+49 621 555 0140", "+496215550140"),
        ("+49 (621) 555-0140", "+496215550140"),
        ("0621/5550140", "06215550140"),
        ("call us", None),
        ("", None),
        (None, None),
        ("+49 621 555 0140<Hangup/>", None),
    ],
)
def test_dialable(phone: str | None, number: str | None) -> None:
    assert dialable(phone) == number


def test_queue_directory_keeps_the_last_good_list() -> None:
    answers: list[QueueList | ApiError] = [
        ApiError("down", status=None, retry=True),
        QueueList("order_desk", [QueueContact("order_desk", "Order desk", None, "+49 621 0")]),
        ApiError("down again", status=503, retry=True),
    ]

    def fetch() -> QueueList:
        answer = answers.pop(0)
        if isinstance(answer, ApiError):
            raise answer
        return answer

    directory = QueueDirectory(fetch, ttl_s=0)
    assert directory.queue("order_desk") is None
    found = directory.queue("no_such_queue")  # falls back to the default queue
    assert found is not None and found.id == "order_desk"
    again = directory.queue("order_desk")  # the refresh failed: the last list stands
    assert again is not None and again.phone == "+49 621 0"


@pytest.fixture
def offline_client() -> Iterator[SwitchboardClient]:
    client = SwitchboardClient(f"http://127.0.0.1:{free_port()}", "sb_unused", timeout=2)
    yield client
    client.close()


def post_signed(
    client: TestClient[Any], path: str, params: dict[str, str], url: str | None = None
) -> httpx.Response:
    signature = twilio_signature(TOKEN, url or f"http://testserver.local{path}", params)
    return client.post(path, data=params, headers={"X-Twilio-Signature": signature})


def test_unsigned_and_badly_signed_webhooks_are_refused(offline_client: SwitchboardClient) -> None:
    desk = CallDesk(offline_client, QueueDirectory(offline_client.queues))
    app = twilio_app(desk, TwilioConfig(TOKEN), voice=True, sms=True)
    with TestClient(app) as client:
        for path in ("/voice", "/sms"):
            assert client.post(path, data=CALL).status_code == 403
            bad = {"X-Twilio-Signature": twilio_signature("wrong-token", path, CALL)}
            assert client.post(path, data=CALL, headers=bad).status_code == 403
            tampered = dict(CALL, From="+4917600000000")
            signature = twilio_signature(TOKEN, f"http://testserver.local{path}", CALL)
            response = client.post(path, data=tampered, headers={"X-Twilio-Signature": signature})
            assert response.status_code == 403
            assert "signature" in response.text.lower()
        assert client.get("/health").json() == {"status": "ok"}


def test_signed_call_with_the_api_down_says_sorry(offline_client: SwitchboardClient) -> None:
    desk = CallDesk(offline_client, QueueDirectory(offline_client.queues), locale="de")
    app = twilio_app(desk, TwilioConfig(TOKEN), voice=True, sms=True)
    with TestClient(app) as client:
        response = post_signed(client, "/voice", CALL)
        assert response.status_code == 200
        assert response.headers["content-type"].startswith("application/xml")
        root = ET.fromstring(response.text)
        assert [child.tag for child in root] == ["Say", "Hangup"]  # no number known to dial
        assert root[0].get("language") == "de-DE" and "später" in (root[0].text or "")
        sms = {"MessageSid": "SM1", "From": "+496215550123", "Body": "Status SO4500123?"}
        assert post_signed(client, "/sms", sms).status_code == 503


def test_public_url_is_what_is_signed(offline_client: SwitchboardClient) -> None:
    desk = CallDesk(offline_client, QueueDirectory(offline_client.queues))
    public = "https://gateway.example.com/twilio"
    first_leg = {k: v for k, v in CALL.items() if k != "SpeechResult"}
    behind_proxy = twilio_app(desk, TwilioConfig(TOKEN, public), voice=True, sms=False)
    with TestClient(behind_proxy) as client:
        response = post_signed(client, "/voice?leg=1", first_leg, f"{public}/voice?leg=1")
        assert response.status_code == 200, response.text
        gather = ET.fromstring(response.text).find("Gather")
        assert gather is not None and gather.get("action") == f"{public}/voice"
        assert post_signed(client, "/voice?leg=1", first_leg).status_code == 403
        assert client.post("/sms", data=first_leg).status_code == 404  # a voice-only gateway


def test_chat_needs_its_token_before_anything_else(offline_client: SwitchboardClient) -> None:
    with TestClient(chat_app(offline_client, "chat-secret")) as client:
        body = {"conversation_id": "c1", "text": "Where is SO4500123?"}
        assert client.post("/chat", json=body).status_code == 401
        wrong = {"Authorization": "Bearer nope"}
        assert client.post("/chat", json=body, headers=wrong).status_code == 401
        assert client.post("/chat", content=b"{not json", headers=wrong).status_code == 401
        right = {"Authorization": "Bearer chat-secret"}
        assert client.post("/chat", json={"text": "x"}, headers=right).status_code == 400
        extra = {**body, "user": {"email": "a@b.example", "admin": True}}
        assert client.post("/chat", json=extra, headers=right).status_code == 400
        down = client.post("/chat", json=body, headers=right)
        assert down.status_code == 503 and "try again" in down.json()["error"]
    with pytest.raises(ValueError, match="token"):
        chat_app(offline_client, "")
