"""`python -m bench` (or `make bench`): the headline figures in one table.

    python -m bench [--quick]          measure everything below, print one table
    python -m bench NAME [ARGS ...]    run one bench script as it is (decide, http, reload, ...)
    python -m bench --scripts          run every script's own main, one after another

The table is built from the scripts' own functions: decision time in the engine on the demo
rules and on 30 inquiry types with 500 escalation rules (bench/decide.py); HTTP decisions per
second as a share of a bare Litestar echo, without lookups or storing, storing, and with live
ERP lookups and storing, with p50 and p99 (bench/http.py); approved commit to live
(bench/reload.py); replay throughput of the impact preview (bench/replay.py); the server's
memory on the demo rules and on a generated repository of 1,000 files (bench/load_ruleset.py's
generator). It is printed as Markdown, ready to paste, and written to
bench/results/summary-<time>.json. `--quick` uses fewer rounds: rougher, a few minutes less.
"""

from __future__ import annotations

import argparse
import datetime as dt
import importlib
import inspect
import json
import os
import pkgutil
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"


@dataclass(frozen=True)
class Budget:
    decide_rounds: int
    http_seconds: float
    http_rounds: int
    commits: int
    generated_commits: int
    replay_count: int

    @classmethod
    def of(cls, quick: bool) -> Budget:
        if quick:
            return cls(400, 4.0, 2, 2, 1, 300)
        return cls(2000, 10.0, 5, 5, 3, 2000)


Row = tuple[str, str, str]  # figure, value, detail


# ----- the measurements, each from its script's functions ------------------------------------


def decide_rows(budget: Budget, out: dict[str, Any]) -> list[Row]:
    from bench import decide

    from switchboard.rules import load_ruleset

    demo = load_ruleset(ROOT / "rules-repo").ruleset
    assert demo is not None, "the demo rules do not load"
    print("== decide: demo rules", flush=True)
    figures = {"demo": decide.measure(demo, decide.DEMO_TEXTS, budget.decide_rounds)}
    generated = decide.generated_ruleset()
    print("== decide: 30 inquiry types, 500 escalation rules", flush=True)
    texts = decide.generated_texts(generated)
    figures["generated"] = decide.measure(generated, texts, budget.decide_rounds)
    out["decide"] = figures
    labels = {"demo": "demo rules", "generated": "30 intents x 500 rules"}
    return [
        (
            f"decide, {labels[name]}",
            f"{f['total']['median_us']:,.0f} µs",
            f"p99 {f['total']['p99_us']:,.0f} µs; rules {f['rules']['median_us']:,.0f} µs, "
            f"classify {f['classify']['median_us']:,.0f} µs (median)",
        )
        for name, f in figures.items()
    ]


def http_rows(budget: Budget, out: dict[str, Any], rss: dict[str, float]) -> list[Row]:
    from bench import http

    from switchboard.demo_erp.database import sqlite_dsn

    with tempfile.TemporaryDirectory(prefix="sb-bench-") as tmp:
        work = Path(tmp)
        env, key, db = http.prepare(work)
        erp_port, api_port, echo_port = http.free_port(), http.free_port(), http.free_port()
        env.update(
            SWITCHBOARD_ERP_DSN=sqlite_dsn(db),
            SWITCHBOARD_ERP_API_URL=f"http://{http.HOST}:{erp_port}/api/v1",
            SWITCHBOARD_ERP_API_TOKEN="bench-erp-token",
        )
        sb = [sys.executable, "-m", "switchboard.cli"]
        erp = [*sb, "demo-erp", "serve", "--path", str(db), "--host", http.HOST]
        erp += ["--port", str(erp_port), "--token", "bench-erp-token"]
        api = [*sb, "serve", "--port", str(api_port), "--no-access-log"]
        echo = [sys.executable, "-m", "bench.http", "--serve-echo", str(echo_port)]
        with (
            http.process(erp, env, work / "erp.log") as erp_proc,
            http.process(api, env, work / "api.log") as api_proc,
            http.process(echo, env, work / "echo.log") as echo_proc,
        ):
            http.wait_ready(f"http://{http.HOST}:{erp_port}/healthz", erp_proc, work / "erp.log")
            http.wait_ready(f"http://{http.HOST}:{api_port}/ready", api_proc, work / "api.log")
            http.wait_ready(f"http://{http.HOST}:{echo_port}/ready", echo_proc, work / "echo.log")
            generic, live = http.generic_bodies(), http.live_bodies(db)
            targets = [
                ("echo", echo_port, http.build_requests("/echo", generic, key)),
                ("plain", api_port, http.build_requests("/v1/inquiries/dry-run", generic, key)),
                ("stored", api_port, http.build_requests("/v1/inquiries", generic, key)),
                ("live", api_port, http.build_requests("/v1/inquiries", live, key)),
            ]
            print("== http: echo and three kinds of decision, alternating", flush=True)
            runs = http.measure(targets, 16, budget.http_seconds, budget.http_rounds)
            rss["demo"] = _rss_mb(api_proc.pid)
    print(http.table(runs))
    out["http"] = [asdict(run) for run in runs]
    echo_run, *decisions = runs
    labels = {
        "plain": "HTTP decision, no lookups, not stored",
        "stored": "HTTP decision, no lookups, stored",
        "live": "HTTP decision, live ERP lookups, stored",
    }
    rows: list[Row] = [
        (
            "HTTP bare Litestar echo",
            f"{echo_run.rps:,.0f} req/s",
            f"p50 {echo_run.p50_ms:.1f} ms, p99 {echo_run.p99_ms:.1f} ms; 16 connections",
        )
    ]
    for run in decisions:
        ratio = run.rps / echo_run.rps if echo_run.rps else 0.0
        errors = sum(n for status, n in run.statuses.items() if int(status) >= 400)
        rows.append(
            (
                labels[run.name],
                f"{run.rps:,.0f} req/s",
                f"{ratio:.2f} x echo; p50 {run.p50_ms:.1f} ms, p99 {run.p99_ms:.1f} ms"
                + (f"; {errors} errors" if errors else ""),
            )
        )
    return rows


