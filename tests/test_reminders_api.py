"""`/v1/reviews` on the real app: listing what is due, and marking a file reviewed."""

from __future__ import annotations

import datetime as dt
import difflib
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from litestar.testing import TestClient

from api_support import assert_error, make_settings, mint, wait_until_settled
from repo_helpers import BASE, git, make_repo
from switchboard.app import create_app
from switchboard.reminders.due import local_today
from switchboard.web.apikeys import create_key

OLD_META = "  review_every: 90d\n  last_reviewed: 2026-09-15\n"


def today() -> dt.date:
    """The repository's date now (the app runs on the real clock)."""
    return local_today(dt.datetime.now(dt.UTC), "Europe/Berlin")


def meta(every: str, last: dt.date) -> str:
    return f"  review_every: {every}\n  last_reviewed: {last.isoformat()}  # kept\n"


def rules(day: dt.date) -> dict[str, str]:
    """Every file reviewed today, except one overdue and one due in 10 days."""
    special = {
        "queues/quality_claims.yaml": meta("90d", day - dt.timedelta(days=100)),
        "templates/order_status.yaml": meta("90d", day - dt.timedelta(days=80)),
    }
    return {
        path: text.replace(OLD_META, special.get(path, meta("1y", day)))
        for path, text in BASE.items()
    }


class Api:
    def __init__(self, client: TestClient[Any], repo: Path, headers: dict[str, dict[str, str]]):
        self.client, self.repo, self.headers = client, repo, headers

    def get(self, url: str, key: str = "reader") -> Any:
        return self.client.get(url, headers=self.headers[key])

    def mark(self, path: str, note: Any, key: str = "editor") -> Any:
        url = f"/v1/reviews/{path}/mark-reviewed"
        return self.client.post(url, json={"note": note}, headers=self.headers[key])


@pytest.fixture(scope="module")
def api(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Api]:
    tmp = tmp_path_factory.mktemp("reviews")
    day = today()
    repo = make_repo(tmp / "rules", rules(day))
    settings = make_settings(tmp / "var", repo)
    headers = {
        "reader": mint(settings, "reader", "proposals:read"),
        "gateway": mint(settings, "gateway", "inquiries:write"),
        "nobody": mint(settings, "nobody", "proposals:write"),
    }
    key = create_key(
        settings.keys_path,
        "editor",
        ["proposals:write"],
        user=("Jonas Keller", "jonas.keller@nordwerk.example"),
        roles=["editor"],
    )
    headers["editor"] = {"Authorization": f"Bearer {key}"}
    with TestClient(create_app(settings)) as client:
        assert wait_until_settled(client) == 200
        yield Api(client, repo, headers)


def test_due_within_lists_the_overdue_and_due_soon_files(api: Api) -> None:
    response = api.get("/v1/reviews?due_within=14d")
    assert response.status_code == 200, response.text
    body = response.json()
    day = today()
    assert body["today"] == day.isoformat()
    assert body["due_by"] == (day + dt.timedelta(days=14)).isoformat()
    assert body["revision"] == git(api.repo, "rev-parse", "main")
    items = body["items"]
    assert [(i["path"], i["state"], i["days_left"]) for i in items] == [
        ("queues/quality_claims.yaml", "overdue", -10),
        ("templates/order_status.yaml", "due_soon", 10),
    ]
    assert items[0]["owner"] == "anna.berger@nordwerk.example"
    assert items[0]["reason"].startswith("review every 90d, last reviewed ")
    assert items[0]["cause"] == "interval" and items[0]["triggers"] == []


def test_without_due_within_every_file_is_listed(api: Api) -> None:
    items = api.get("/v1/reviews").json()["items"]
    assert len(items) == len(BASE)
    assert sum(i["state"] == "ok" for i in items) == len(BASE) - 2


def test_a_longer_look_ahead_counts_more_as_due_soon(api: Api) -> None:
    items = api.get("/v1/reviews?due_within=2y").json()["items"]
    assert len(items) == len(BASE)
    assert {i["state"] for i in items} == {"overdue", "due_soon"}


def test_listing_needs_a_key_with_the_scope_and_a_real_period(api: Api) -> None:
    assert_error(api.client.get("/v1/reviews"), 401, "unauthorized")
    assert_error(api.get("/v1/reviews", key="gateway"), 403, "forbidden")
    details = assert_error(api.get("/v1/reviews?due_within=soon"), 422, "invalid_request")
    assert details == {"field": "due_within"}


def test_mark_reviewed_opens_a_proposal_that_changes_only_the_metadata(api: Api) -> None:
    path = "queues/quality_claims.yaml"
    response = api.mark(path, "Checked the claim SLA; still right.")
    assert response.status_code == 201, response.text
    proposal = response.json()
    assert proposal["state"] == "in_review"
    assert proposal["title"] == f"Reviewed {path}"
    assert proposal["created_by"]["email"] == "jonas.keller@nordwerk.example"
    before = git(api.repo, "show", f"main:{path}")
    after = git(api.repo, "show", f"{proposal['head']}:{path}")
    diff = list(difflib.ndiff(before.splitlines(), after.splitlines()))
    removed = [line[2:] for line in diff if line.startswith("- ")]
    added = [line[2:] for line in diff if line.startswith("+ ")]
    assert len(removed) == 1 and removed[0].startswith("  last_reviewed: ")
    assert added == [
        f"  last_reviewed: {today().isoformat()}  # kept",
        '  change_note: "Checked the claim SLA; still right."',
    ]
    data = yaml.safe_load(after)
    assert data["metadata"]["last_reviewed"] == today()
    assert git(api.repo, "diff", "--stat", "main", proposal["head"]).count("|") == 1
    # the live revision is unchanged until the proposal is approved and merged
    items = api.get("/v1/reviews?due_within=14d").json()["items"]
    assert path in {i["path"] for i in items}


def test_mark_reviewed_refuses_bad_requests(api: Api) -> None:
    assert_error(api.mark("queues/nope.yaml", "ok"), 404, "not_found")
    response = api.client.post(
        "/v1/reviews/queues/order_desk.yaml/approve",
        json={"note": "ok"},
        headers=api.headers["editor"],
    )
    assert_error(response, 404, "not_found")
    assert_error(api.mark("queues/order_desk.yaml", "  "), 422, "invalid_request")
    assert_error(api.mark("queues/order_desk.yaml", "ok", key="reader"), 403, "forbidden")
    assert_error(api.mark("queues/order_desk.yaml", "ok", key="nobody"), 403, "no_identity")
    response = api.client.post(
        "/v1/reviews/queues/order_desk.yaml/mark-reviewed",
        json={"note": "ok", "extra": 1},
        headers=api.headers["editor"],
    )
    assert_error(response, 422, "invalid_request")


def test_the_reminder_service_follows_the_live_revision(api: Api) -> None:
    service = api.client.app.state.reminders
    deadline = time.monotonic() + 3.0
    while service.plan is None and time.monotonic() < deadline:
        time.sleep(0.05)
    assert service.plan is not None
    assert service.plan.revision == git(api.repo, "rev-parse", "main")
    assert not service.running  # no SMTP relay and no webhook configured: nothing to send
    assert service.today() == today()
