"""Saving through the UI: every save is a commit on the user's open proposal, forms keep the
file's layout, a stale form never overwrites, and broken input saves nothing."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from litestar.testing import TestClient

from proposals_support import branch_head
from repo_helpers import git
from ui_support import log_in, post_form, ui_app, ui_settings

INTENT = "taxonomy/order_status.yaml"
SAFETY = "escalation/safety.yaml"


@pytest.fixture
def settings(tmp_path: Path, tmp_path_factory: pytest.TempPathFactory) -> Any:
    return ui_settings(tmp_path, tmp_path_factory.getbasetemp() / "ui-cache")


@pytest.fixture
def erika(settings: Any) -> TestClient[Any]:
    client = TestClient(ui_app(settings))
    assert log_in(client, "erika").status_code == 303
    return client


def base_of(client: TestClient[Any], url: str) -> str:
    found = re.search(r'name="base" value="([0-9a-f]+)"', client.get(url).text)
    assert found, url
    return found.group(1)


def draft_head(settings: Any) -> tuple[str, str]:
    """(proposal id, branch head) of the one draft."""
    refs = git(settings.rules_path, "for-each-ref", "--format=%(refname:short) %(objectname)")
    drafts = [line.split() for line in refs.splitlines() if not line.startswith("main ")]
    assert len(drafts) == 1, refs
    name, head = drafts[0]
    return name, head


def diff_of(settings: Any, head: str) -> str:
    return git(settings.rules_path, "diff", "main", head)


def changed_lines(diff: str) -> list[str]:
    return [
        line
        for line in diff.splitlines()
        if line[:1] in "+-" and not line.startswith(("+++", "---"))
    ]


def form_of(client: TestClient[Any], url: str) -> dict[str, Any]:
    """The values a browser would send back for the unchanged edit form."""
    html = client.get(url).text
    pattern = r'<input type="(?:text|number|hidden)"[^>]*name="([^"]+)" value="([^"]*)"'
    fields: dict[str, Any] = dict(re.findall(pattern, html))
    for name, value in re.findall(
        r'<input type="checkbox" name="([^"]+)" value="([^"]*)" checked', html
    ):
        fields.setdefault(name, []).append(value)
    for name, text in re.findall(
        r'<textarea[^>]*name="([^"]+)"[^>]*>\n?(.*?)</textarea>', html, re.S
    ):
        fields[name] = text.replace("&#34;", '"').replace("&#39;", "'").replace("&amp;", "&")
    for name, options in re.findall(r'<select[^>]*name="([^"]+)"[^>]*>(.*?)</select>', html, re.S):
        chosen = re.search(r'<option value="([^"]*)"[^>]*? selected', options)
        fields[name] = chosen.group(1) if chosen else ""
    return {k: v for k, v in fields.items() if not k.startswith("_") and k != "message"}


def test_a_form_save_starts_a_proposal_and_changes_only_what_changed(
    erika: TestClient[Any], settings: Any
) -> None:
    url = "/ui/taxonomy/order_status"
    data = form_of(erika, url)
    data["f.examples.en.new"] = "Has order SO4500999 left your warehouse yet?"
    data["f.priority"] = "high"
    response = post_form(erika, url, {**data, "message": "One more example"})
    assert response.status_code == 303, response.text
    main_before = branch_head(settings.rules_path, "main")
    _, head = draft_head(settings)
    changed = changed_lines(diff_of(settings, head))
    assert changed == [
        "+priority: high",  # where the schema puts it: after the team
        '-  en: ["Where is my order SO4500123?", "Status of order SO4500124 please"]',
        '+  en: ["Where is my order SO4500123?", "Status of order SO4500124 please", '
        '"Has order SO4500999 left your warehouse yet?"]',
    ]
    assert branch_head(settings.rules_path, "main") == main_before  # nothing went live
    page = erika.get("/ui/proposals")
    assert "Erika&#39;s changes" in page.text or "Erika's changes" in page.text
    log = git(settings.rules_path, "log", "-1", "--format=%an|%s", head)
    assert log == "Erika Neumann|One more example"


def test_a_stale_form_is_refused_and_overwrites_nothing(
    erika: TestClient[Any], settings: Any
) -> None:
    url = "/ui/queues/order_desk"
    first = form_of(erika, url)
    assert post_form(erika, url, {**first, "f.name": "Desk one"}).status_code == 303
    stale_base = base_of(erika, url)
    fresh = form_of(erika, url)
    assert (
        post_form(erika, url, {**fresh, "f.name": "Desk two", "base": stale_base}).status_code
        == 303
    )
    refused = post_form(erika, url, {**fresh, "f.name": "Desk three", "base": stale_base})
    assert refused.status_code == 409
    assert "nothing was overwritten" in refused.text
    assert "Your unsaved input" in refused.text and "Desk three" in refused.text
    _, head = draft_head(settings)
    assert "name: Desk two" in git(settings.rules_path, "show", f"{head}:queues/order_desk.yaml")


def test_broken_yaml_saves_nothing_and_says_why(erika: TestClient[Any], settings: Any) -> None:
    url = f"/ui/files/{SAFETY}"
    base = base_of(erika, url + "?mode=yaml")
    response = post_form(
        erika, url, {"mode": "yaml", "yaml": "id: safety\nrules: [\n", "base": base}
    )
    assert response.status_code == 422
    assert "Not saved." in response.text and "escalation/safety.yaml" in response.text
    assert "/ui/proposals/" not in erika.get("/ui/proposals?state=draft").text
    assert branch_head(settings.rules_path, "main") == git(settings.rules_path, "rev-parse", "main")


def test_rules_move_up_and_down_without_script(erika: TestClient[Any], settings: Any) -> None:
    base = base_of(erika, "/ui/escalation")
    response = post_form(
        erika,
        "/ui/escalation/safety/move",
        {"rule": "complaints_to_claims", "direction": "up", "base": base},
        page="/ui/escalation",
    )
    assert response.status_code == 303, response.text
    _, head = draft_head(settings)
    text = git(settings.rules_path, "show", f"{head}:{SAFETY}")
    assert text.index("id: complaints_to_claims") < text.index("id: legal_threat")
    listing = erika.get("/ui/escalation").text
    assert listing.index('id="rule-complaints_to_claims"') < listing.index('id="rule-legal_threat"')


def test_the_condition_builder_edits_a_threshold(erika: TestClient[Any], settings: Any) -> None:
    url = "/ui/escalation/safety/complaints_to_claims"
    data = form_of(erika, url)
    assert data["c.kind"] == "all" and data["c.1.fact"] == "confidence"
    added = post_form(erika, url, {**data, "action": "add-test:c"})
    assert added.status_code == 200 and 'name="c.2.fact"' in added.text
    assert "Not saved yet." in added.text
    assert branch_head(settings.rules_path, "main") is not None
    data["c.1.value"] = "0.7"
    saved = post_form(erika, url, {**data, "action": "save"})
    assert saved.status_code == 303, saved.text
    _, head = draft_head(settings)
    changed = changed_lines(diff_of(settings, head))
    assert changed == [
        "-        - {fact: confidence, op: gte, value: 0.5}",
        "+        - {fact: confidence, op: gte, value: 0.7}",
    ]


def test_a_rule_that_would_break_the_rules_is_not_saved(erika: TestClient[Any]) -> None:
    url = "/ui/escalation/safety/complaints_to_claims"
    data = form_of(erika, url)
    data["r.then.queue"] = "no_such_team"
    refused = post_form(erika, url, {**data, "action": "save"})
    assert refused.status_code == 422
    assert "no_such_team" in refused.text


def test_an_answer_text_is_saved_and_previewed(erika: TestClient[Any], settings: Any) -> None:
    url = "/ui/templates/order_status?channel=sms&locale=en"
    page = erika.get(url)
    assert "Order SO4500123: shipped" in page.text  # preview with the test cases' record
    broken = post_form(
        erika,
        "/ui/templates/order_status/preview",
        {"channel": "sms", "locale": "en", "body": "Order {{ order.nothing_here }}"},
        page=url,
    )
    assert "cannot be sent as it is" in broken.text
    saved = post_form(
        erika,
        "/ui/templates/order_status",
        {
            "channel": "sms",
            "locale": "en",
            "body": "Nordwerk: order {{ order.order_no }} is {{ order.status }}",
            "base": base_of(erika, url),
        },
        page=url,
    )
    assert saved.status_code == 303, saved.text
    _, head = draft_head(settings)
    changed = changed_lines(diff_of(settings, head))
    assert len(changed) == 2 and "Nordwerk: order" in changed[1]


def test_mark_reviewed_opens_a_proposal_in_review(settings: Any) -> None:
    client = TestClient(ui_app(settings))
    with client:  # the reminders need the live revision: run the app's lifespan
        assert log_in(client, "erika").status_code == 303
        for _ in range(600):
            if "queues/order_desk.yaml" in client.get("/ui/reviews?show=all").text:
                break
            import time

            time.sleep(0.1)
        response = post_form(
            client,
            "/ui/reviews/mark",
            {"path": "queues/order_desk.yaml", "note": "Checked contacts and hours."},
            page="/ui/reviews?show=all",
        )
        assert response.status_code == 303, response.text
        page = client.get(response.headers["location"])
        assert "in review" in page.text
        assert "last_reviewed" in page.text and "Checked contacts and hours." in page.text
