"""What the e-mail gateway ignores, decides without answering, or may answer; and its guards."""

from __future__ import annotations

from email.message import EmailMessage

import pytest

from gateway_support import bounce
from switchboard.gateways.limits import ReplyBudget, SeenIds
from switchboard.gateways.loops import judge
from switchboard.gateways.mime import parse

OURS = "orders@nordwerk.example"
CUSTOMER = "einkauf@hydro-kraft.example"


def mail(sender: str = CUSTOMER, **headers: str) -> bytes:
    message = EmailMessage()
    message["From"] = sender
    message["To"] = OURS
    message["Subject"] = "Order SO4500123"
    for name, value in headers.items():
        message[name.replace("_", "-")] = value
    message.set_content("Where is order SO4500123?")
    return message.as_bytes()


@pytest.mark.parametrize(
    ("raw", "envelope", "handling", "reason"),
    [
        (mail(), CUSTOMER, "answer", ""),
        (mail(Auto_Submitted="no"), CUSTOMER, "answer", ""),
        (mail(Auto_Submitted="auto-replied"), CUSTOMER, "ignore", "auto_submitted"),
        (
            mail(Auto_Submitted="auto-generated; owner-email=x@y"),
            CUSTOMER,
            "ignore",
            "auto_submitted",
        ),
        (mail(X_Autoreply="yes"), CUSTOMER, "ignore", "auto_submitted"),
        (mail(Precedence="auto_reply"), CUSTOMER, "ignore", "auto_submitted"),
        (mail(), "<>", "ignore", "null_sender"),
        (mail(), "", "ignore", "null_sender"),
        (mail(Return_Path="<>"), None, "ignore", "null_sender"),
        (bounce(), "", "ignore", "null_sender"),
        (bounce(), "bounces@mx.hydro-kraft.example", "ignore", "bounce"),
        (mail("MAILER-DAEMON@mx.example"), "x@mx.example", "ignore", "bounce"),
        (mail("Postmaster <postmaster@hydro-kraft.example>"), CUSTOMER, "ignore", "bounce"),
        (mail(OURS), OURS, "ignore", "own_address"),
        (mail("Orders <ORDERS@nordwerk.example>"), OURS, "ignore", "own_address"),
        (mail(List_Id="<pumps.lists.example>"), CUSTOMER, "route_only", "mailing_list"),
        (mail(List_Unsubscribe="<mailto:u@x.example>"), CUSTOMER, "route_only", "mailing_list"),
        (mail(Precedence="list"), CUSTOMER, "route_only", "mailing_list"),
        (mail(Precedence="bulk"), CUSTOMER, "route_only", "bulk"),
        (mail(Precedence="junk"), CUSTOMER, "route_only", "bulk"),
        (mail("noreply@portal.example"), "noreply@portal.example", "route_only", "no_reply_sender"),
        (mail("no-reply@portal.example"), CUSTOMER, "route_only", "no_reply_sender"),
        (mail("shop.do-not-reply@x.example"), CUSTOMER, "route_only", "no_reply_sender"),
        (mail("DoNotReply@x.example"), CUSTOMER, "route_only", "no_reply_sender"),
        (mail("noreplyer.smith@x.example"), CUSTOMER, "answer", ""),
        (
            mail(X_Auto_Response_Suppress="OOF, AutoReply"),
            CUSTOMER,
            "route_only",
            "auto_response_suppressed",
        ),
        (mail("a@x.example, b@x.example"), CUSTOMER, "route_only", "no_single_sender"),
    ],
)
def test_judge(raw: bytes, envelope: str | None, handling: str, reason: str) -> None:
    verdict = judge(parse(raw), envelope, [OURS])
    assert (verdict.handling, verdict.reason) == (handling, reason)


def test_reply_budget_per_recipient_and_hour() -> None:
    now = [1000.0]
    budget = ReplyBudget(2, clock=lambda: now[0])
    assert [budget.take("a@x.example") for _ in range(3)] == [True, True, False]
    assert budget.take("b@x.example") is True
    now[0] += 3599
    assert budget.take("a@x.example") is False
    now[0] += 2
    assert budget.take("a@x.example") is True
    assert ReplyBudget(0).take("a@x.example") is False
    assert ReplyBudget(0).take("a@x.example") is False


def test_seen_ids_forget_the_oldest() -> None:
    seen = SeenIds(capacity=2)
    for message_id in ("<1@x>", "<2@x>", "<3@x>"):
        seen.add(message_id)
    assert "<1@x>" not in seen
    assert "<2@x>" in seen and "<3@x>" in seen
