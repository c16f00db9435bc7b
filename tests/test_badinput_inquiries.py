"""Hostile and odd inquiries through the real app on the demo rules and a demo ERP: a decision
or a clear 4xx, never a 5xx, and never anything evaluated that came in as data.

Covered elsewhere and not repeated: malformed JSON, wrong fields and oversized inquiry bodies
(tests/test_api_inquiries.py), template payloads at the renderer (tests/test_render.py), header
injection into e-mail replies (tests/test_gateway_compose.py, tests/test_gateway_email.py).
"""

from __future__ import annotations

import sqlite3
from collections import Counter
from collections.abc import Iterator
from contextlib import closing
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from api_support import assert_error
from conversations_support import HYDRO_EMAIL, Api, running_api

ORDER = "SO4500123"
ODD = {
    "rtl override": f"Where is my order {ORDER}? \u202egnitiaw llits era ew\u202c",
    "zero-width joiners": f"Wh\u200dere is my or\u200bder {ORDER}\u200d?\ufeff",
    "emoji": f"\U0001f4e6 where is order {ORDER}?? \U0001f621\U0001f621 \U0001f468\u200d\U0001f527",
    "mixed scripts": f"Где мой заказ {ORDER}? 我的订单在哪里 Wo ist Auftrag {ORDER}? أين طلبي",
    "homoglyphs": "Where is my order \u0405\u041e4500123?",  # Cyrillic S and O
    "nul bytes": f"Where is\x00 my order {ORDER}?\x00",
    "control characters": f"\x1b[31mWhere\x07 is my order {ORDER}?\x08\x7f",
    "combining marks": f"Wh\u0335e\u0336r\u0337e is my o\u0301\u0302\u0303rder {ORDER}?",
    "lone surrogate escape": None,  # sent as raw JSON below
    "line separators": f"Where is\u2028my order\u2029{ORDER}?\r\r\n\x85",
    "only whitespace": " \t\u00a0\u3000\n",
    "long word": "A" * 20_000 + f" {ORDER}",
}
tally: Counter[str] = Counter()


@pytest.fixture(scope="module")
def api(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Api]:
    with running_api(tmp_path_factory, "badinput-inquiries") as running:
        yield running


def answered_or_refused(response: Any) -> dict[str, Any] | None:
    """A decision (200) or a 4xx in the one error shape; never a 5xx."""
    tally[str(response.status_code)] += 1
    assert response.status_code < 500, response.text
    if response.status_code == 200:
        decision: dict[str, Any] = response.json()
        assert decision["outcome"] in ("auto_reply", "clarify", "route")
        return decision
    body = response.json()
    assert set(body) == {"error"} and body["error"]["message"].endswith(".")
    return None


@pytest.mark.parametrize("name", sorted(ODD))
@pytest.mark.parametrize("dry_run", [True, False])
def test_odd_unicode_gets_a_decision_or_a_clear_refusal(api: Api, name: str, dry_run: bool) -> None:
    path = "/v1/inquiries/dry-run" if dry_run else "/v1/inquiries"
    text = ODD[name]
    if text is None:
        body = b'{"channel": "email", "text": "Where is order SO4500123? \\ud800 \\udfff x"}'
        headers = {**api.keys["gateway"], "Content-Type": "application/json"}
        response = api.client.post(path, content=body, headers=headers)
    else:
        response = api.ask(
            text, dry_run=dry_run, subject=text[:200], identifiers={"email": HYDRO_EMAIL}
        )
    decision = answered_or_refused(response)
    if decision is not None and decision["outcome"] == "auto_reply":
        assert ORDER in decision["reply"]["body"]  # answered about the order it named


def test_odd_unicode_is_stored_as_it_came(api: Api) -> None:
    text = ODD["rtl override"] + ODD["emoji"] + ODD["nul bytes"]
    decision = api.decide(text, identifiers={"email": HYDRO_EMAIL})
    conversation = api.get(f"/v1/conversations/{decision['conversation_id']}", key="reader")
    assert conversation.status_code == 200, conversation.text
    assert text in [message["text"] for message in conversation.json()["messages"]]


@settings(
    max_examples=60,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    text=st.text(
        alphabet=st.characters(codec="utf-8", exclude_categories=["Cs"]), min_size=0, max_size=300
    ),
    subject=st.none() | st.text(max_size=80),
    channel=st.sampled_from(["email", "sms", "chat", "voice"]),
    locale=st.none() | st.sampled_from(["de", "en", "xx", "de-AT", "", "\u202e", "zh-Hant-TW"]),
)
def test_any_text_gets_a_decision_or_a_clear_refusal(
    api: Api, text: str, subject: str | None, channel: str, locale: str | None
) -> None:
    body: dict[str, Any] = {"identifiers": {"email": HYDRO_EMAIL}}
    if subject is not None:
        body["subject"] = subject
    if locale is not None:
        body["locale"] = locale
    answered_or_refused(api.ask(f"{text} {ORDER}", channel=channel, dry_run=True, **body))


def test_template_syntax_from_the_erp_is_printed_literally(api: Api) -> None:
    """Thames Valley's order (a sender no other test here writes as): its PO number in the
    ERP becomes template syntax, and the answer shows it as text."""
    erp = api.data_dir.parent / "demo-erp.sqlite"
    order, sender = "SO4500456", "purchasing@thamesvalley-pumps.example"
    payload = "{{ 7*191 }}{% if true %}X{% endif %}"  # 1337 if it were evaluated
    with closing(sqlite3.connect(erp)) as conn:
        conn.execute("UPDATE orders SET po_number = ? WHERE order_no = ?", [payload, order])
        conn.commit()
    decision = api.decide(f"Where is my order {order}?", identifiers={"email": sender})
    assert decision["outcome"] == "auto_reply", decision["reasons"]
    body = decision["reply"]["body"]
    assert payload in body and "1337" not in body and "}X{" not in body.replace(payload, "")


def test_template_syntax_in_the_inquiry_is_never_evaluated(api: Api) -> None:
    text = f"Where is my order {ORDER}? {{{{ 7*191 }}}} {{{{ ''.__class__ }}}}"
    decision = api.decide(text, subject="{{ 7*191 }}", identifiers={"email": HYDRO_EMAIL})
    assert "1337" not in str(decision) and "class '" not in str(decision)


@pytest.mark.parametrize(
    ("path", "key"),
    [
        ("/v1/identities", "agent"),
        ("/v1/conversations/cnv_x/events", "agent"),
        ("/v1/inquiries/dry-run", "gateway"),
    ],
)
def test_oversized_bodies_on_other_routes_are_refused(api: Api, path: str, key: str) -> None:
    settings_max = api.client.app.state.settings.max_body_bytes
    big = b'{"note": "' + b"x" * (settings_max + 10) + b'"}'
    headers = {**api.keys[key], "Content-Type": "application/json"}
    response = api.client.post(path, content=big, headers=headers)
    tally["413"] += 1
    assert assert_error(response, 413, "body_too_large")["max_bytes"] == settings_max
