"""The admin UI in a real browser against a real server: an editor changes an example phrase
and the damage-claim threshold, a reviewer approves and merges, and the live runtime routes
by the new threshold seconds later. Screenshots of the main pages are taken on the way; they go
to $SWITCHBOARD_SCREENSHOTS when it is set (`make screenshots` sets docs/screenshots/), else to
a temporary folder, so that a test run leaves the working tree as it was."""

from __future__ import annotations

import os
import re
import tempfile
import time
from pathlib import Path
from typing import Any

import pytest
from browser_support import PASSWORDS, Stack
from playwright.sync_api import Browser, Page, expect

SHOTS = Path(
    os.environ.get("SWITCHBOARD_SCREENSHOTS")
    or Path(tempfile.gettempdir()) / "switchboard-screenshots"
)
CLAIM = (
    "Transport damage on order SO4500123: the pump casing is cracked. "
    "We claim EUR 3,200 for the replacement."
)
NEW_EXAMPLE = "The flange of the NCP 80 cracked while unloading; we claim the repair costs."
SLOW_MS = 240_000  # checks, merges and a first classifier training on two shared cores
STEP_MS = 30_000

pytestmark = pytest.mark.slow


def shoot(page: Page, name: str, full: bool = False) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=full)


def log_in(page: Page, login: str) -> None:
    page.goto("/ui/login")
    page.get_by_label("Login name or e-mail").fill(login)
    page.get_by_label("Password").fill(PASSWORDS[login])
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("heading", name="Dashboard")).to_be_visible()


def flash(page: Page) -> str:
    return page.locator(".flash").inner_text()


def wait_for_priority(stack: Stack, wanted: str, timeout_s: float = 180) -> dict[str, Any]:
    deadline = time.monotonic() + timeout_s
    decision: dict[str, Any] = {}
    while time.monotonic() < deadline:
        decision = stack.inquiry(CLAIM)
        if decision["priority"] == wanted:
            return decision
        time.sleep(1)
    raise AssertionError(f"still {decision.get('priority')} after {timeout_s} s: {decision}")


