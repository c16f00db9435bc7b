"""The voice and SMS gateway end to end: signed Twilio-style webhooks -> the gateway (uvicorn)
-> the real API on the demo rules and a demo ERP -> TwiML."""

from __future__ import annotations

import uuid
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from dataclasses import dataclass

import httpx
import pytest

from conversations_support import HYDRO_PHONE, THAMES_PHONE
from gateway_support import (
    LiveApi,
    queue_phone,
    running_switchboard,
    serving,
    spoken_date,
    twilio_signature,
)
from switchboard.gateways.calls import CallDesk
from switchboard.gateways.client import SwitchboardClient
from switchboard.gateways.directory import QueueDirectory
from switchboard.gateways.twilio import TwilioConfig, twilio_app

pytestmark = pytest.mark.slow

TOKEN = "twilio-test-token-fedcba9876543210"
OUR_NUMBER = "+496215550100"


@dataclass
class Phones:
    api: LiveApi
    base: str

    def post(
        self, path: str, params: dict[str, str], signature: str | None = "sign"
    ) -> httpx.Response:
        url = self.base + path
        headers = {}
        if signature == "sign":
            headers["X-Twilio-Signature"] = twilio_signature(TOKEN, url, params)
        elif signature is not None:
            headers["X-Twilio-Signature"] = signature
        return httpx.post(url, data=params, headers=headers, timeout=60)

    def call(self, caller: str, speech: str | None, call_sid: str | None = None) -> ET.Element:
        params = {
            "CallSid": call_sid or f"CA{uuid.uuid4().hex}",
            "AccountSid": "AC0123",
            "From": caller,
            "To": OUR_NUMBER,
        }
        if speech is not None:
            params |= {"SpeechResult": speech, "Confidence": "0.91"}
        response = self.post("/voice", params)
        assert response.status_code == 200, response.text
        assert response.headers["content-type"].startswith("application/xml")
        return ET.fromstring(response.text)

    def text(self, sender: str, body: str) -> ET.Element:
        params = {
            "MessageSid": f"SM{uuid.uuid4().hex}",
            "AccountSid": "AC0123",
            "From": sender,
            "To": OUR_NUMBER,
            "Body": body,
        }
        response = self.post("/sms", params)
        assert response.status_code == 200, response.text
        return ET.fromstring(response.text)


@pytest.fixture(scope="module")
def phones(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Phones]:
    with running_switchboard(tmp_path_factory, "gateway-twilio") as api:
        client = SwitchboardClient(api.base, api.key)
        desk = CallDesk(client, QueueDirectory(client.queues))
        app = twilio_app(desk, TwilioConfig(TOKEN), voice=True, sms=True)
        with serving(app) as base:
            yield Phones(api, base)


def test_sms_answer(phones: Phones) -> None:
    order = phones.api.order("SO4500456")
    assert order["status"] == "ready_to_ship"
    root = phones.text(THAMES_PHONE, "Hi, status of order SO4500456 please?")
    assert [child.tag for child in root] == ["Message"]
    message = root[0].text or ""
    assert "SO4500456" in message and "ready for dispatch" in message
    assert spoken_date(order["eta"]) in message


def test_a_routed_sms_gets_no_automatic_text(phones: Phones) -> None:
    root = phones.text(
        THAMES_PHONE, "The impeller from SO4500409 is cracked. We want a replacement now."
    )
    assert root.tag == "Response" and list(root) == []
    conversations = phones.api.conversations("C10031")
    assert any(c["queue"] == "quality_claims" for c in conversations)


def test_the_first_leg_of_a_call_listens(phones: Phones) -> None:
    root = phones.call(HYDRO_PHONE, None)
    assert [child.tag for child in root] == ["Gather", "Say", "Dial"]
    gather = root[0]
    assert gather.get("input") == "speech" and gather.get("action") == "/voice"
    assert gather.get("language") == "en-GB"
    assert "order number" in (gather[0].text or "")
    assert root[2].text == queue_phone("order_desk")  # heard nothing: a person takes it


