"""Shared pieces of the operations tests (no tests here): a small real server on a marked rules
repository (tests/test_reload_support.py), and reading /metrics the way Prometheus does."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from litestar.testing import TestClient
from prometheus_client.parser import text_string_to_metric_families

from api_support import make_settings, mint, wait_until_settled
from switchboard.app import create_app
from switchboard.settings import Settings
from test_reload_support import make_erp, make_marked_repo

Samples = dict[tuple[str, frozenset[tuple[str, str]]], float]


def scrape(client: TestClient[Any]) -> Samples:
    """Every sample of /metrics, keyed by (sample name, labels)."""
    response = client.get("/metrics")
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/plain; version=0.0.4")
    out: Samples = {}
    for family in text_string_to_metric_families(response.text):
        for sample in family.samples:
            out[(sample.name, frozenset(sample.labels.items()))] = sample.value
    return out


def value(samples: Samples, name: str, **labels: str) -> float:
    """The sample `name` with exactly `labels` (0 when it is not there yet)."""
    return samples.get((name, frozenset(labels.items())), 0.0)


def total(samples: Samples, name: str, **labels: str) -> float:
    """The sum of every sample `name` whose labels include `labels`."""
    wanted = set(labels.items())
    return sum(v for (n, have), v in samples.items() if n == name and wanted <= have)


@dataclass
class Small:
    """The real app on a small marked repository and a SQLite ERP."""

    client: TestClient[Any]
    root: Path
    settings: Settings
    first: str
    keys: dict[str, dict[str, str]]

    def ask(self, inquiry: dict[str, Any], *, dry_run: bool = False) -> Any:
        path = "/v1/inquiries/dry-run" if dry_run else "/v1/inquiries"
        return self.client.post(path, json=inquiry, headers=self.keys["gw"])

    def status(self) -> dict[str, Any]:
        body: dict[str, Any] = self.client.get("/v1/status", headers=self.keys["ops"]).json()
        return body


@contextmanager
def small_server(tmp: Path, **settings: Any) -> Iterator[Small]:
    root, first = make_marked_repo(tmp / "rules")
    db = make_erp(tmp / "erp.sqlite")
    config = make_settings(tmp / "var", root, reload_poll_s=0.1, **settings)
    keys = {"gw": mint(config, "gw", "inquiries:write"), "ops": mint(config, "ops", "admin")}
    app = create_app(config, environ={"SWITCHBOARD_ERP_DSN": f"sqlite:///{db}"})
    with TestClient(app) as client:
        assert wait_until_settled(client) == 200
        yield Small(client, root, config, first, keys)
