"""Decision API throughput with the store on SQLite (one replica) and on PostgreSQL (one and two
replicas), every request a live inquiry that is recorded.

    python -m bench.replicas [--seconds 10] [--connections 16] [--rounds 5] [--live]

A throwaway PostgreSQL cluster is started in a temp dir on a free port (the tests' helper,
tests/pg_support.py); without the PostgreSQL server programs only SQLite is measured. Every
`switchboard serve` process runs at once (one worker each, no access log, the demo rules and
the demo ERP); the targets are driven in alternating rounds by bench/http.py's bounded
keep-alive load generator, the two replicas of a target at the same time with half the
connections each, as a load balancer would spread them. All processes share the machine's
cores with the database and the load generator, so two replicas here measure contention, not
the gain of a second machine. Results: a table, and bench/results/replicas-<time>.json.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import datetime as dt
import json
import sys
import tempfile
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from bench.http import (
    HOST,
    RESULTS,
    ROOT,
    Run,
    Tally,
    build_requests,
    drive,
    free_port,
    generic_bodies,
    live_bodies,
    prepare,
    process,
    wait_ready,
)


@dataclass(frozen=True)
class Target:
    name: str
    ports: tuple[int, ...]


def merged(parts: list[Tally]) -> Tally:
    """Tallies of replicas driven side by side: their requests over the same wall time."""
    out = Tally()
    for part in parts:
        out.latencies += part.latencies
        out.statuses.update(part.statuses)
    out.seconds = max(part.seconds for part in parts)
    return out


def measure(
    targets: list[Target], requests: list[bytes], conns: int, seconds: float, rounds: int
) -> list[Run]:
    """Alternate the targets in `rounds` short rounds; a target's replicas share `conns`."""

    async def one_round(target: Target, length: float, into: list[Tally]) -> None:
        each = max(1, conns // len(target.ports))
        pairs = zip(target.ports, into, strict=True)
        await asyncio.gather(*(drive(port, requests, each, length, t) for port, t in pairs))

    totals: dict[str, Tally] = {t.name: Tally() for t in targets}
    for target in targets:  # warm up
        asyncio.run(one_round(target, 1.0, [Tally() for _ in target.ports]))
    for _ in range(rounds):
        for target in targets:
            parts = [Tally() for _ in target.ports]
            asyncio.run(one_round(target, seconds / rounds, parts))
            step = merged(parts)
            total = totals[target.name]
            total.latencies += step.latencies
            total.statuses.update(step.statuses)
            total.seconds += step.seconds
    return [Run.of(t.name, totals[t.name]) for t in targets]


@contextlib.contextmanager
def postgres() -> Iterator[Any]:
    """A running throwaway cluster, or None when PostgreSQL is not installed."""
    sys.path.insert(0, str(ROOT / "tests"))
    from pg_support import Server, available

    if not available():
        yield None
        return
    server = Server(durable=True)  # fsync on, as PostgreSQL is deployed
    try:
        yield server
    finally:
        server.stop()


def table(runs: list[Run]) -> str:
    lines = [f"{'store':<16}{'requests':>10}{'req/s':>10}{'p50 ms':>10}{'p99 ms':>10}  statuses"]
    for r in runs:
        lines.append(
            f"{r.name:<16}{r.requests:>10}{r.rps:>10.1f}{r.p50_ms:>10.2f}{r.p99_ms:>10.2f}"
            f"  {r.statuses}"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.replicas", description=__doc__)
    parser.add_argument("--seconds", type=float, default=10.0, help="time per target, in all")
    parser.add_argument("--connections", type=int, default=16, help="concurrent connections")
    parser.add_argument("--rounds", type=int, default=5, help="alternations of the targets")
    parser.add_argument("--live", action="store_true", help="live ERP lookups on every decision")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="sb-replicas-") as tmp, postgres() as pg:
        work = Path(tmp)
        env, key, db = prepare(work)
        erp_port, erp_token = free_port(), "bench-erp-token"
        env |= {
            "SWITCHBOARD_ERP_DSN": f"sqlite:///{db}",
            "SWITCHBOARD_ERP_API_URL": f"http://{HOST}:{erp_port}/api/v1",
            "SWITCHBOARD_ERP_API_TOKEN": erp_token,
            "SWITCHBOARD_API_KEYS_FILE": str(work / "var" / "api-keys.json"),
        }
        layout: list[tuple[str, int, str]] = [("sqlite x1", 1, "")]
        if pg is not None:
            layout += [
                ("postgres x1", 1, pg.create_database("one")),
                ("postgres x2", 2, pg.create_database("two")),
            ]
        sb = [sys.executable, "-m", "switchboard.cli"]
        with contextlib.ExitStack() as stack:
            erp_argv = [*sb, "demo-erp", "serve", "--path", str(db), "--host", HOST]
            erp_argv += ["--port", str(erp_port), "--token", erp_token]
            erp = stack.enter_context(process(erp_argv, env, work / "erp.log"))
            wait_ready(f"http://{HOST}:{erp_port}/healthz", erp, work / "erp.log")
            targets = []
            for name, count, url in layout:
                ports = []
                for n in range(count):
                    port = free_port()
                    data = work / f"{name.replace(' ', '-')}-{n}"
                    log = work / f"{data.name}.log"
                    replica_env = env | {"SWITCHBOARD_DATA_DIR": str(data)}
                    if url:
                        replica_env["SWITCHBOARD_DATABASE_URL"] = url
                    argv = [*sb, "serve", "--port", str(port), "--no-access-log"]
                    proc = stack.enter_context(process(argv, replica_env, log))
                    ports.append(port)
                    wait_ready(f"http://{HOST}:{port}/ready", proc, log)
                targets.append(Target(name, tuple(ports)))
            bodies = live_bodies(db) if args.live else generic_bodies()
            requests = build_requests("/v1/inquiries", bodies, key)
            runs = measure(targets, requests, args.connections, args.seconds, args.rounds)
    print(table(runs))
    if pg is None:
        print("PostgreSQL is not installed here: only SQLite was measured (see ci/postgres.sh)")
    mode = "live ERP lookups" if args.live else "no lookups"
    print(f"{args.connections} connections per store (split over its replicas), {mode}")
    RESULTS.mkdir(parents=True, exist_ok=True)
    stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%SZ")
    out = RESULTS / f"replicas-{'live-' if args.live else ''}{stamp}.json"
    result = {
        "at": stamp,
        "live": args.live,
        "connections": args.connections,
        "seconds": args.seconds,
        "rounds": args.rounds,
        "runs": [asdict(r) for r in runs],
    }
    out.write_text(json.dumps(result, indent=2) + "\n")
    print(f"results: {out.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
