"""The conversation and identity API on the real app, the demo rules and a demo ERP."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from api_support import assert_error
from conversations_support import HYDRO_EMAIL, Api, running_api

PRIVATE = "petra.lange@private.example"
KESSELBERG = "einkauf@kesselberg-brau.example"


@pytest.fixture(scope="module")
def api(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Api]:
    with running_api(tmp_path_factory, "conversations-api") as running:
        yield running


def conversation(api: Api, conversation_id: str) -> dict[str, Any]:
    response = api.get(f"/v1/conversations/{conversation_id}", key="reader")
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def test_a_call_continues_the_email_and_the_third_contact_goes_to_a_person(api: Api) -> None:
    email = api.decide(
        "Where is my order SO4500123?",
        subject="Order SO4500123",
        identifiers={"email": HYDRO_EMAIL},
        thread=["<po-118@mail.hydro-kraft.example>"],
        metadata={"gateway_ref": "mail-1"},
    )
    assert email["outcome"] == "auto_reply" and email["customer_id"] == "C10023"

    call = api.decide(
        "and when will it arrive?", channel="voice", identifiers={"phone": "0621 555 0123"}
    )
    assert call["conversation_id"] == email["conversation_id"]
    assert call["intent"] == "delivery_date" and call["outcome"] == "auto_reply"
    assert call["entities"]["order_number"] == "SO4500123"
    assert "SO4500123" in call["reply"]["body"]

    third = api.decide("When will it arrive?", channel="chat", identifiers={"email": HYDRO_EMAIL})
    assert third["conversation_id"] == email["conversation_id"]
    assert third["outcome"] == "route" and "repeated_contact" in third["reasons"]
    assert "Earlier turns" in third["summary"]

    shown = conversation(api, email["conversation_id"])
    assert shown["customer_id"] == "C10023" and shown["status"] == "open"
    assert shown["channels"] == ["email", "voice", "chat"]
    assert shown["topics"] == {"order_number": ["SO4500123"]}
    assert shown["threads"] == ["po-118@mail.hydro-kraft.example"]
    assert shown["queue"] == "order_desk"
    directions = [(m["direction"], m["channel"]) for m in shown["messages"]]
    assert directions == [
        ("inbound", "email"),
        ("outbound", "email"),
        ("inbound", "voice"),
        ("outbound", "voice"),
        ("inbound", "chat"),
    ]
    assert shown["messages"][0]["metadata"] == {"gateway_ref": "mail-1"}
    assert shown["messages"][0]["gateway"] == "email-gateway"
    assert [(d["decision_id"], d["outcome"]) for d in shown["decisions"]] == [
        (email["decision_id"], "auto_reply"),
        (call["decision_id"], "auto_reply"),
        (third["decision_id"], "route"),
    ]
    assert shown["events"] == []


def test_events_reassign_and_close_a_conversation(api: Api) -> None:
    first = api.decide("Where is our order SO4501347?", identifiers={"email": KESSELBERG})
    path = f"/v1/conversations/{first['conversation_id']}/events"
    moved = api.post(path, {"kind": "reassigned", "queue": "logistics", "assignee": "jonas"})
    assert moved.status_code == 201, moved.text
    assert moved.json()["conversation"]["queue"] == "logistics"
    assert moved.json()["event"]["actor"] == "anna.berger@nordwerk.example"
    follow_up = api.decide("and when will it arrive?", identifiers={"email": KESSELBERG})
    assert follow_up["conversation_id"] == first["conversation_id"]
    assert "agent_already_involved" in follow_up["reasons"]

    replied = api.post(path, {"kind": "agent_replied", "note": "Sent the tracking link."})
    assert replied.status_code == 201
    closed = api.post(path, {"kind": "resolved", "note": "Delivered on Monday."})
    assert closed.json()["conversation"]["status"] == "resolved"
    shown = conversation(api, first["conversation_id"])
    assert [e["kind"] for e in shown["events"]] == ["reassigned", "agent_replied", "resolved"]
    assert shown["status"] == "resolved" and shown["resolved_at"] is not None

    after = api.decide("and when will it arrive?", identifiers={"email": KESSELBERG})
    assert after["conversation_id"] != first["conversation_id"]


def test_bad_events_are_refused(api: Api) -> None:
    first = api.decide("Where is our order SO4501393?", identifiers={"email": KESSELBERG})
    path = f"/v1/conversations/{first['conversation_id']}/events"
    assert_error(api.post(path, {"kind": "reassigned"}), 422, "invalid_event")
    details = assert_error(
        api.post(path, {"kind": "reassigned", "queue": "nowhere"}), 422, "invalid_event"
    )
    assert "logistics" in details["known"]
    assert_error(api.post(path, {"kind": "resolved", "queue": "logistics"}), 422, "invalid_event")
    assert_error(api.post(path, {"kind": "escalated"}), 422, "invalid_request")
    assert_error(
        api.post("/v1/conversations/cnv_nope/events", {"kind": "resolved"}), 404, "not_found"
    )
    assert conversation(api, first["conversation_id"])["events"] == []


def test_a_customers_conversations_come_in_pages(api: Api) -> None:
    jura = {"email": "einkauf@jura-pumpen.example"}
    made = [
        api.decide(f"Where is our order SO450{n}001?", identifiers=jura)["conversation_id"]
        for n in range(5, 10)
    ]
    assert len(set(made)) == 5
    seen: list[str] = []
    cursor = None
    for _ in range(5):
        params: dict[str, Any] = {"limit": 2, **({"cursor": cursor} if cursor else {})}
        page = api.get("/v1/customers/C10015/conversations", key="reader", **params).json()
        seen += [item["id"] for item in page["items"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert seen == list(reversed(made))
    assert_error(
        api.get("/v1/customers/C10015/conversations", key="reader", cursor="x!"),
        400,
        "invalid_cursor",
    )
    assert_error(
        api.get("/v1/customers/C10015/conversations", key="reader", limit=0), 422, "invalid_request"
    )
    assert_error(api.get("/v1/customers/C99999/conversations", key="reader"), 404, "not_found")


def test_a_link_by_hand_identifies_and_its_end_starts_fresh(api: Api) -> None:
    asked = "Where is my order SO4500123?"
    assert api.decide(asked, identifiers={"email": PRIVATE}).get("customer_id") is None
    body = {
        "kind": "email",
        "value": "Petra.Lange@Private.example",
        "customer_id": "c10023",
        "evidence": "Confirmed by phone on the number in the ERP contact record.",
    }
    made = api.post("/v1/identities", body)
    assert made.status_code == 201, made.text
    link = made.json()
    assert (link["value"], link["customer_id"], link["source"]) == (PRIVATE, "C10023", "agent")
    assert link["created_by"] == "anna.berger@nordwerk.example" and link["active"] is True
    assert assert_error(api.post("/v1/identities", body), 409, "already_linked") == {
        "link_id": link["id"]
    }

    linked = api.decide(asked, identifiers={"email": PRIVATE})
    assert linked["customer_id"] == "C10023" and "unknown_customer" not in linked["reasons"]

    ended = api.post(
        f"/v1/identities/{link['id']}/unlink", {"reason": "Private address, not hers."}
    )
    assert ended.status_code == 200, ended.text
    assert (
        ended.json()["active"] is False
        and ended.json()["unlinked_by"] == "anna.berger@nordwerk.example"
    )
    fresh = api.decide(asked, identifiers={"email": PRIVATE})
    assert fresh.get("customer_id") is None and "unknown_customer" in fresh["reasons"]
    assert fresh["conversation_id"] != linked["conversation_id"]
    assert_error(
        api.post(f"/v1/identities/{link['id']}/unlink", {"reason": "again"}),
        409,
        "already_unlinked",
    )

    trail = api.get("/v1/customers/C10023/identities", key="reader").json()["links"]
    mine = [item for item in trail if item["value"] == PRIVATE]
    assert [(x["id"], x["active"], x["unlink_reason"]) for x in mine] == [
        (link["id"], False, "Private address, not hers.")
    ]
    assert mine[0]["evidence"] == body["evidence"]


def test_delete_ends_a_link_too(api: Api) -> None:
    body = {
        "kind": "phone",
        "value": "+49 (0)621 555 9999",
        "customer_id": "C10023",
        "evidence": "Site phone",
    }
    link = api.post("/v1/identities", body).json()
    assert link["value"] == "+496215559999"
    missing_reason = api.client.delete(f"/v1/identities/{link['id']}", headers=api.keys["agent"])
    assert_error(missing_reason, 422, "invalid_request")
    ended = api.client.delete(
        f"/v1/identities/{link['id']}", params={"reason": "Wrong site"}, headers=api.keys["agent"]
    )
    assert ended.status_code == 200 and ended.json()["unlink_reason"] == "Wrong site"
    again = api.post("/v1/identities", body)  # the number is free again
    assert again.status_code == 201 and again.json()["id"] != link["id"]


def test_weak_or_wrong_identities_are_refused(api: Api) -> None:
    base = {"customer_id": "C10023", "evidence": "Said so on the phone"}
    assert_error(
        api.post("/v1/identities", {**base, "kind": "name", "value": "Petra Lange"}),
        422,
        "invalid_request",
    )
    assert_error(
        api.post("/v1/identities", {**base, "kind": "phone", "value": "call me"}),
        422,
        "invalid_identity",
    )
    assert_error(
        api.post("/v1/identities", {**base, "kind": "email", "value": "no-at-sign"}),
        422,
        "invalid_identity",
    )
    assert_error(
        api.post(
            "/v1/identities", {**base, "kind": "email", "value": "a@b.example", "evidence": " "}
        ),
        422,
        "invalid_identity",
    )
    unknown = {**base, "kind": "email", "value": "x@y.example", "customer_id": "C99999"}
    assert_error(api.post("/v1/identities", unknown), 422, "unknown_customer")
    assert_error(api.post("/v1/identities/lnk_nope/unlink", {"reason": "x"}), 404, "not_found")
    assert_error(api.get("/v1/customers/C99999/identities", key="reader"), 404, "not_found")


def test_a_dry_run_leaves_no_trace(api: Api) -> None:
    thames = {"email": "purchasing@thamesvalley-pumps.example"}
    dry = api.ask("Where is our order SO4500456?", identifiers=thames, dry_run=True)
    assert dry.status_code == 200 and dry.json()["customer_id"] == "C10031"
    assert_error(api.get("/v1/customers/C10031/conversations", key="reader"), 404, "not_found")
    assert_error(api.get("/v1/customers/C10031/identities", key="reader"), 404, "not_found")
    api.decide("Where is our order SO4500456?", identifiers=thames)
    page = api.get("/v1/customers/C10031/conversations", key="reader").json()
    assert len(page["items"]) == 1 and page["next_cursor"] is None
    links = api.get("/v1/customers/C10031/identities", key="reader").json()["links"]
    assert [(x["kind"], x["source"], x["evidence"]) for x in links] == [
        ("email", "erp_lookup", "ERP contact record")
    ]


def test_scopes_and_errors(api: Api) -> None:
    some = api.decide("Where is our order SO4500200?", identifiers={"email": KESSELBERG})
    path = f"/v1/conversations/{some['conversation_id']}"
    assert_error(api.get(path, key="gateway"), 403, "forbidden")
    assert api.get(path, key="agent").status_code == 200  # write implies read
    assert_error(api.post(f"{path}/events", {"kind": "resolved"}, key="reader"), 403, "forbidden")
    assert_error(api.client.get(path), 401, "unauthorized")
    body = {"kind": "email", "value": "a@b.example", "customer_id": "C10023", "evidence": "x"}
    assert_error(api.post("/v1/identities", body, key="reader"), 403, "forbidden")
    assert_error(api.get("/v1/conversations/cnv_nope", key="reader"), 404, "not_found")
