"""Prometheus metrics of one app: decisions, phases, requests, lookups, reloads, reminders.

Each app has its own `CollectorRegistry`, so two apps in one process (tests) never share or
collide. Events are counted as they happen (`observe_decision`, `observe_request`, lookups
through `MeteredData`, `reload_built`); states are read when /metrics is scraped (readiness,
live revision, circuit breakers, reloader counters, reminders sent, which the reminder store
keeps across restarts). Label values are ids from the rules repository (intents, reasons,
connectors, queries), route templates and revisions: never customer data.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Iterator, Mapping
from typing import Any

from prometheus_client import (
    CollectorRegistry,
    Counter,
    Histogram,
    disable_created_metrics,
    generate_latest,
)
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric

from switchboard import __version__
from switchboard.engine.types import DataSource, Decision, LookupResult
from switchboard.runtime.active import ActiveRuleset

log = logging.getLogger("switchboard.metrics")
disable_created_metrics()  # no `_created` series: they double the output and say little

PHASE_BUCKETS = (5e-5, 1e-4, 2.5e-4, 5e-4, 1e-3, 2.5e-3, 5e-3, 0.01, 0.025, 0.05, 0.1, 0.25, 1.0)
REQUEST_BUCKETS = (1e-3, 2.5e-3, 5e-3, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)
LOOKUP_BUCKETS = (5e-4, 1e-3, 2.5e-3, 5e-3, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5)
BUILD_BUCKETS = (0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0, 120.0, 300.0)
BREAKER_STATES = ("closed", "open", "half_open")
CONTENT_TYPE = "text/plain; version=0.0.4"  # Litestar adds the charset


class Metrics:
    def __init__(self, active: ActiveRuleset) -> None:
        self.registry = CollectorRegistry()
        self.active = active
        self.reloader: Any = None  # runtime.reloader.Reloader, once it runs
        self.reminders: Any = None  # reminders.service.ReminderService, once it runs
        self._seen_builds: set[tuple[str, str]] = set()
        self._lock = threading.Lock()
        r = self.registry
        self.decisions = Counter(
            "switchboard_decisions",
            "Decisions answered, by outcome, intent, channel and mode (live or dry_run).",
            ["outcome", "intent", "channel", "mode"],
            registry=r,
        )
        self.reasons = Counter(
            "switchboard_decision_reasons",
            "Reasons given by decisions answered, by outcome (a decision may give several).",
            ["outcome", "reason"],
            registry=r,
        )
        self.phases = Histogram(
            "switchboard_decision_phase_seconds",
            "Time the engine spent per phase of a decision (Decision.timings_us).",
            ["phase"],
            buckets=PHASE_BUCKETS,
            registry=r,
        )
        self.requests = Counter(
            "switchboard_http_requests",
            "HTTP requests answered, by method, route template and status.",
            ["method", "route", "status"],
            registry=r,
        )
        self.request_seconds = Histogram(
            "switchboard_http_request_duration_seconds",
            "Time from request to the end of the response, by method and route template.",
            ["method", "route"],
            buckets=REQUEST_BUCKETS,
            registry=r,
        )
        self.lookups = Counter(
            "switchboard_lookups",
            "Live data lookups made for decisions, by connector, query and status.",
            ["connector", "query", "status"],
            registry=r,
        )
        self.lookup_seconds = Histogram(
            "switchboard_lookup_duration_seconds",
            "Time a live data lookup took, by connector and query.",
            ["connector", "query"],
            buckets=LOOKUP_BUCKETS,
            registry=r,
        )
        self.reloads = Counter(
            "switchboard_reloads",
            "Revisions built by the reloader, by result (live or failed) and revision.",
            ["result", "revision"],
            registry=r,
        )
        self.reload_seconds = Histogram(
            "switchboard_reload_build_seconds",
            "Time to build a revision (load, engine, repository tests), by result.",
            ["result"],
            buckets=BUILD_BUCKETS,
            registry=r,
        )
        r.register(_StateCollector(self))

    # ----- events -------------------------------------------------------------------------

    def observe_decision(self, decision: Decision, channel: str, *, dry_run: bool) -> None:
        mode = "dry_run" if dry_run else "live"
        self.decisions.labels(decision.outcome, decision.intent, channel, mode).inc()
        for reason in dict.fromkeys(decision.reasons):
            self.reasons.labels(decision.outcome, reason).inc()
        for phase, micros in decision.timings_us.items():
            self.phases.labels(phase).observe(micros / 1e6)

    def observe_request(self, method: str, route: str, status: int, seconds: float) -> None:
        self.requests.labels(method, route, str(status)).inc()
        self.request_seconds.labels(method, route).observe(seconds)

    def observe_lookup(self, connector: str, query: str, status: str, seconds: float) -> None:
        self.lookups.labels(connector, query, status).inc()
        self.lookup_seconds.labels(connector, query).observe(seconds)

    def reload_built(self, build: Mapping[str, Any]) -> None:
        """A build the reloader finished (its `last_build` entry); each is counted once."""
        revision = str(build.get("revision") or "")
        key = (revision, str(build.get("finished_at")))
        with self._lock:
            if key in self._seen_builds:
                return
            self._seen_builds.add(key)
        result = "live" if build.get("ok") else "failed"
        self.reloads.labels(result, revision).inc()
        total = (build.get("timings_s") or {}).get("total")
        if isinstance(total, int | float):
            self.reload_seconds.labels(result).observe(float(total))

    # ----- what is scraped ------------------------------------------------------------------

    def follow_reloader(self, reloader: Any) -> None:
        """Count every build of `reloader` from now on, and the one it may have just finished."""
        self.reloader = reloader
        listeners = getattr(reloader, "listeners", None)
        if isinstance(listeners, list):
            listeners.append(self.reload_built)
        last = reloader.status().get("last_build")
        if last:
            self.reload_built(last)

    def metered(self, data: DataSource) -> DataSource:
        return MeteredData(data, self)

    def exposition(self) -> bytes:
        return generate_latest(self.registry)


class MeteredData:
    """A DataSource that times and counts every lookup of the one it wraps."""

    def __init__(self, inner: DataSource, metrics: Metrics) -> None:
        self._inner = inner
        self._metrics = metrics

    def fetch(self, connector: str, query: str, params: dict[str, Any]) -> LookupResult:
        started = time.perf_counter()
        result = self._inner.fetch(connector, query, params)
        elapsed = time.perf_counter() - started
        self._metrics.observe_lookup(connector, query, result.status, elapsed)
        return result

    def __getattr__(self, name: str) -> Any:  # status(), close()
        return getattr(self._inner, name)


class _StateCollector:
    """Gauges and counters read from the live objects at scrape time."""

    def __init__(self, metrics: Metrics) -> None:
        self._metrics = metrics

    def describe(self) -> list[Metric]:
        return []  # nothing to check at registration; names are unique by construction

    def collect(self) -> Iterator[Metric]:
        metrics = self._metrics
        info = GaugeMetricFamily("switchboard_info", "The running version.", labels=["version"])
        info.add_metric([__version__], 1)
        yield info
        snapshot = metrics.active.peek()
        yield GaugeMetricFamily(
            "switchboard_ready", "1 once a revision is live.", value=int(snapshot is not None)
        )
        yield GaugeMetricFamily(
            "switchboard_rules_failing",
            "1 while the latest revision tried did not go live (the old one keeps serving).",
            value=int(metrics.active.last_failure is not None),
        )
        revision = GaugeMetricFamily(
            "switchboard_revision_info", "The revision serving now.", labels=["revision"]
        )
        if snapshot is not None:
            revision.add_metric([snapshot.revision], 1)
            yield GaugeMetricFamily(
                "switchboard_revision_loaded_timestamp_seconds",
                "When the live revision went live (Unix time).",
                value=snapshot.loaded_at.timestamp(),
            )
            yield from _connectors(snapshot.data)
        yield revision
        if metrics.reloader is not None:
            yield _reloader_events(metrics.reloader.status())
        if metrics.reminders is not None:
            sent = _reminders_sent(metrics.reminders)
            if sent is not None:
                yield sent


def _connectors(data: Any) -> Iterator[Metric]:
    status_of = getattr(data, "status", None)
    if not callable(status_of):
        return
    states = GaugeMetricFamily(
        "switchboard_connector_circuit_state",
        "1 for the state each connector's circuit breaker is in (closed, open, half_open).",
        labels=["connector", "state"],
    )
    failing = GaugeMetricFamily(
        "switchboard_connector_consecutive_failures",
        "Failures in a row of each connector (the breaker opens at its threshold).",
        labels=["connector"],
    )
    calls = CounterMetricFamily(
        "switchboard_connector_calls",
        "Calls each connector made to its source (cache hits and refusals not included).",
        labels=["connector"],
    )
    failures = CounterMetricFamily(
        "switchboard_connector_failures",
        "Calls of each connector that failed (errors and timeouts).",
        labels=["connector"],
    )
    timeouts = CounterMetricFamily(
        "switchboard_connector_timeouts",
        "Calls of each connector that timed out.",
        labels=["connector"],
    )
    for cid, status in sorted(status_of().items()):
        for state in BREAKER_STATES:
            states.add_metric([cid, state], int(status.state == state))
        failing.add_metric([cid], status.consecutive_failures)
        calls.add_metric([cid], status.calls)
        failures.add_metric([cid], status.failures)
        timeouts.add_metric([cid], status.timeouts)
    yield from (states, failing, calls, failures, timeouts)


def _reloader_events(status: Mapping[str, Any]) -> Metric:
    events = CounterMetricFamily(
        "switchboard_reloader_events",
        "What the reloader did: checks, builds, went_live, failed, fetches, fetch_failures, "
        "errors, triggers, rollbacks.",
        labels=["event"],
    )
    for name, count in sorted((status.get("counts") or {}).items()):
        events.add_metric([name], count)
    return events


def _reminders_sent(service: Any) -> Metric | None:
    sent = CounterMetricFamily(
        "switchboard_reminders_sent",
        "Review reminders sent, by kind (due_soon, overdue, digest) and channel; kept across "
        "restarts in the reminder store.",
        labels=["kind", "channel"],
    )
    try:
        totals = service.store.sent_totals()
    except Exception as exc:  # a store that is down must not take /metrics with it
        log.warning("reminders sent cannot be read for /metrics: %s", exc)
        return None
    for (kind, channel), count in sorted(totals.items()):
        sent.add_metric([kind, channel], count)
    return sent
