"""Follows the approved ref and swaps each good new revision into the ActiveRuleset.

One background thread polls the ref (every `poll_s`; a stat of the ref files, git only when
they changed) and, for a remote repository, fetches it into a bare mirror on a webhook and
every `remote_poll_s`. A new commit is built completely in that thread (`_build.build`: load,
engine, the repository's tests) and goes live with one assignment; requests never wait for a
build. A revision that fails keeps the old one serving, shows in /v1/status and the log, and
is not built again. A plain folder (no git) is loaded at start and on `trigger()`.
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
import time
from collections import deque
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from switchboard.proposals.gitcmd import Git
from switchboard.runtime._engine import EngineParts
from switchboard.runtime._gitref import HEADS, RefError, RefWatcher, follow_target
from switchboard.runtime._mirror import Mirror, MirrorError
from switchboard.runtime._rollback import Rollback, RollbackError, prepare, publish, roll_back
from switchboard.runtime.active import ActiveRuleset, LoadFailure
from switchboard.settings import Settings

__all__ = ["Follow", "Reloader", "Rollback", "RollbackError", "roll_back"]

log = logging.getLogger("switchboard.reloader")

MIRROR_DIR = "rules-mirror.git"
SETUP_RETRY_S = 5.0
RETIRE_AFTER_S = 30.0  # replaced live data is closed this long after the swap
REMEMBERED_FAILURES = 100


@dataclass(frozen=True, slots=True)
class Follow:
    """What the reloader follows: a work tree's branch, a remote's branch, or a plain folder."""

    mode: Literal["local", "remote", "folder"]
    repo: Path  # what is read: the work tree, the bare mirror or the folder
    ref: str = ""  # a branch or fixed revision; "" for a folder (remote: filled in at setup)
    url: str | None = None

    @classmethod
    def from_settings(cls, settings: Settings) -> Follow:
        if settings.rules_remote:
            return cls(
                "remote",
                settings.data_dir / MIRROR_DIR,
                settings.rules_rev or "",
                settings.rules_remote,
            )
        assert settings.rules_path is not None
        path = settings.rules_path
        from switchboard.rules.gitread import is_git_root

        return cls("local" if is_git_root(path) else "folder", path, settings.rules_rev or "")


@dataclass(slots=True)
class _State:
    """What /v1/status shows about following; replaced or changed only under the lock."""

    counts: dict[str, int] = field(default_factory=dict)
    head: str | None = None
    checked_at: dt.datetime | None = None
    building: str | None = None
    last_build: dict[str, Any] | None = None
    last_fetch: dict[str, Any] | None = None
    failed: deque[str] = field(default_factory=lambda: deque(maxlen=REMEMBERED_FAILURES))


class Reloader:
    def __init__(
        self,
        active: ActiveRuleset,
        follow: Follow,
        *,
        cache_dir: Path | None,
        environ: Mapping[str, str],
        poll_s: float = 0.3,
        remote_poll_s: float = 60.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.active = active
        self.follow = follow
        self.cache_dir = cache_dir
        self.environ = environ
        self.poll_s = poll_s
        self.remote_poll_s = remote_poll_s
        self._clock = clock
        self._state = _State()
        self._lock = threading.Lock()  # guards _state
        self._git_lock = threading.Lock()  # one fetch or rollback at a time
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._watcher: RefWatcher | None = None
        self._mirror = Mirror(follow.url, follow.repo) if follow.url else None
        self._ref = follow.ref
        self._next_setup = float("-inf")
        self._next_fetch = float("-inf")
        self._fetch_asked = False
        self._rebuild_asked = True  # a folder is loaded at start, then when asked
        self._parts: EngineParts | None = None
        self._retired: list[tuple[float, Any]] = []
        self._transient: LoadFailure | None = None  # a fetch or ref problem being shown

    @classmethod
    def from_settings(
        cls, settings: Settings, active: ActiveRuleset, environ: Mapping[str, str]
    ) -> Reloader:
        return cls(
            active,
            Follow.from_settings(settings),
            cache_dir=settings.cache_path,
            environ=environ,
            poll_s=settings.reload_poll_s,
            remote_poll_s=settings.remote_poll_s,
        )

    # ----- lifecycle ----------------------------------------------------------------------

    def start(self) -> None:
        self._thread = threading.Thread(target=self._run, name="switchboard-reloader", daemon=True)
        self._thread.start()

    def stop(self, timeout_s: float = 10.0) -> None:
        """Stop following and close the live data (a build in progress is abandoned)."""
        self._stop.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout_s)
        for _, data in self._retired:
            _close(data)
        self._retired.clear()
        snapshot = self.active.peek()
        if snapshot is not None:
            _close(snapshot.data)

    def trigger(self, fetch: bool = True) -> None:
        """Look for a new revision now (the webhook): fetch a remote, re-read a folder."""
        self._count("triggers")
        self._fetch_asked = self._fetch_asked or fetch
        self._rebuild_asked = True
        self._next_setup = float("-inf")  # a failed setup is tried again at once
        self._wake.set()

    def wait_idle(self, timeout_s: float) -> bool:
        """Block until no build is running (tests, rollback callers that want to wait)."""
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            if self._state.building is None:
                return True
            time.sleep(0.02)
        return False

    # ----- the loop -----------------------------------------------------------------------

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                self._tick()
            except Exception:  # the loop must survive anything; the next tick tries again
                log.exception("the reloader failed; retrying")
            self._close_retired()
            self._wake.wait(self.poll_s)
            self._wake.clear()

    def _tick(self) -> None:
        if self.follow.mode == "folder":
            if self._rebuild_asked:
                self._rebuild_asked = False
                self._build(None)
            return
        if not self._ready_to_follow():
            return
        if self._mirror is not None:
            self._maybe_fetch()
        assert self._watcher is not None
        try:
            sha = self._watcher.read()
        except RefError as exc:
            self._fail_quietly("unknown_revision", str(exc))
            return
        self._count("checks")
        if self._transient is not None and self._fetch_ok():
            self._recovered()
        with self._lock:
            self._state.head, self._state.checked_at = sha, _now()
        live = self.active.peek()
        if live is not None and live.revision == sha:
            return
        if sha in self._state.failed:
            return
        self._build(sha)

    def _ready_to_follow(self) -> bool:
        """Set up the mirror and the ref watcher once (retried every few seconds on failure)."""
        if self._watcher is not None:
            return True
        if self._clock() < self._next_setup:
            return False
        self._next_setup = self._clock() + SETUP_RETRY_S
        try:
            if self._mirror is not None:
                with self._git_lock:
                    self._mirror.ensure()
                    branch = self._ref or self._mirror.approved_branch()
                    self._ref = branch if branch.startswith("refs/") else HEADS + branch
                    self._fetch()
            else:
                from switchboard.proposals.wiring import approved_branch

                name = approved_branch(self.follow.repo, self._ref or None)
                self._ref = follow_target(Git(self.follow.repo), name)
            self._watcher = RefWatcher(self.follow.repo, self._ref)
        except (MirrorError, RefError) as exc:
            self._fail_quietly("fetch_failed" if self._mirror else "unknown_revision", str(exc))
            return False
        log.info("following %s of %s", self._ref, self._shown_repo())
        return True

    def _fetch_ok(self) -> bool:
        last = self._state.last_fetch
        return self._mirror is None or (last is not None and bool(last["ok"]))

    def _maybe_fetch(self) -> None:
        now = self._clock()
        if not self._fetch_asked and now < self._next_fetch:
            return
        self._fetch_asked = False
        try:
            with self._git_lock:
                self._fetch()
        except MirrorError as exc:
            self._fail_quietly("fetch_failed", str(exc))

    def _fetch(self) -> None:
        assert self._mirror is not None
        self._next_fetch = self._clock() + self.remote_poll_s
        self._count("fetches")
        started = _now()
        try:
            self._mirror.fetch(self._ref.removeprefix(HEADS))
        except MirrorError as exc:
            self._count("fetch_failures")
            with self._lock:
                self._state.last_fetch = {"at": started, "ok": False, "error": str(exc)}
            raise
        with self._lock:
            self._state.last_fetch = {"at": started, "ok": True, "error": None}

    # ----- building -----------------------------------------------------------------------

    def _build(self, sha: str | None) -> None:
        from switchboard.runtime._build import build

        noticed = _now()
        with self._lock:
            self._state.building = sha or "worktree"
        self._count("builds")
        live = self.active.peek()
        try:
            result = build(
                self.follow.repo,
                sha,
                live=live,
                parts=self._parts,
                cache_dir=self.cache_dir,
                environ=self.environ,
            )
        finally:
            with self._lock:
                self._state.building = None
        if result.parts is not None:
            self._parts = result.parts
        finished = _now()
        with self._lock:
            self._state.last_build = {
                "revision": result.revision,
                "ok": result.snapshot is not None,
                "noticed_at": noticed,
                "finished_at": finished,
                "timings_s": {k: round(v, 4) for k, v in result.timings.items()},
                "reused": list(result.reused),
            }
        if result.snapshot is None:
            assert result.failure is not None
            self._remember_failure(sha or result.revision, result.failure)
            return
        old = self.active.swap(result.snapshot)
        self._transient = None
        self._count("went_live")
        if old is not None and old.data is not result.snapshot.data:
            self._retired.append((self._clock() + RETIRE_AFTER_S, old.data))
        phases = ", ".join(f"{k} {v:.3f}" for k, v in result.timings.items())
        reused = f"; reused {', '.join(result.reused)}" if result.reused else ""
        log.info("serving revision %s (built in s: %s%s)", result.revision, phases, reused)

    def _remember_failure(self, sha: str, failure: LoadFailure) -> None:
        with self._lock:
            self._state.failed.append(sha)
        self._count("failed")
        self.active.fail(failure)
        where = "; ".join(
            f"{p.get('file')}:{p.get('line')}: {p.get('code')}" for p in failure.problems[:5]
        )
        tests = "; ".join(f"{t['suite']}/{t['id']}" for t in failure.failed_tests[:5])
        log.error("%s %s", failure.message, where or (f"failed tests: {tests}" if tests else ""))

    def _fail_quietly(self, code: str, message: str) -> None:
        """A problem reaching the revision (no branch, no network): shown, logged once."""
        if self._transient is not None and self._transient.message == message:
            return
        self._count("errors")
        log.error("the rules cannot be followed: %s", message)
        problem = {"file": ".", "line": 1, "column": 1, "code": code, "message": message}
        self._transient = LoadFailure(_now(), message, (problem,), revision="")
        self.active.fail(self._transient)

    def _recovered(self) -> None:
        """The ref or remote answers again: stop showing the problem it had."""
        if self._transient is None:
            return
        if self.active.last_failure is self._transient:
            self.active.last_failure = None
        log.info("the rules can be followed again")
        self._transient = None

    def _close_retired(self) -> None:
        now = self._clock()
        due = [data for at, data in self._retired if at <= now]
        self._retired = [(at, data) for at, data in self._retired if at > now]
        for data in due:
            _close(data)

    # ----- rollback -----------------------------------------------------------------------

    def rollback(
        self, to: str, author: tuple[str, str] | None = None, message: str | None = None
    ) -> Rollback:
        """A new commit on the approved branch with `to`'s content; it then goes live like any
        other change (for a remote: pushed there, then fetched)."""
        if self.follow.mode == "folder" or self._watcher is None:
            raise RollbackError(
                "not_following", "The server does not follow a git branch, so it cannot roll back."
            )
        git = Git(self.follow.repo)
        with self._git_lock:
            if self._mirror is not None:
                self._fetch_now()
            done = prepare(git, self._ref, to, author, message)
            if self._mirror is None:
                publish(git, done)
            else:
                try:
                    self._mirror.push(done.commit, self._ref.removeprefix(HEADS), done.previous)
                except MirrorError as exc:
                    raise RollbackError("push_failed", str(exc)) from None
                self._fetch_now()
        self._count("rollbacks")
        log.info("rolled %s back to %s as %s", self._ref, done.restored[:12], done.commit[:12])
        self._wake.set()
        return done

    def _fetch_now(self) -> None:
        try:
            self._fetch()
        except MirrorError as exc:
            raise RollbackError("fetch_failed", str(exc)) from None

    # ----- status -------------------------------------------------------------------------

    def status(self) -> dict[str, Any]:
        with self._lock:
            state = self._state
            return {
                "mode": self.follow.mode,
                "repository": self._shown_repo(),
                "following": self._ref or None,
                "poll_s": self.poll_s,
                "remote_poll_s": self.remote_poll_s if self._mirror else None,
                "head": state.head,
                "checked_at": state.checked_at,
                "building": state.building,
                "last_build": dict(state.last_build) if state.last_build else None,
                "last_fetch": dict(state.last_fetch) if state.last_fetch else None,
                "failed_revisions": list(state.failed)[-10:],
                "counts": dict(state.counts),
            }

    def _shown_repo(self) -> str:
        return self._mirror.shown_url if self._mirror else str(self.follow.repo)

    def _count(self, name: str) -> None:
        with self._lock:
            self._state.counts[name] = self._state.counts.get(name, 0) + 1


def _close(data: Any) -> None:
    close = getattr(data, "close", None)
    if callable(close):
        try:
            close()
        except Exception:
            log.exception("closing the live data of a replaced revision failed")


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)
