"""HTTP throughput of the decision API against a bare Litestar echo endpoint.

Both servers run in their own process on 127.0.0.1 under the same uvicorn settings (one worker,
no access log) and take the same JSON bodies; the echo endpoint decodes the body into the same
msgspec struct and sends it back. One bounded load generator (keep-alive HTTP/1.1 over asyncio,
N connections, a fixed duration) drives them in alternating rounds and stops by itself.

    python -m bench.http [--seconds 10] [--connections 16] [--rounds 5] [--live]

Without --live the inquiries carry no sender, so no decision touches the ERP: this measures the
server and the engine. With --live every inquiry comes from a demo ERP contact and names one of
that customer's orders or invoices, so every routine decision looks up the customer and the
order or invoice in the demo ERP database (SQL) and shipments over its HTTP facade.
Results are printed as a table and written to bench/results/http-<time>.json.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import datetime as dt
import json
import os
import random
import socket
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"
HOST = "127.0.0.1"

GENERIC_TEXTS = [
    "Where is my order SO4500123? We have not heard anything for a week.",
    "Wann wird unsere Bestellung SO4500187 geliefert?",
    "Please send me a copy of invoice INV26004512.",
    "The pump housing arrived cracked, we want to claim transport damage.",
    "Can you quote 12 mechanical seals for the NP-80 series?",
    "I would like to speak to a person about our account.",
    "We need to change the delivery address of order SO4500200.",
    "Your last shipment was short two impellers, this is unacceptable.",
]

LIVE_TEXTS = [
    "Where is my order {order}? Please tell me its status.",
    "When will order {order} be delivered?",
    "Wo steht unsere Bestellung {order}?",
    "Please send invoice {invoice} again, we cannot find it.",
]


# ----- servers ----------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        port: int = sock.getsockname()[1]
        return port


def serve_echo(port: int) -> None:
    """The baseline: same framework, same server settings, same body type, no work."""
    import uvicorn
    from litestar import Litestar, get, post
    from litestar.params import JSONBody

    from switchboard.engine.types import Inquiry

    @post("/echo", status_code=200)
    async def echo(data: JSONBody[Inquiry]) -> Inquiry:
        return data

    @get("/ready")
    async def ready() -> dict[str, str]:
        return {"status": "ready"}

    names = {"Inquiry": Inquiry, "JSONBody": JSONBody}  # annotations are strings here
    app = Litestar([echo, ready], openapi_config=None, signature_namespace=names)
    uvicorn.run(app, host=HOST, port=port, log_level="warning", access_log=False)


@contextlib.contextmanager
def process(argv: list[str], env: dict[str, str], log: Path) -> Iterator[subprocess.Popen[bytes]]:
    with log.open("wb") as out:
        proc = subprocess.Popen(argv, env=env, stdout=out, stderr=subprocess.STDOUT, cwd=ROOT)
        try:
            yield proc
        finally:
            proc.terminate()
            try:
                proc.wait(10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()


def wait_ready(url: str, proc: subprocess.Popen[bytes], log: Path, timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"server exited early:\n{log.read_text()[-3000:]}")
        with contextlib.suppress(httpx.HTTPError):
            if httpx.get(url, timeout=2).status_code == 200:
                return
        time.sleep(0.2)
    raise SystemExit(f"{url} was not ready after {timeout} s:\n{log.read_text()[-3000:]}")


# ----- load generator ---------------------------------------------------------------------


@dataclass
class Tally:
    """What one target answered, over all its rounds."""

    latencies: list[float] = field(default_factory=list)
    statuses: Counter[int] = field(default_factory=Counter)
    engine_us: list[int] = field(default_factory=list)
    outcomes: Counter[str] = field(default_factory=Counter)
    seconds: float = 0.0


@dataclass
class Run:
    name: str
    requests: int = 0
    seconds: float = 0.0
    statuses: dict[int, int] = field(default_factory=dict)
    rps: float = 0.0
    p50_ms: float = 0.0
    p99_ms: float = 0.0
    engine_ms: float | None = None  # mean of the decisions' own timings_us.total
    outcomes: dict[str, int] = field(default_factory=dict)  # of one decision in 16

    @classmethod
    def of(cls, name: str, tally: Tally) -> Run:
        lat = sorted(tally.latencies)
        run = cls(name, len(lat), round(tally.seconds, 3), dict(tally.statuses))
        run.outcomes = dict(tally.outcomes)
        if lat:
            run.rps = round(len(lat) / tally.seconds, 1)
            run.p50_ms = round(statistics.median(lat) * 1000, 2)
            run.p99_ms = round(lat[min(len(lat) - 1, int(len(lat) * 0.99))] * 1000, 2)
        if tally.engine_us:
            run.engine_ms = round(statistics.mean(tally.engine_us) / 1000, 3)
        return run


def build_requests(path: str, bodies: list[bytes], key: str) -> list[bytes]:
    out = []
    for body in bodies:
        head = (
            f"POST {path} HTTP/1.1\r\nHost: {HOST}\r\nContent-Type: application/json\r\n"
            f"Authorization: Bearer {key}\r\nContent-Length: {len(body)}\r\n\r\n"
        )
        out.append(head.encode() + body)
    return out


async def drive(port: int, requests: list[bytes], conns: int, seconds: float, into: Tally) -> None:
    """Send `requests` over `conns` keep-alive connections for `seconds`; add to `into`."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + seconds
    sampler = random.Random(port)

    async def connection(offset: int) -> None:  # every connection cycles through all bodies
        reader, writer = await asyncio.open_connection(HOST, port)
        n = offset
        try:
            while loop.time() < deadline:
                request = requests[n % len(requests)]
                n += 1
                started = time.perf_counter()
                writer.write(request)
                head = await reader.readuntil(b"\r\n\r\n")
                length = 0
                for line in head.split(b"\r\n")[1:]:
                    if line[:15].lower() == b"content-length:":
                        length = int(line[15:])
                body = await reader.readexactly(length)
                into.latencies.append(time.perf_counter() - started)
                into.statuses[int(head[9:12])] += 1
                if sampler.random() < 1 / 16 and b'"timings_us"' in body:
                    decision = json.loads(body)
                    into.engine_us.append(decision["timings_us"].get("total", 0))
                    into.outcomes[f"{decision['intent']}:{decision['outcome']}"] += 1
        finally:
            writer.close()

    started = time.perf_counter()
    await asyncio.wait_for(
        asyncio.gather(*(connection(i) for i in range(conns))), timeout=seconds + 60
    )
    into.seconds += time.perf_counter() - started