def reload_rows(budget: Budget, out: dict[str, Any]) -> list[Row]:
    from bench import load_ruleset, reload

    rows: list[Row] = []
    with tempfile.TemporaryDirectory(prefix="sb-bench-reload-") as tmp_name:
        tmp = Path(tmp_name)
        reload.demo_repo(tmp / "demo")
        print("== reload: demo rules", flush=True)
        demo_changes = {k: v for k, v in reload.DEMO_CHANGES.items() if k != "examples"}
        demo = reload.measure("demo rules", tmp / "demo", demo_changes, budget.commits, 0.3, tmp)
        count = load_ruleset.generate(tmp / "generated", 1000)
        reload.passing_tests(tmp / "generated")
        print(f"== reload: generated repository ({count} files)", flush=True)
        generated = reload.measure(
            f"generated repository ({count} files)",
            tmp / "generated",
            reload.GENERATED_CHANGES,
            budget.generated_commits,
            0.3,
            tmp / "g",
        )
    out["reload"] = {"demo": demo, "generated": generated, "generated_files": count}
    for label, result in (("demo rules", demo), (f"{count:,} files", generated)):
        for kind, figures in result["kinds"].items():
            rows.append(
                (
                    f"approved commit -> live, {kind} change, {label}",
                    f"{figures['median_s']:.2f} s",
                    f"median of {len(figures['latency_s'])}, max {figures['max_s']:.2f} s; "
                    f"poll 0.3 s",
                )
            )
    return rows


def replay_rows(budget: Budget, out: dict[str, Any]) -> list[Row]:
    from bench import replay

    from switchboard.analysis.impact import impact

    with tempfile.TemporaryDirectory(prefix="sb-bench-replay-") as tmp_name:
        root, cache = Path(tmp_name) / "rules", Path(tmp_name) / "cache"
        commits = replay.repository(root)
        live = replay.load(root, commits["live"], cache)
        proposed = replay.load(root, commits["threshold"], cache)
        items = replay.inquiries(budget.replay_count)
        print(f"== replay: {len(items)} inquiries through two revisions", flush=True)
        started = time.perf_counter()
        report = impact(live, proposed, items, source="bench", workers=1)
        seconds = time.perf_counter() - started
    rate = len(items) / seconds
    out["replay"] = {"count": len(items), "seconds": round(seconds, 3), "per_s": round(rate, 1)}
    detail = (
        f"{len(items):,} recorded inquiries, both revisions, 1 worker; {report.changed} changed"
    )
    return [("replay (impact preview), rule change", f"{rate:,.0f} inquiries/s", detail)]


