"""`ReminderService`: runs the reminder jobs on a schedule for the approved revision.

The app's lifespan calls `start()` and `stop()`, and `reschedule(ruleset)` whenever a new
revision goes live. Jobs run in one background thread, on crontab schedules in the repository's
time zone. The store remembers when each job last ran: a run missed while the server was down
is made up at the next start, and what was sent is never sent again. A lease in the store lets
only one process run the jobs at a time.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import socket
import threading
import uuid
from collections.abc import Callable, Sequence
from pathlib import Path
from zoneinfo import ZoneInfo

from apscheduler.executors.pool import ThreadPoolExecutor
from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.triggers.cron import CronTrigger

from switchboard.reminders.due import ReviewItem, local_today
from switchboard.reminders.notify import Notifier
from switchboard.reminders.plan import Plan, plan_for
from switchboard.reminders.runs import ReminderConfig, Runner
from switchboard.rules.model import Ruleset
from switchboard.store.reminders import DeliveryKey, ReminderRecords

log = logging.getLogger("switchboard.reminders")

JOBS = ("reminders", "digest")
LEASE_TTL = dt.timedelta(minutes=15)


def utc_now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def cron(expression: str, tz: ZoneInfo) -> CronTrigger:
    """A crontab schedule (`0 8 * * *`); ValueError with a plain message when it is wrong."""
    try:
        return CronTrigger.from_crontab(expression, timezone=tz)
    except ValueError as exc:
        raise ValueError(f"{expression!r} is not a crontab schedule: {exc}") from None


class ReminderService:
    def __init__(
        self,
        store: ReminderRecords,
        notifiers: Sequence[Notifier],
        config: ReminderConfig | None = None,
        *,
        repo: Path | None = None,
        now: Callable[[], dt.datetime] = utc_now,
    ) -> None:
        self.config = config or ReminderConfig()
        for expression in (self.config.schedule, self.config.digest_schedule):
            cron(expression, ZoneInfo("UTC"))  # refuse a bad schedule now, not at 8 o'clock
        self.store, self.repo, self.now = store, repo, now
        self.runner = Runner(store, notifiers, self.config, now)
        self._plan: Plan | None = None
        self._scheduled_tz: ZoneInfo | None = None
        self._lock = threading.Lock()
        self._holder = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"
        self._scheduler = BackgroundScheduler(
            executors={"default": ThreadPoolExecutor(1)},
            job_defaults={"coalesce": True, "max_instances": 1, "misfire_grace_time": 3600},
            timezone=dt.UTC,
        )

    @property
    def plan(self) -> Plan | None:
        return self._plan

    @property
    def running(self) -> bool:
        return bool(self._scheduler.running)

    def start(self) -> None:
        if not self._scheduler.running:
            self._scheduler.start()
        if self._plan is not None:
            self._schedule(self._plan.tz)

    def stop(self) -> None:
        if self._scheduler.running:
            self._scheduler.shutdown(wait=True)

    def reschedule(self, ruleset: Ruleset) -> Plan:
        """Work from `ruleset` from now on (a new approved revision went live)."""
        plan = plan_for(ruleset, self.repo)
        self._plan = plan
        if self._scheduler.running:
            self._schedule(plan.tz)
        log.info("review reminders follow revision %s", plan.revision[:12])
        return plan

    def items(self, window: int | None = None) -> list[ReviewItem]:
        """Every file of the live revision with its due date and state (none before a load)."""
        plan = self._plan
        if plan is None:
            return []
        return plan.items(self.now(), self.config.due_soon_days if window is None else window)

    def today(self) -> dt.date:
        """Today in the live revision's time zone (UTC before the first revision)."""
        plan = self._plan
        return local_today(self.now(), plan.tz if plan else "UTC")

    def run_reminders(self) -> list[DeliveryKey]:
        return self._run("reminders", self.runner.reminders)

    def run_digest(self) -> list[DeliveryKey]:
        return self._run("digest", self.runner.digest)

    def run_soon(self, job: str = "reminders") -> None:
        """Have the scheduler run `job` right away (the schedule itself stays as it is)."""
        self._scheduler.modify_job(job, next_run_time=dt.datetime.now(dt.UTC))

    def next_runs(self) -> dict[str, dt.datetime | None]:
        return {job.id: job.next_run_time for job in self._scheduler.get_jobs()}

    def _schedule(self, tz: ZoneInfo) -> None:
        if self._scheduled_tz == tz:
            return
        jobs = {
            "reminders": (self.config.schedule, self.run_reminders),
            "digest": (self.config.digest_schedule, self.run_digest),
        }
        for job, (expression, run) in jobs.items():
            self._scheduler.add_job(
                _logged(job, run), cron(expression, tz), id=job, replace_existing=True
            )
        self._scheduled_tz = tz
        for job in jobs:
            self._catch_up(job, tz)

    def _catch_up(self, job: str, tz: ZoneInfo) -> None:
        """Run `job` now if a scheduled run was missed since it last ran."""
        last = self.store.get_state(f"last_run:{job}")
        now = self.now()
        if last is None:
            self.store.set_state(f"last_run:{job}", now.isoformat(), now)
            return
        expression = self.config.schedule if job == "reminders" else self.config.digest_schedule
        missed = cron(expression, tz).get_next_fire_time(None, dt.datetime.fromisoformat(last))
        if missed is not None and missed <= now:
            log.info("review reminders: the %s run of %s was missed; running it now", job, missed)
            self.run_soon(job)

    def _run(self, job: str, work: Callable[[Plan], list[DeliveryKey]]) -> list[DeliveryKey]:
        plan = self._plan
        if plan is None:
            return []
        with self._lock:
            now = self.now()
            if not self.store.acquire_lease("jobs", self._holder, now, LEASE_TTL):
                log.info("review reminders: another process is running the jobs")
                return []
            try:
                sent = work(plan)
                done = self.now()
                self.store.set_state(f"last_run:{job}", done.isoformat(), done)
            finally:
                self.store.release_lease("jobs", self._holder)
        return sent


def _logged(job: str, run: Callable[[], list[DeliveryKey]]) -> Callable[[], None]:
    def wrapped() -> None:
        try:
            sent = run()
        except Exception:
            log.exception("review reminders: the %s job failed", job)
            return
        log.info("review reminders: %s job sent %d reminder(s)", job, len(sent))

    return wrapped
