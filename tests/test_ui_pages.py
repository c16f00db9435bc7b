"""Every page renders for a logged-in user, errors are pages too, and the dashboard counts
the decisions the store holds."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import Any

import pytest
from litestar.testing import TestClient

from switchboard.store.conversations.records import DecisionRecord
from switchboard.web.ui.charts import outcome_bars, rate_line
from switchboard.web.ui.stats import compute
from ui_support import log_in, post_form, ui_app, ui_settings

PAGES = [
    ("/ui/", "Dashboard"),
    ("/ui/taxonomy", "Order status"),
    ("/ui/taxonomy/order_status", "Example messages"),
    ("/ui/taxonomy/order_status?mode=yaml", "YAML of taxonomy/order_status.yaml"),
    ("/ui/escalation", "Legal and complaints"),
    ("/ui/escalation/safety/legal_threat", "The rule applies when"),
    ("/ui/escalation/safety/new", "New rule"),
    ("/ui/queues", "Quality and claims"),
    ("/ui/queues/quality_claims", "Service levels"),
    ("/ui/templates", "signature"),
    ("/ui/templates/order_status?channel=email&locale=en", "Your order SO4500123"),
    ("/ui/snippets/signature", "order_status"),
    ("/ui/connectors", "No revision is live yet"),
    ("/ui/proposals", "Proposals"),
    ("/ui/reviews", "Reviews due"),
    ("/ui/history/queues/order_desk.yaml", "Rules Author"),
    ("/ui/files/switchboard.yaml", "Test order desk"),
    ("/ui/try", "Try a message"),
]


@pytest.fixture
def settings(tmp_path: Path, tmp_path_factory: pytest.TempPathFactory) -> Any:
    return ui_settings(tmp_path, tmp_path_factory.getbasetemp() / "ui-cache")


@pytest.fixture(scope="module")
def vera(tmp_path_factory: pytest.TempPathFactory) -> TestClient[Any]:
    """One viewer session for the read-only checks (they change nothing)."""
    settings = ui_settings(
        tmp_path_factory.mktemp("pages"), tmp_path_factory.getbasetemp() / "ui-cache"
    )
    client = TestClient(ui_app(settings))
    assert log_in(client, "vera").status_code == 303
    return client


@pytest.mark.parametrize(("url", "text"), PAGES)
def test_every_page_renders(vera: TestClient[Any], url: str, text: str) -> None:
    response = vera.get(url)
    assert response.status_code == 200, response.text
    assert text in response.text
    html = response.text
    assert html.count("<main") == 1 and 'lang="en"' in html
    for control in re.findall(r"<(?:input|select|textarea)\b[^>]*>", html):
        if 'type="hidden"' in control or 'type="radio"' in control or 'type="checkbox"' in control:
            continue
        control_id = re.search(r'id="([^"]+)"', control)
        labelled = "aria-label=" in control or (
            control_id and f'for="{control_id.group(1)}"' in html
        )
        assert labelled, f"{url}: a control without a label: {control}"


def test_unknown_pages_and_ids_are_html_errors(vera: TestClient[Any]) -> None:
    for url in ("/ui/nothing-here", "/ui/taxonomy/no_such_type", "/ui/proposals/zzz999"):
        response = vera.get(url)
        assert response.status_code == 404, url
        assert "text/html" in response.headers["content-type"]
        assert "Not found" in response.text


def test_the_static_files_are_served(vera: TestClient[Any]) -> None:
    css = vera.get("/ui/static/app.css")
    assert css.status_code == 200 and "--brand" in css.text
    assert "data-try" in vera.get("/ui/static/app.js").text


def test_try_a_message_shows_the_decision_and_why(settings: Any) -> None:
    client = TestClient(ui_app(settings))
    assert log_in(client, "erika").status_code == 303
    response = post_form(
        client,
        "/ui/try",
        {
            "text": "Where is SO4500123? Next step is our lawyer.",
            "channel": "email",
            "customer": "C10023",
            "rules": "proposal",
        },
        page="/ui/try",
    )
    assert response.status_code == 200
    html = response.text
    assert "Decision:" in html and "route" in html
    assert "legal_threat" in html and "quality_claims" in html
    assert re.search(r"Closest example</dt><dd>0\.\d\d similar", html)  # the gate's cosine
    fragment = post_form(
        client,
        "/ui/try",
        {"text": "Status of order SO4500124 please", "channel": "sms", "customer": "C10023"},
        page="/ui/try",
    )
    assert fragment.status_code == 200


def record(day: dt.datetime, outcome: str, reasons: tuple[str, ...] = ()) -> DecisionRecord:
    return DecisionRecord(
        id=f"d{day.timestamp()}{outcome}{len(reasons)}",
        conversation_id=None,
        customer_id=None,
        channel="email",
        revision="abc",
        outcome=outcome,
        intent="order_status",
        queue=None,
        reasons=reasons,
        created_at=day,
        decision={},
        inquiry={},
        context={},
    )


def test_dashboard_figures_count_outcomes_per_day_and_reasons() -> None:
    today = dt.date(2026, 12, 3)
    noon = dt.datetime(2026, 12, 3, 12, tzinfo=dt.UTC)
    records = [
        record(noon, "auto_reply"),
        record(noon, "auto_reply"),
        record(noon, "route", ("legal_threat", "complaint")),
        record(noon - dt.timedelta(days=1), "clarify"),
        record(noon - dt.timedelta(days=1), "route", ("legal_threat",)),
        record(noon - dt.timedelta(days=30), "route", ("too_old",)),
    ]
    stats = compute(records, today, days=14)
    assert len(stats.days) == 14 and stats.days[-1].day == today
    assert stats.days[-1].counts == {"auto_reply": 2, "clarify": 0, "route": 1}
    assert stats.days[-2].counts == {"auto_reply": 0, "clarify": 1, "route": 1}
    assert stats.total == 5 and stats.automated == 3
    assert stats.reasons == [("legal_threat", 2), ("complaint", 1)]
    bars = outcome_bars(stats.days)
    assert len(bars.bars) == 4  # two stacked outcomes on each of the two days with decisions
    tallest = min(bar.y for bar in bars.bars)
    assert tallest == pytest.approx(8.0)  # the busiest day reaches the top of the plot
    line = rate_line(stats.days)
    assert len(line.dots) == 2 and "67%" in line.dots[-1][2]


def test_the_dashboard_shows_stored_decisions(settings: Any) -> None:
    app = ui_app(settings)
    now = dt.datetime.now(dt.UTC)
    with app.state.conversations.store.transaction() as writes:
        writes.decisions.add(record(now, "auto_reply"))
        writes.decisions.add(record(now, "route", ("legal_threat",)))
    client = TestClient(app)
    assert log_in(client, "vera").status_code == 303
    html = client.get("/ui/").text
    assert "50 %" in html and "1 of 2 decisions" in html
    assert "<code>legal_threat</code>" in html
