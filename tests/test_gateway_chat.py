"""The chat webhook end to end: JSON in -> the gateway (uvicorn) -> the real API on the demo
rules and a demo ERP -> `{reply?, routed_to?, decision_id}`."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest

from conversations_support import HYDRO_EMAIL
from gateway_support import LiveApi, running_switchboard, serving, spoken_date
from switchboard.gateways.chat import chat_app
from switchboard.gateways.client import SwitchboardClient

pytestmark = pytest.mark.slow

TOKEN = "chat-backend-token-0123456789"


@dataclass
class Chat:
    api: LiveApi
    url: str

    def say(self, conversation_id: str, text: str, **user: str) -> dict[str, Any]:
        body = {"conversation_id": conversation_id, "user": user, "text": text}
        headers = {"Authorization": f"Bearer {TOKEN}"}
        response = httpx.post(self.url, json=body, headers=headers, timeout=60)
        assert response.status_code == 200, response.text
        answer: dict[str, Any] = response.json()
        return answer


@pytest.fixture(scope="module")
def chat(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Chat]:
    with running_switchboard(tmp_path_factory, "gateway-chat") as api:
        client = SwitchboardClient(api.base, api.key)
        with serving(chat_app(client, TOKEN)) as base:
            yield Chat(api, f"{base}/chat")


def test_a_chat_is_answered_and_its_next_turn_continues(chat: Chat) -> None:
    order = chat.api.order("SO4500123")
    chat_id = uuid.uuid4().hex
    first = chat.say(chat_id, "Hi, where is my order SO4500123?", email=HYDRO_EMAIL)
    assert set(first) == {"reply", "decision_id"}
    assert "SO4500123" in first["reply"] and "shipped" in first["reply"]

    second = chat.say(chat_id, "and when will it arrive?", email=HYDRO_EMAIL)
    assert set(second) == {"reply", "decision_id"}
    assert second["decision_id"] != first["decision_id"]
    assert spoken_date(order["eta"]) in second["reply"] and "SO4500123" in second["reply"]
    [conversation] = chat.api.conversations("C10023")
    assert conversation["channels"] == ["chat"]
    assert f"chat:{chat_id}" in conversation["threads"]


def test_a_complaint_is_routed(chat: Chat) -> None:
    answer = chat.say(
        uuid.uuid4().hex,
        "The seals from order SO4500409 leak after two days. I want to complain.",
        customer_id="C10031",
    )
    assert set(answer) == {"routed_to", "decision_id"}
    assert answer["routed_to"] == "quality_claims"


def test_an_unknown_user_gets_no_order_data(chat: Chat) -> None:
    answer = chat.say(uuid.uuid4().hex, "Where is order SO4500123?", email="x@unknown.example")
    assert "reply" not in answer
    assert answer["routed_to"] == "order_desk"
