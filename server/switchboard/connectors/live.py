"""`LiveData`: the DataSource the engine uses in production, one runner per connector.

A fetch binds the query's params, answers from the cache when the connector allows aged
answers, refuses while the circuit breaker is open, and otherwise asks the backend under the
connector's timeout. Every outcome is a LookupResult; nothing here raises to the engine.
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
import time
from collections.abc import Callable, Mapping
from typing import Any

import msgspec

from switchboard.connectors.backends import Backend, create_backend
from switchboard.connectors.breaker import CircuitBreaker, State
from switchboard.connectors.cache import AgeCache
from switchboard.connectors.errors import (
    ConfigError,
    LookupFailure,
    LookupTimeout,
    NothingToLookUp,
)
from switchboard.connectors.params import ParamError, bind
from switchboard.connectors.shape import build_row
from switchboard.engine.types import LookupResult, LookupStatus
from switchboard.rules.model import Connector, Query

log = logging.getLogger("switchboard.connectors")


class ConnectorStatus(msgspec.Struct):
    """What /v1/status shows for one connector."""

    id: str
    kind: str
    state: State
    consecutive_failures: int
    retry_in_s: float | None
    calls: int
    failures: int
    timeouts: int
    last_error: str | None
    last_ok_at: dt.datetime | None
    last_failure_at: dt.datetime | None
    pool_size: int
    cached: int


class _Runner:
    def __init__(self, connector: Connector, env: Mapping[str, str], clock: Callable[[], float]):
        self.connector = connector
        self.env = env
        self.breaker = CircuitBreaker(
            connector.breaker_failures, connector.breaker_reset_s, clock=clock
        )
        self.cache: AgeCache[LookupResult] | None = (
            AgeCache(connector.max_age_s, clock=clock) if connector.max_age_s > 0 else None
        )
        self._backend: Backend | None = None
        self._lock = threading.Lock()
        self.stats_lock = threading.Lock()
        self.calls = self.failures = self.timeouts = 0
        self.last_error: str | None = None
        self.last_ok_at: dt.datetime | None = None
        self.last_failure_at: dt.datetime | None = None

    def backend(self) -> Backend:
        with self._lock:
            if self._backend is None:
                self._backend = create_backend(self.connector, self.env)
            return self._backend

    def close(self) -> None:
        with self._lock:
            if self._backend is not None:
                self._backend.close()
                self._backend = None


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


class LiveData:
    """Live lookups over the connectors of one ruleset; implements engine.types.DataSource.

    `clock` drives the breakers' reset times and the cache's ages (tests pass a fake one);
    timeouts always use the real monotonic clock.
    """

    def __init__(
        self,
        connectors: Mapping[str, Connector],
        env: Mapping[str, str],
        *,
        clock: Callable[[], float] = time.monotonic,
        wall: Callable[[], dt.datetime] = _now,
    ) -> None:
        self._clock = clock
        self._wall = wall
        self._runners = {cid: _Runner(c, env, clock) for cid, c in connectors.items()}

    def fetch(self, connector: str, query: str, params: dict[str, Any]) -> LookupResult:
        source = f"{connector}.{query}"
        runner = self._runners.get(connector)
        spec = runner.connector.queries.get(query) if runner else None
        if runner is None or spec is None:
            return LookupResult(status="error", source=source, error=f"unknown query {source}")
        try:
            bound = bind(spec, params)
        except ParamError as error:
            return LookupResult(status="error", source=source, error=str(error))
        key = (query, tuple(sorted(bound.items())))
        if runner.cache is not None:
            hit = runner.cache.get(key)
            if hit is not None:
                cached, age = hit
                row = dict(cached.row) if cached.row is not None else None
                return msgspec.structs.replace(cached, row=row, age_ms=int(age * 1000))
        try:
            backend = runner.backend()
        except ConfigError as error:
            runner.last_error = str(error)
            return LookupResult(status="error", source=source, error=str(error))
        if not runner.breaker.allow():
            retry = runner.breaker.retry_in()
            detail = (
                f"circuit open; next trial in {retry:.1f}s" if retry is not None else "circuit open"
            )
            return LookupResult(status="circuit_open", source=source, error=detail)
        result = self._call(runner, backend, spec, bound, source)
        if runner.cache is not None and result.status in ("ok", "not_found"):
            runner.cache.put(key, result)
        return result

    def _call(
        self, runner: _Runner, backend: Backend, spec: Query, bound: dict[str, Any], source: str
    ) -> LookupResult:
        deadline = time.monotonic() + runner.connector.timeout_ms / 1000
        status: LookupStatus
        try:
            record = backend.run(spec, bound, deadline)
            row = None
            if record is not None:
                row = build_row(spec, record, by_pointer=backend.kind == "http")
        except NothingToLookUp as reason:  # no request was made
            runner.breaker.release()
            return LookupResult(status="not_found", source=source, error=str(reason))
        except ConfigError as error:  # no request was made
            runner.breaker.release()
            runner.last_error = str(error)
            return LookupResult(status="error", source=source, error=str(error))
        except LookupFailure as failure:
            status = "timeout" if isinstance(failure, LookupTimeout) else "error"
            return self._failed(runner, source, status, str(failure))
        except Exception as error:  # a bug or an unforeseen driver error must not crash a request
            log.exception("lookup %s failed unexpectedly", source)
            return self._failed(runner, source, "error", f"unexpected {type(error).__name__}")
        runner.breaker.success()
        fetched_at = self._wall()
        with runner.stats_lock:
            runner.calls += 1
            runner.last_ok_at = fetched_at
        if row is None:
            return LookupResult(status="not_found", source=source, fetched_at=fetched_at)
        return LookupResult(status="ok", row=row, source=source, fetched_at=fetched_at)

    def _failed(
        self, runner: _Runner, source: str, status: LookupStatus, error: str
    ) -> LookupResult:
        runner.breaker.failure()
        with runner.stats_lock:
            runner.calls += 1
            runner.failures += 1
            runner.timeouts += status == "timeout"
            runner.last_error = error
            runner.last_failure_at = self._wall()
        log.warning("lookup %s: %s: %s", source, status, error)
        return LookupResult(status=status, source=source, error=error)

    def status(self) -> dict[str, ConnectorStatus]:
        return {
            cid: ConnectorStatus(
                id=cid,
                kind=runner.connector.kind,
                state=runner.breaker.state,
                consecutive_failures=runner.breaker.consecutive_failures,
                retry_in_s=runner.breaker.retry_in(),
                calls=runner.calls,
                failures=runner.failures,
                timeouts=runner.timeouts,
                last_error=runner.last_error,
                last_ok_at=runner.last_ok_at,
                last_failure_at=runner.last_failure_at,
                pool_size=runner.connector.pool_size,
                cached=len(runner.cache) if runner.cache is not None else 0,
            )
            for cid, runner in self._runners.items()
        }

    def close(self) -> None:
        for runner in self._runners.values():
            runner.close()
