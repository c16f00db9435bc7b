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
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from switchboard.proposals.gitcmd import Git
from switchboard.runtime._engine import EngineParts
from switchboard.runtime._follow import Follow, local_ref
from switchboard.runtime._gitref import HEADS, RefError, RefWatcher
from switchboard.runtime._mirror import Mirror, MirrorError
from switchboard.runtime._rollback import Rollback, RollbackError, prepare, publish, roll_back
from switchboard.runtime._status import ReloadStatus
from switchboard.runtime.active import ActiveRuleset, LoadFailure
from switchboard.settings import Settings

__all__ = ["Follow", "Reloader", "Rollback", "RollbackError", "roll_back"]

log = logging.getLogger("switchboard.reloader")

SETUP_RETRY_S = 5.0
RETIRE_AFTER_S = 30.0  # replaced live data is closed this long after the swap


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
        self._status = ReloadStatus()
        self._git_lock = threading.Lock()  # one fetch or rollback at a time
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._mirror = Mirror(follow.url, follow.repo) if follow.url else None
        self._watcher: RefWatcher | None = None
        self._ref = ""  # the full ref followed, once set up
        self._next_setup = float("-inf")
        self._next_fetch = float("-inf")
        self._fetch_asked = False
        self._rebuild_asked = True  # a folder is loaded at start, then when asked
        self._parts: EngineParts | None = None
        self._retired: list[tuple[float, Any]] = []
        self._transient: LoadFailure | None = None  # a fetch or ref problem being shown
        # Called in the reloader's thread with each finished build (as in status' last_build).
        self.listeners: list[Callable[[dict[str, Any]], None]] = []

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
        self._status.count("triggers")
        self._fetch_asked = self._fetch_asked or fetch
        self._rebuild_asked = True
        self._next_setup = float("-inf")  # a failed setup is tried again at once
        self._wake.set()

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
        if not self._set_up():
            return
        if self._mirror is not None:
            self._maybe_fetch()
        assert self._watcher is not None
        try:
            sha = self._watcher.read()
        except RefError as exc:
            self._fail_quietly("unknown_revision", str(exc))
            return
        self._status.saw(sha)
        if self._transient is not None and self._status.fetch_ok:
            self._recovered()
        live = self.active.peek()
        if (live is None or live.revision != sha) and not self._status.has_failed(sha):
            self._build(sha)

    def _set_up(self) -> bool:
        """Set up the mirror and the ref watcher once (retried every few seconds on failure)."""
        if self._watcher is not None:
            return True
        if self._clock() < self._next_setup:
            return False
        self._next_setup = self._clock() + SETUP_RETRY_S
        try:
            if self._mirror is None:
                self._ref = local_ref(self.follow)
            else:
                with self._git_lock:
                    self._mirror.ensure()
                    branch = self.follow.rev or self._mirror.approved_branch()
                    self._ref = HEADS + branch.removeprefix(HEADS)
                    self._fetch()
            self._watcher = RefWatcher(self.follow.repo, self._ref)
        except (MirrorError, RefError) as exc:
            self._fail_quietly("fetch_failed" if self._mirror else "unknown_revision", str(exc))
            return False
        log.info("following %s of %s", self._ref, self._shown_repo())
        return True

    def _maybe_fetch(self) -> None:
        if not self._fetch_asked and self._clock() < self._next_fetch:
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
        self._status.count("fetches")
        started = dt.datetime.now(dt.UTC)
        try:
            self._mirror.fetch(self._ref.removeprefix(HEADS))
        except MirrorError as exc:
            self._status.count("fetch_failures")
            self._status.fetched(started, str(exc))
            raise
        self._status.fetched(started, None)

    # ----- building -----------------------------------------------------------------------

    def _build(self, sha: str | None) -> None:
        from switchboard.runtime._build import build

        noticed = dt.datetime.now(dt.UTC)
        self._status.building(sha or "worktree")
        self._status.count("builds")
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
            self._status.building(None)
        self._parts = result.parts or self._parts
        built = {
            "revision": result.revision,
            "ok": result.snapshot is not None,
            "noticed_at": noticed,
            "finished_at": dt.datetime.now(dt.UTC),
            "timings_s": {k: round(v, 4) for k, v in result.timings.items()},
            "reused": list(result.reused),
        }
        self._status.built(built)
        for listen in list(self.listeners):
            try:
                listen(dict(built))
            except Exception:  # a listener (metrics) must never stop a revision going live
                log.exception("a reload listener failed")
        if result.snapshot is None:
            assert result.failure is not None
            self._remember_failure(sha or result.revision, result.failure)
            return
        old = self.active.swap(result.snapshot)
        self._transient = None
        self._status.count("went_live")
        if old is not None and old.data is not result.snapshot.data:
            self._retired.append((self._clock() + RETIRE_AFTER_S, old.data))
        phases = ", ".join(f"{k} {v:.3f}" for k, v in result.timings.items())
        reused = f"; reused {', '.join(result.reused)}" if result.reused else ""
        log.info("serving revision %s (built in s: %s%s)", result.revision, phases, reused)

    def _remember_failure(self, sha: str, failure: LoadFailure) -> None:
        self._status.failed(sha)
        self._status.count("failed")
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
        self._status.count("errors")
        log.error("the rules cannot be followed: %s", message)
        problem = {"file": ".", "line": 1, "column": 1, "code": code, "message": message}
        self._transient = LoadFailure(dt.datetime.now(dt.UTC), message, (problem,))
        self.active.fail(self._transient)

    def _recovered(self) -> None:
        """The ref or remote answers again: stop showing the problem it had."""
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
        if self._watcher is None:
            raise RollbackError(
                "not_following", "The server does not follow a git branch, so it cannot roll back."
            )
        git = Git(self.follow.repo)
        with self._git_lock:
            if self._mirror is not None:
                self._fetch_for_rollback()
            done = prepare(git, self._ref, to, author, message)
            if self._mirror is None:
                publish(git, done)
            else:
                try:
                    self._mirror.push(done.commit, self._ref.removeprefix(HEADS), done.previous)
                except MirrorError as exc:
                    raise RollbackError("push_failed", str(exc)) from None
                self._fetch_for_rollback()
        self._status.count("rollbacks")
        log.info("rolled %s back to %s as %s", self._ref, done.restored[:12], done.commit[:12])
        self._wake.set()
        return done

    def _fetch_for_rollback(self) -> None:
        try:
            self._fetch()
        except MirrorError as exc:
            raise RollbackError("fetch_failed", str(exc)) from None

    # ----- status -------------------------------------------------------------------------

    def status(self) -> dict[str, Any]:
        return {
            "mode": self.follow.mode,
            "repository": self._shown_repo(),
            "following": self._ref or None,
            "poll_s": self.poll_s,
            "remote_poll_s": self.remote_poll_s if self._mirror else None,
            **self._status.as_dict(),
        }

    def _shown_repo(self) -> str:
        return self._mirror.shown_url if self._mirror else str(self.follow.repo)


def _close(data: Any) -> None:
    close = getattr(data, "close", None)
    if callable(close):
        try:
            close()
        except Exception:
            log.exception("closing the live data of a replaced revision failed")