def memory_rows(out: dict[str, Any], rss: dict[str, float]) -> list[Row]:
    from bench import http, load_ruleset, reload

    with tempfile.TemporaryDirectory(prefix="sb-bench-rss-") as tmp_name:
        tmp = Path(tmp_name)
        count = load_ruleset.generate(tmp / "rules", 1000)
        reload.passing_tests(tmp / "rules")
        port = http.free_port()
        env = {k: v for k, v in os.environ.items() if not k.startswith("SWITCHBOARD_")}
        env.update(
            SWITCHBOARD_RULES_PATH=str(tmp / "rules"),
            SWITCHBOARD_DATA_DIR=str(tmp / "var"),
            SWITCHBOARD_LOG_LEVEL="warning",
        )
        argv = [sys.executable, "-m", "switchboard.cli", "serve", "--port", str(port)]
        print(f"== memory: the server on a generated repository of {count} files", flush=True)
        started = time.perf_counter()
        with http.process(argv, env, tmp / "serve.log") as proc:
            url = f"http://{http.HOST}:{port}/ready"
            http.wait_ready(url, proc, tmp / "serve.log", timeout=600)
            ready_s = time.perf_counter() - started
            rss["generated"] = _rss_mb(proc.pid)
            peak = _rss_mb(proc.pid, "VmHWM")
    out["memory_mb"] = {**rss, "generated_peak": peak, "generated_ready_s": round(ready_s, 1)}
    rows: list[Row] = []
    if "demo" in rss:
        rows.append(("RSS, server on the demo rules", f"{rss['demo']:,.0f} MB", "after the load"))
    rows.append(
        (
            f"RSS, server on {count:,} rules files",
            f"{rss['generated']:,.0f} MB",
            f"peak {peak:,.0f} MB; ready {ready_s:.0f} s after start (classifier trained)",
        )
    )
    return rows


def _rss_mb(pid: int, field: str = "VmRSS") -> float:
    """Resident memory of a process, from /proc (Linux)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(f"{field}:"):
            return int(line.split()[1]) / 1024
    return float("nan")


# ----- the table -----------------------------------------------------------------------------


def markdown(rows: list[Row]) -> str:
    lines = ["| figure | value | detail |", "|---|---:|---|"]
    lines += [f"| {figure} | {value} | {detail} |" for figure, value, detail in rows]
    return "\n".join(lines)


def summary(quick: bool) -> int:
    budget = Budget.of(quick)
    load = " ".join(f"{x:.1f}" for x in os.getloadavg())
    out: dict[str, Any] = {"quick": quick, "cpus": os.cpu_count(), "load_before": load}
    rss: dict[str, float] = {}
    rows: list[Row] = []
    started = time.perf_counter()
    steps: list[Callable[[], list[Row]]] = [
        lambda: decide_rows(budget, out),
        lambda: http_rows(budget, out, rss),
        lambda: reload_rows(budget, out),
        lambda: replay_rows(budget, out),
        lambda: memory_rows(out, rss),
    ]
    for step in steps:
        rows += step()
    out["seconds"] = round(time.perf_counter() - started, 1)
    out["rows"] = [list(row) for row in rows]
    stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%SZ")
    RESULTS.mkdir(parents=True, exist_ok=True)
    path = RESULTS / f"summary-{stamp}.json"
    path.write_text(json.dumps({"at": stamp, **out}, indent=2, default=str) + "\n")
    after = " ".join(f"{x:.1f}" for x in os.getloadavg())
    print()
    print(
        f"Switchboard bench, {stamp}{' (quick)' if quick else ''}: {os.cpu_count()} CPUs, "
        f"load average {load} before and {after} after, {out['seconds']:.0f} s in all"
    )
    print()
    print(markdown(rows))
    print()
    print(f"results: {path.relative_to(ROOT)}")
    return 0


# ----- the scripts, as they are --------------------------------------------------------------


def scripts() -> list[str]:
    here = str(Path(__file__).resolve().parent)
    return sorted(m.name for m in pkgutil.iter_modules([here]) if not m.name.startswith("_"))


def run_script(name: str, argv: list[str]) -> int:
    entry = getattr(importlib.import_module(f"bench.{name}"), "main", None)
    if not callable(entry):
        print(f"bench/{name}.py has no main()", file=sys.stderr)
        return 2
    print(f"== bench/{name}.py", flush=True)
    if inspect.signature(entry).parameters:
        result: int = entry(argv)
        return result
    saved, sys.argv = sys.argv, [f"bench/{name}.py", *argv]  # a main that reads sys.argv
    try:
        result = entry()
    finally:
        sys.argv = saved
    return result


def main(argv: list[str]) -> int:
    if argv and not argv[0].startswith("-"):
        unknown = [name for name in argv[:1] if name not in scripts()]
        if unknown:
            print(f"no bench script {unknown[0]!r}; there are: {', '.join(scripts())}")
            return 2
        return run_script(argv[0], argv[1:])
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="fewer rounds, rougher figures")
    parser.add_argument("--scripts", action="store_true", help="run every script's own main")
    args = parser.parse_args(argv)
    if args.scripts:
        failed = [name for name in scripts() if run_script(name, []) != 0]
        if failed:
            print(f"failed: {', '.join(failed)}", file=sys.stderr)
        return 1 if failed else 0
    return summary(args.quick)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