def measure(
    targets: list[tuple[str, int, list[bytes]]], conns: int, seconds: float, rounds: int
) -> list[Run]:
    """Alternate the targets in `rounds` short rounds, so load from elsewhere hits both alike."""
    tallies = {name: Tally() for name, _, _ in targets}
    for _, port, requests in targets:
        asyncio.run(drive(port, requests, conns, 1.0, Tally()))  # warm up
    for _ in range(rounds):
        for name, port, requests in targets:
            asyncio.run(drive(port, requests, conns, seconds / rounds, tallies[name]))
    return [Run.of(name, tallies[name]) for name, _, _ in targets]


# ----- inquiries --------------------------------------------------------------------------


def generic_bodies() -> list[bytes]:
    return [
        json.dumps({"channel": channel, "text": text}).encode()
        for text in GENERIC_TEXTS
        for channel in ("email", "chat")
    ]


def live_bodies(db: Path, count: int = 60) -> list[bytes]:
    """Inquiries from real demo contacts about their own orders and invoices."""
    with contextlib.closing(sqlite3.connect(db)) as conn:
        rows = conn.execute(
            "SELECT c.email, o.order_no, i.invoice_no FROM contacts c "
            "JOIN orders o ON o.customer_id = c.customer_id "
            "LEFT JOIN invoices i ON i.order_no = o.order_no "
            "ORDER BY c.email, o.order_no"
        ).fetchall()
    rng = random.Random(7)
    picked = rng.sample(rows, min(count, len(rows)))
    bodies = []
    for i, (email, order, invoice) in enumerate(picked):
        template = LIVE_TEXTS[i % len(LIVE_TEXTS)]
        if "{invoice}" in template and not invoice:
            template = LIVE_TEXTS[0]
        text = template.format(order=order, invoice=invoice)
        body = {"channel": "email", "text": text, "identifiers": {"email": email}}
        bodies.append(json.dumps(body).encode())
    return bodies


# ----- main -------------------------------------------------------------------------------


