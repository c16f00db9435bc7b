"""Shared pieces of the conversation store tests: the demo rules and ERP, a running app.

The demo rules train a classifier on first load; every test module of a session shares one
compiled-ruleset cache, so that happens once. `demo_ruleset` is loaded once per process.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from litestar.testing import TestClient

from api_support import make_settings, mint, wait_until_settled
from switchboard.app import create_app
from switchboard.connectors import LiveData
from switchboard.demo_erp.database import build_database, sqlite_dsn
from switchboard.rules import load_ruleset
from switchboard.rules.model import Ruleset
from switchboard.settings import Settings
from switchboard.web.apikeys import create_key

DEMO_RULES = Path(__file__).resolve().parents[1] / "rules-repo"
HYDRO_EMAIL = "einkauf@hydro-kraft.example"
HYDRO_PHONE = "+496215550123"
THAMES_PHONE = "+442079460456"
_RULESETS: dict[Path, Ruleset] = {}


def rules_cache(factory: pytest.TempPathFactory) -> Path:
    """The compiled-ruleset cache every test module of this session shares."""
    path = factory.getbasetemp() / "conversations-rules-cache"
    path.mkdir(exist_ok=True)
    return path


def demo_ruleset(factory: pytest.TempPathFactory) -> Ruleset:
    cache = rules_cache(factory)
    if cache not in _RULESETS:
        result = load_ruleset(DEMO_RULES, None, build_engine=True, cache_dir=cache)
        assert result.ruleset is not None, result.problems[:5]
        _RULESETS[cache] = result.ruleset
    return _RULESETS[cache]


def demo_erp(directory: Path) -> Path:
    path = directory / "demo-erp.sqlite"
    build_database(path)
    return path


def erp_environ(erp: Path) -> dict[str, str]:
    return {"SWITCHBOARD_ERP_DSN": sqlite_dsn(erp)}


@contextmanager
def live_data(ruleset: Ruleset, erp: Path) -> Iterator[LiveData]:
    data = LiveData(ruleset.connectors, erp_environ(erp))
    try:
        yield data
    finally:
        data.close()


class Api:
    """The real app on the demo rules and a demo ERP, with keys for every role."""

    def __init__(self, client: TestClient[Any], keys: dict[str, dict[str, str]], data_dir: Path):
        self.client, self.keys, self.data_dir = client, keys, data_dir

    def ask(
        self, text: str, *, channel: str = "email", dry_run: bool = False, **fields: Any
    ) -> Any:
        body: dict[str, Any] = {"channel": channel, "text": text, **fields}
        path = "/v1/inquiries/dry-run" if dry_run else "/v1/inquiries"
        return self.client.post(path, json=body, headers=self.keys["gateway"])

    def decide(self, text: str, **kw: Any) -> dict[str, Any]:
        response = self.ask(text, **kw)
        assert response.status_code == 200, response.text
        decision: dict[str, Any] = response.json()
        return decision

    def get(self, path: str, key: str = "agent", **params: Any) -> Any:
        return self.client.get(path, params=params, headers=self.keys[key])

    def post(self, path: str, body: Any, key: str = "agent") -> Any:
        return self.client.post(path, json=body, headers=self.keys[key])


@contextmanager
def running_api(factory: pytest.TempPathFactory, name: str) -> Iterator[Api]:
    tmp = factory.mktemp(name)
    erp = demo_erp(tmp)
    settings = make_settings(tmp / "var", DEMO_RULES, cache_dir=rules_cache(factory))
    keys = {
        "gateway": mint(settings, "email-gateway", "inquiries:write"),
        "reader": mint(settings, "dashboard", "conversations:read"),
        "agent": _mint_agent(settings),
    }
    app = create_app(settings, environ=erp_environ(erp))
    with TestClient(app) as client:
        assert wait_until_settled(client, timeout=300) == 200
        yield Api(client, keys, settings.data_dir)


def _mint_agent(settings: Settings) -> dict[str, str]:
    """A key acting as a person, as an agent desk would hold."""
    key = create_key(
        settings.keys_path,
        "agent-desk",
        ["conversations:write"],
        user=("Anna Berger", "anna.berger@nordwerk.example"),
    )
    return {"Authorization": f"Bearer {key}"}


def utc(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> dt.datetime:
    return dt.datetime(year, month, day, hour, minute, tzinfo=dt.UTC)
