"""Approved commit -> live: how long the reloader takes to serve a new revision.

    python -m bench.reload [--commits 5] [--files 1000] [--poll 0.3]

For the demo rules and for a generated repository of about --files files (bench/load_ruleset.py's
generator), each in a real git repository in a temporary folder: start the real Reloader on an
ActiveRuleset, land commits on the approved branch with git plumbing (no working tree), and time
from the moment the branch moved until the ActiveRuleset serves the commit, every repository
test of the revision included (the generated repository has about one test case per file).
Kinds of change: `rule` (a claim threshold), `text` (a shared text or template: the renderer
is rebuilt) and, for the demo, `examples` (a new example phrase: the classifier is retrained).
Target: <= 1 s for `rule` and `text`. Also prints what reading the ref costs each poll.
Prints, never asserts; results also go to bench/results/reload-<time>.json.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from switchboard.runtime.active import ActiveRuleset
from switchboard.runtime.reloader import Follow, Reloader

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"
GIT_ENV = {
    "GIT_AUTHOR_NAME": "Bench",
    "GIT_AUTHOR_EMAIL": "bench@nordwerk.example",
    "GIT_COMMITTER_NAME": "Bench",
    "GIT_COMMITTER_EMAIL": "bench@nordwerk.example",
    "GIT_CONFIG_GLOBAL": os.devnull,
    "GIT_CONFIG_NOSYSTEM": "1",
}
BASE_TAG = "bench-base"
Change = Callable[[Path, int], dict[str, str]]


def git(repo: Path, *args: str, stdin: str | None = None, env: dict[str, str] | None = None) -> str:
    done = subprocess.run(
        ["git", "-C", str(repo), *args],
        input=stdin,
        capture_output=True,
        text=True,
        check=True,
        env={**os.environ, **GIT_ENV, **(env or {})},
    )
    return done.stdout.strip()


def commit(repo: Path, files: dict[str, str], message: str) -> str:
    """Commit `files` on main with plumbing: blobs, a private index, commit-tree, update-ref."""
    head = git(repo, "rev-parse", "refs/heads/main")
    env = {"GIT_INDEX_FILE": str(repo / ".git" / "bench-index")}
    git(repo, "read-tree", head, env=env)
    for path, text in files.items():
        blob = git(repo, "hash-object", "-w", "--stdin", stdin=text)
        git(repo, "update-index", "--add", "--cacheinfo", f"100644,{blob},{path}", env=env)
    tree = git(repo, "write-tree", env=env)
    new = git(repo, "commit-tree", tree, "-p", head, "-m", message)
    git(repo, "update-ref", "refs/heads/main", new, head)
    return new


def show(repo: Path, path: str) -> str:
    """The file as first committed: every change is made from there."""
    return git(repo, "show", f"{BASE_TAG}:{path}") + "\n"


def _replace(repo: Path, path: str, old: str, new: str) -> dict[str, str]:
    text = show(repo, path)
    if old not in text:
        raise SystemExit(f"bench/reload: {path} no longer contains {old!r}; update the bench")
    return {path: text.replace(old, new)}


DEMO_CHANGES: dict[str, Change] = {
    "rule": lambda repo, k: _replace(
        repo, "escalation/complaints.yaml", "value: 5000}", f"value: {5000 + k}}}"
    ),
    "text": lambda repo, k: _replace(
        repo, "snippets/auto_notice.yaml", "from our order system.", f"from our order system ({k})."
    ),
    "examples": lambda repo, k: _replace(
        repo,
        "taxonomy/order_status.yaml",
        "examples:\n  en:\n",
        f"examples:\n  en:\n    - Please check the state of order SO45{k:05d}\n",
    ),
}
GENERATED_CHANGES: dict[str, Change] = {
    "rule": lambda repo, k: _replace(
        repo, "escalation/escalation_0000.yaml", "value: 1000}", f"value: {1000 + k}}}"
    ),
    "text": lambda repo, k: _replace(
        repo,
        "templates/templates_0000.yaml",
        "(sms answer 0).",
        f"(sms answer 0, v{k}).",
    ),
}


def demo_repo(root: Path) -> None:
    shutil.copytree(ROOT / "rules-repo", root)
    for args in (["init", "-q", "-b", "main"], ["add", "-A"], ["commit", "-q", "-m", "demo"]):
        git(root, *args)


def passing_tests(root: Path) -> None:
    """The generator's test cases expect queues and reasons its random rules do not give; keep
    every case (they cost what they cost) but expect only the outcome, so the revision can go
    live."""
    for path in sorted((root / "tests").glob("*.yaml")):
        path.write_text(re.sub(r"(?m)^      (queue|reasons|intent): .*\n", "", path.read_text()))
    git(root, "commit", "-q", "-a", "-m", "Expect outcomes only")


def wait_live(active: ActiveRuleset, reloader: Reloader, sha: str, timeout: float) -> float:
    start = time.perf_counter()
    while time.perf_counter() - start < timeout:
        snapshot = active.peek()
        if snapshot is not None and snapshot.revision == sha:
            return time.perf_counter()
        if sha in reloader.status()["failed_revisions"]:
            failure = active.last_failure
            raise SystemExit(f"bench/reload: {sha[:12]} failed: {failure and failure.message}")
        time.sleep(0.002)
    raise SystemExit(f"bench/reload: {sha[:12]} did not go live within {timeout} s")


def measure(
    label: str, repo: Path, changes: dict[str, Change], commits: int, poll: float, tmp: Path
) -> dict[str, Any]:
    active = ActiveRuleset()
    reloader = Reloader(
        active, Follow("local", repo), cache_dir=tmp / "cache", environ={}, poll_s=poll
    )
    start = time.perf_counter()
    reloader.start()
    try:
        first = git(repo, "rev-parse", "refs/heads/main")
        git(repo, "tag", BASE_TAG, first)
        wait_live(active, reloader, first, timeout=900)
        snapshot = active.peek()
        assert snapshot is not None
        out: dict[str, Any] = {
            "first_load_s": round(time.perf_counter() - start, 3),
            "first_phases_s": _rounded(snapshot.timings),
            "tests": len(snapshot.ruleset.tests),
            "kinds": {},
        }
        print(f"{label}: first load {out['first_load_s']:.2f} s, {out['tests']} repository tests")
        print(f"  {'change':<9} {'median':>7} {'max':>7}  phases (median s)")
        for kind, change in changes.items():
            latencies, phases = [], []
            for k in range(1, commits + 1):
                files = change(repo, k)
                time.sleep(poll * (k % 3) / 3)  # land at different points of the poll cycle
                sha = commit(repo, files, f"{kind} change {k}")
                landed = time.perf_counter()
                latencies.append(wait_live(active, reloader, sha, timeout=900) - landed)
                live = active.peek()
                assert live is not None
                phases.append(dict(live.timings))
            median_phases = {p: statistics.median(t.get(p, 0.0) for t in phases) for p in phases[0]}
            out["kinds"][kind] = {
                "latency_s": [round(x, 4) for x in latencies],
                "median_s": round(statistics.median(latencies), 4),
                "max_s": round(max(latencies), 4),
                "phases_s": _rounded(median_phases),
                "reused": reloader.status()["last_build"]["reused"],
            }
            row = out["kinds"][kind]
            shown = " ".join(f"{p} {v:.3f}" for p, v in row["phases_s"].items())
            print(f"  {kind:<9} {row['median_s']:>6.3f}s {row['max_s']:>6.3f}s  {shown}")
            print(f"  {'':<9} reused: {', '.join(row['reused']) or 'nothing'}")
    finally:
        reloader.stop()
    return out


def ref_read_costs(repo: Path) -> dict[str, float]:
    """Microseconds per read of the approved ref: the watcher's stat, git rev-parse, GitPython."""
    import git as gitpython

    from switchboard.runtime._gitref import RefWatcher

    watcher = RefWatcher(repo, "refs/heads/main")
    watcher.read()
    costs = {"stat (reloader, no change)": _per_call(watcher.read, 2000)}
    costs["git rev-parse (process)"] = _per_call(lambda: git(repo, "rev-parse", "main"), 30)
    handle = gitpython.Repo(repo)
    costs["GitPython rev_parse"] = _per_call(lambda: handle.rev_parse("main").hexsha, 300)
    handle.close()
    return costs