def prepare(work: Path) -> tuple[dict[str, str], str, Path]:
    """Settings for the API process, a key, and the demo ERP database."""
    from switchboard.demo_erp.database import build_database
    from switchboard.resources import resource_dir
    from switchboard.web.apikeys import create_key

    data = work / "var"
    key = create_key(data / "api-keys.json", "bench", ["inquiries:write"])
    db = data / "demo-erp.sqlite"
    build_database(db)
    env = dict(os.environ)
    env.update(
        SWITCHBOARD_RULES_PATH=str(resource_dir("rules-repo")),
        SWITCHBOARD_DATA_DIR=str(data),
        SWITCHBOARD_CACHE_DIR=str(ROOT / "var" / "cache"),  # keep the trained engine
        SWITCHBOARD_LOG_LEVEL="warning",
        SWITCHBOARD_EMBEDDING_MEMO="0",  # the sample texts repeat: run the model every time
    )
    return env, key, db


def table(runs: list[Run]) -> str:
    head = f"{'endpoint':<12}{'requests':>10}{'req/s':>10}{'p50 ms':>10}{'p99 ms':>10}"
    lines = [head + f"{'engine ms':>11}  statuses"]
    for r in runs:
        engine = f"{r.engine_ms:>11.3f}" if r.engine_ms is not None else f"{'-':>11}"
        lines.append(
            f"{r.name:<12}{r.requests:>10}{r.rps:>10.1f}{r.p50_ms:>10.2f}{r.p99_ms:>10.2f}"
            f"{engine}  {r.statuses}"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.http", description=__doc__)
    parser.add_argument("--seconds", type=float, default=10.0, help="time per target, in all")
    parser.add_argument("--connections", type=int, default=16, help="concurrent connections")
    parser.add_argument("--live", action="store_true", help="live ERP lookups on every decision")
    parser.add_argument("--rounds", type=int, default=5, help="alternations of the two targets")
    parser.add_argument("--serve-echo", type=int, metavar="PORT", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.serve_echo:
        serve_echo(args.serve_echo)
        return 0

    with tempfile.TemporaryDirectory(prefix="sb-bench-") as tmp:
        work = Path(tmp)
        env, key, db = prepare(work)
        erp_port, api_port, echo_port = free_port(), free_port(), free_port()
        erp_token = "bench-erp-token"
        env.update(
            SWITCHBOARD_ERP_DSN=f"sqlite:///{db}",
            SWITCHBOARD_ERP_API_URL=f"http://{HOST}:{erp_port}/api/v1",
            SWITCHBOARD_ERP_API_TOKEN=erp_token,
        )
        sb = [sys.executable, "-m", "switchboard.cli"]
        erp_argv = [*sb, "demo-erp", "serve", "--path", str(db), "--host", HOST]
        erp_argv += ["--port", str(erp_port), "--token", erp_token]
        api_argv = [*sb, "serve", "--port", str(api_port), "--no-access-log"]
        echo_argv = [sys.executable, "-m", "bench.http", "--serve-echo", str(echo_port)]
        with (
            process(erp_argv, env, work / "erp.log") as erp,
            process(api_argv, env, work / "api.log") as api,
            process(echo_argv, env, work / "echo.log") as echo,
        ):
            wait_ready(f"http://{HOST}:{erp_port}/healthz", erp, work / "erp.log")
            wait_ready(f"http://{HOST}:{api_port}/ready", api, work / "api.log")
            wait_ready(f"http://{HOST}:{echo_port}/ready", echo, work / "echo.log")
            bodies = live_bodies(db) if args.live else generic_bodies()
            targets = [
                ("echo", echo_port, build_requests("/echo", bodies, key)),
                ("decision", api_port, build_requests("/v1/inquiries", bodies, key)),
            ]
            runs = measure(targets, args.connections, args.seconds, args.rounds)
    echo_run, decision_run = runs
    ratio = round(decision_run.rps / echo_run.rps, 3) if echo_run.rps else 0.0
    print(table(runs))
    if decision_run.outcomes:
        sample = ", ".join(f"{k} {v}" for k, v in sorted(decision_run.outcomes.items()))
        print(f"sampled decisions (intent:outcome): {sample}")
    mode = "live ERP lookups" if args.live else "no lookups"
    print(f"decision/echo ratio: {ratio} (target >= 0.5); {args.connections} connections, {mode}")
    RESULTS.mkdir(parents=True, exist_ok=True)
    stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%SZ")
    out = RESULTS / f"http-{'live-' if args.live else ''}{stamp}.json"
    result = {
        "at": stamp,
        "live": args.live,
        "connections": args.connections,
        "seconds": args.seconds,
        "rounds": args.rounds,
        "bodies": len(bodies),
        "ratio": ratio,
        "runs": [asdict(r) for r in runs],
    }
    out.write_text(json.dumps(result, indent=2) + "\n")
    print(f"results: {out.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