def test_a_change_goes_from_editor_to_live(page: Page, browser: Browser, stack: Stack) -> None:
    page.set_default_timeout(STEP_MS)
    before = stack.inquiry(CLAIM)
    assert (before["queue"], before["priority"]) == ("quality_claims", "normal")
    assert "claim_above_threshold" not in before["reasons"]
    for sender, text in (
        ("purchasing@thamesvalley-pumps.example", "What is the status of order SO4500456?"),
        ("purchasing@thamesvalley-pumps.example", "When will SO4500409 be delivered?"),
        ("buchhaltung@hydro-kraft.example", "Please send us a copy of invoice INV26004512."),
        ("einkauf@alpenwerk-energie.example", "Late again! Third time I ask about SO4500310."),
    ):
        stack.inquiry(text, sender)

    # The editor adds an example phrase and tries a message against her proposal.
    log_in(page, "erika")
    page.get_by_role("link", name="Inquiry types").click()
    page.get_by_role("link", name="Damage or warranty claim").click()
    page.get_by_label("New entry for Example messages (en)").fill(NEW_EXAMPLE)
    page.get_by_label("What did you change and why?").fill("A cracked flange is a claim too")
    page.get_by_role("button", name="Save to my proposal").click()
    assert "Saved in your proposal “Erika's changes”" in flash(page)
    page.locator("#try-text").fill(CLAIM)
    page.get_by_role("button", name="Try it").click()
    expect(page.locator("#decision-title")).to_contain_text("route", timeout=SLOW_MS)
    expect(page.locator(".decision")).to_contain_text("damage_claim")
    page.locator(".decision").scroll_into_view_if_needed()
    shoot(page, "intent-edit")

    # ... and lowers the claim threshold with the condition builder.
    page.get_by_role("link", name="Escalation rules").click()
    expect(page.locator("#rule-claim_above_threshold")).to_contain_text("entities.amount ≥ 5000")
    shoot(page, "escalation-rules")
    page.locator("#rule-claim_above_threshold a").first.click()
    row = page.locator("[data-test-row]").filter(
        has=page.locator('option[value="entities.amount"][selected]')
    )
    row.locator("textarea").fill("2000")
    page.get_by_label("Title").fill("Damage or warranty claim of 2,000 or more")
    page.evaluate("document.activeElement.blur()")
    shoot(page, "condition-builder", full=True)
    page.get_by_role("button", name="Save to my proposal").click()
    assert "claim_above_threshold saved" in flash(page)
    expect(page.locator("#rule-claim_above_threshold")).to_contain_text("entities.amount ≥ 2000")

    # The answer texts preview live while typing (not saved).
    page.goto("/ui/templates/order_status?channel=email&locale=en")
    page.get_by_label("Subject").fill("Update on your order {{ order.order_no }}")
    expect(page.locator("[data-preview-result] .subject")).to_have_text(
        "Update on your order SO4501877"
    )
    shoot(page, "template-preview")

    # She submits; she cannot approve her own change, neither by button nor by a hand-made post.
    page.get_by_role("link", name="Proposals").click()
    page.get_by_role("link", name="Erika's changes").click()
    proposal_url = page.url
    page.get_by_role("button", name="Submit for review").click()
    assert "Submitted for review." in flash(page)
    expect(page.get_by_role("button", name="Approve")).to_have_count(0)
    token = page.locator('input[name="_csrf"]').first.get_attribute("value")
    refused = page.request.post(f"{proposal_url}/approve", form={"_csrf": token or ""})
    assert refused.status == 403
    assert "reviewer role" in refused.text()

    # The reviewer sees the diff and the checks, approves and merges.
    reviewer = browser.new_context(base_url=stack.base, viewport={"width": 1280, "height": 900})
    rolf = reviewer.new_page()
    rolf.set_default_timeout(STEP_MS)
    log_in(rolf, "rolf")
    rolf.goto(proposal_url)
    diff = rolf.locator("section[aria-labelledby=diff-h]")
    expect(diff).to_contain_text("value: 2000")
    expect(diff).to_contain_text(NEW_EXAMPLE)
    expect(rolf.locator("[data-load]").first).to_contain_text("tests pass", timeout=SLOW_MS)
    analysis = rolf.locator('[data-load$="/analysis"]')
    expect(analysis).to_contain_text("Guarantees", timeout=SLOW_MS)
    impact = rolf.locator('[data-load$="/impact"]')
    expect(impact).to_contain_text("decisions change", timeout=SLOW_MS)
    expect(impact).to_contain_text("route quality_claims/urgent")
    shoot(rolf, "proposal-review", full=True)
    rolf.get_by_role("button", name="Approve").click()
    assert "Approved." in flash(rolf)
    rolf.set_default_timeout(SLOW_MS)
    rolf.get_by_role("button", name="Merge and go live").click()
    assert "Merged" in flash(rolf)
    rolf.set_default_timeout(STEP_MS)
    expect(rolf.locator("h1 .badge")).to_have_text("merged")

    # Within seconds the runtime routes by the new threshold.
    after = wait_for_priority(stack, "urgent")
    assert after["queue"] == "quality_claims"
    assert "claim_above_threshold" in after["reasons"]
    history = re.sub(r"\s+", " ", rolf.goto("/ui/history/escalation/complaints.yaml").text())
    assert "Erika Neumann" in history and "Rolf Brandt" in history

    page.goto("/ui/")
    expect(page.locator("#reload-h + p")).to_contain_text("went live")
    shoot(page, "dashboard")
    reviewer.close()


def test_test_connection_runs_a_live_query(page: Page, stack: Stack) -> None:
    log_in(page, "rolf")
    page.get_by_role("link", name="Data connections").click()
    page.get_by_label("order_number").first.fill("SO4500123")  # a record of the demo ERP
    page.locator('[data-test-query="erp.order_by_reference"]').click()
    result = page.locator("#conn-erp [role=status]")
    expect(result).to_contain_text("order_by_reference: ok in")
    expect(result).to_contain_text("order_no")


def test_a_forged_form_post_is_refused(page: Page, stack: Stack) -> None:
    log_in(page, "erika")
    forged = page.request.post("/ui/queues/order_desk", form={"f.name": "Forged", "mode": "form"})
    assert forged.status == 403
    assert "did not come from this session" in forged.text()
    other = page.request.post("/ui/logout", form={"_csrf": "made-up"})
    assert other.status == 403
    page.goto("/ui/queues")
    expect(page.get_by_role("link", name="Order desk")).to_be_visible()