def test_a_call_is_answered_in_its_language(phones: Phones) -> None:
    order = phones.api.order("SO4500123")
    root = phones.call(HYDRO_PHONE, "Wann wird der Auftrag SO4500123 geliefert?")
    assert [child.tag for child in root] == ["Say", "Dial"]
    assert root[0].get("language") == "de-DE"
    said = root[0].text or ""
    assert "SO4500123" in said and spoken_date(order["eta"], "de") in said
    assert root[1].text == queue_phone("order_desk")


def test_a_complaint_call_is_put_through_to_the_queue(phones: Phones) -> None:
    root = phones.call(
        THAMES_PHONE,
        "yes hello, the pump from order SO4500409 arrived with a cracked housing, this is "
        "not acceptable, I want to make a complaint",
    )
    assert [child.tag for child in root] == ["Say", "Dial"]
    assert "Quality" in (root[0].text or "")
    assert root[1].text == queue_phone("quality_claims")


def test_a_call_without_a_reference_is_asked_and_then_answered(phones: Phones) -> None:
    customer, _email, order_no = phones.api.shipped_orders({"C10023", "C10031"})[0]
    caller, call_sid = phones.api.phone(customer), f"CA{uuid.uuid4().hex}"
    first = phones.call(caller, "hi, where is my order?", call_sid)
    assert [child.tag for child in first][:1] == ["Gather"]
    question = first[0][0].text or ""
    assert "order" in question.lower() and order_no not in question

    spelled = " ".join(order_no)  # "S O 4 5 0 ..." as speech recognition writes it
    second = phones.call(caller, f"it is order {spelled}", call_sid)
    assert [child.tag for child in second] == ["Say", "Dial"]
    assert order_no in (second[0].text or "")
    [conversation] = phones.api.conversations(customer)
    assert call_sid in conversation["threads"]


def test_signatures_are_checked_before_anything_is_decided(phones: Phones) -> None:
    customer, _email, order_no = phones.api.shipped_orders({"C10023", "C10031"})[1]
    params = {
        "CallSid": f"CA{uuid.uuid4().hex}",
        "From": phones.api.phone(customer),
        "To": OUR_NUMBER,
        "SpeechResult": f"where is order {order_no}",
    }
    valid = twilio_signature(TOKEN, phones.base + "/voice", params)
    forged = twilio_signature("not-the-token", phones.base + "/voice", params)
    tampered = {**params, "From": HYDRO_PHONE}
    assert phones.post("/voice", params, signature=None).status_code == 403
    assert phones.post("/voice", params, signature=forged).status_code == 403
    assert phones.post("/voice", tampered, signature=valid).status_code == 403
    assert phones.post("/sms", params, signature=valid).status_code == 403  # another URL
    assert phones.api.conversations(customer) == []  # none of it reached the API
    assert phones.post("/voice", params, signature=valid).status_code == 200
    assert len(phones.api.conversations(customer)) == 1


def test_queue_contacts_come_from_the_live_rules(phones: Phones) -> None:
    url = f"{phones.api.base}/v1/queues"
    response = httpx.get(url, headers={"Authorization": f"Bearer {phones.api.key}"}, timeout=30)
    assert response.status_code == 200, response.text
    listing = response.json()
    assert listing["default_queue"] == "order_desk"
    ids = [queue["id"] for queue in listing["queues"]]
    assert ids == sorted(ids) and "quality_claims" in ids
    claims = next(q for q in listing["queues"] if q["id"] == "quality_claims")
    assert "".join(c for c in claims["phone"] if c == "+" or c.isdigit()) == queue_phone(
        "quality_claims"
    )
    assert claims["email"].endswith(".example")
    assert httpx.get(url, timeout=30).status_code == 401
    assert httpx.get(url, headers=phones.api.reader, timeout=30).status_code == 403