def _per_call(call: Callable[[], object], times: int) -> float:
    start = time.perf_counter()
    for _ in range(times):
        call()
    return round((time.perf_counter() - start) / times * 1e6, 1)


def _rounded(timings: Any) -> dict[str, float]:
    return {str(k): round(float(v), 4) for k, v in dict(timings).items()}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--commits", type=int, default=5, help="commits per kind of change")
    parser.add_argument("--files", type=int, default=1000, help="files of the generated repo")
    parser.add_argument("--poll", type=float, default=0.3, help="seconds between ref checks")
    args = parser.parse_args(argv)
    sys.path.insert(0, str(ROOT / "bench"))
    from load_ruleset import generate

    load = " ".join(f"{x:.1f}" for x in os.getloadavg())
    print(f"load average {load} on {os.cpu_count()} cpus; poll every {args.poll} s")
    result: dict[str, Any] = {"poll_s": args.poll, "commits": args.commits, "load": load}
    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        demo_repo(tmp / "demo")
        costs = ref_read_costs(tmp / "demo")
        print("reading the approved ref, microseconds per poll:")
        for name, micros in costs.items():
            print(f"  {name:<28} {micros:>9.1f}")
        result["ref_read_us"] = costs
        result["demo"] = measure(
            "demo rules", tmp / "demo", DEMO_CHANGES, args.commits, args.poll, tmp / "d"
        )
        count = generate(tmp / "generated", args.files)
        passing_tests(tmp / "generated")
        label = f"generated repository ({count} files)"
        result["generated"] = measure(
            label, tmp / "generated", GENERATED_CHANGES, args.commits, args.poll, tmp / "g"
        )
        result["generated"]["files"] = count
    RESULTS.mkdir(parents=True, exist_ok=True)
    stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%SZ")
    out = RESULTS / f"reload-{stamp}.json"
    out.write_text(json.dumps({"at": stamp, **result}, indent=2) + "\n")
    print(f"results: {out.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
