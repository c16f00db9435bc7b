"""docs/operations.md keeps up with the code: every setting and every metric is documented,
and the document names no setting or metric that does not exist."""

from __future__ import annotations

import re
from pathlib import Path

from prometheus_client.parser import text_string_to_metric_families

from switchboard.observability.metrics import Metrics
from switchboard.runtime.active import ActiveRuleset
from switchboard.settings import describe

ROOT = Path(__file__).resolve().parents[1]
DOC = (ROOT / "docs" / "operations.md").read_text(encoding="utf-8")
CONNECTORS = ROOT / "rules-repo" / "connectors"


def connector_variables() -> set[str]:
    """The variables the demo connectors name (dsn_setting, base_url_setting, secret_setting)."""
    found: set[str] = set()
    for path in CONNECTORS.glob("*.yaml"):
        found |= set(re.findall(r"_setting:\s*(SWITCHBOARD_[A-Z0-9_]+)", path.read_text()))
    return found


def documented_settings() -> set[str]:
    return set(re.findall(r"`(SWITCHBOARD_[A-Z0-9_]+)`", DOC))


def test_every_setting_is_documented() -> None:
    missing = [name for name, _, _ in describe() if f"`{name}`" not in DOC]
    assert missing == [], f"add these to the settings table of docs/operations.md: {missing}"


def test_every_documented_setting_exists() -> None:
    known = {name for name, _, _ in describe()} | connector_variables()
    assert connector_variables()  # the demo connectors do name their variables
    stale = sorted(documented_settings() - known)
    assert stale == [], f"docs/operations.md names settings that do not exist: {stale}"


def test_every_default_in_the_table_is_the_real_one() -> None:
    rows = dict(re.findall(r"^\| `(SWITCHBOARD_[A-Z0-9_]+)` \| ([^|]+) \|", DOC, re.MULTILINE))
    for name, default, _ in describe():
        shown = rows[name].strip()
        expected = "-" if default in ("", "None") else f"`{default}`"
        assert shown == expected, f"{name}: the table says {shown}, the code {expected}"


def exposed_metrics() -> set[str]:
    """Every family a live app exposes, with one sample of each event metric recorded."""
    metrics = Metrics(ActiveRuleset())
    text = metrics.exposition().decode()
    names = {family.name for family in text_string_to_metric_families(text)}
    names |= {family.name for family in metrics.registry.collect() if family.type != "unknown"}
    return names


def documented_metrics() -> set[str]:
    return set(re.findall(r"^\| `(switchboard_[a-z_]+)`", DOC, re.MULTILINE))


def test_every_metric_is_documented_and_every_documented_one_exists() -> None:
    exposed = {_base(name) for name in exposed_metrics()}
    documented = {_base(name) for name in documented_metrics()}
    # Families read at scrape time from live objects (connectors, reloader, reminders) only
    # appear when those exist; they are checked against their source below.
    scraped_later = {
        "switchboard_connector_circuit_state",
        "switchboard_connector_consecutive_failures",
        "switchboard_connector_calls",
        "switchboard_connector_failures",
        "switchboard_connector_timeouts",
        "switchboard_reloader_events",
        "switchboard_reminders_sent",
        "switchboard_revision_loaded_timestamp_seconds",
    }
    assert exposed - documented == set(), "undocumented metrics"
    assert documented - exposed - scraped_later == set(), "documented metrics that do not exist"
    source = (ROOT / "server" / "switchboard" / "observability" / "metrics.py").read_text()
    for name in scraped_later:
        assert f'"{name}"' in source, name


def _base(name: str) -> str:
    return name.removesuffix("_total")
