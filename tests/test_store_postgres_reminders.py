"""Review reminders on PostgreSQL shared by two replicas: each reminder goes out once.

Two ReminderService instances (each with its own connections, as two replicas have) work on
one database, sending through a real SMTP server and a real webhook receiver. The lease is a
PostgreSQL advisory lock, so the replicas cannot both run the jobs, and a replica that dies
while holding it frees it at once.
"""

from __future__ import annotations

import datetime as dt
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller

from pg_support import Server, running_server
from repo_helpers import make_repo
from switchboard.reminders.messages import Message
from switchboard.reminders.notify import EmailNotifier, Notifier, WebhookNotifier
from switchboard.reminders.service import ReminderService
from test_reminders_delivery import (
    ANNA,
    JONAS,
    MIRIAM,
    SENDER,
    Clock,
    Hook,
    Sink,
    free_port,
    loaded,
    rules_files,
)

pytest.importorskip("psycopg")
pytest.importorskip("psycopg_pool")
from switchboard.store.postgres import PgReminderStore
from switchboard.store.postgres.reminders import lock_key


@pytest.fixture(scope="module")
def pg_server() -> Iterator[Server]:
    yield from running_server()


@pytest.fixture
def mail() -> Iterator[tuple[Sink, int]]:
    sink, port = Sink(), free_port()
    controller = Controller(sink, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield sink, port
    finally:
        controller.stop()


@pytest.fixture
def webhook() -> Iterator[Hook]:
    server = Hook()
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()


class Slow:
    """A notifier that takes its time, so two runs that both sent would surely overlap."""

    def __init__(self, inner: Notifier, seconds: float = 0.15) -> None:
        self.inner, self.seconds, self.channel = inner, seconds, inner.channel

    def send(self, message: Message) -> None:
        time.sleep(self.seconds)
        self.inner.send(message)


class Replicas:
    """Reminder services on one PostgreSQL database, as each replica of a deployment has one."""

    def __init__(self, url: str, repo: Path, mail: tuple[Sink, int], webhook: Hook) -> None:
        self.url, self.repo, self.hook = url, repo, webhook
        self.sink, self.port = mail
        self.clock = Clock("2026-12-03T08:00:00")
        self.services: list[ReminderService] = []

    def service(self) -> ReminderService:
        mail = EmailNotifier("127.0.0.1", self.port, SENDER, timeout=2, now=self.clock)
        notifiers = [Slow(mail), Slow(WebhookNotifier(self.hook.url, timeout=2))]
        store = PgReminderStore.open(self.url)
        service = ReminderService(store, notifiers, repo=self.repo, now=self.clock)
        service.reschedule(loaded(self.repo))
        self.services.append(service)
        return service

    def close(self) -> None:
        for service in self.services:
            service.stop()
            service.store.close()


@pytest.fixture
def replicas(
    tmp_path: Path, pg_server: Server, mail: tuple[Sink, int], webhook: Hook
) -> Iterator[Replicas]:
    repo = make_repo(tmp_path / "rules", rules_files())
    created = Replicas(pg_server.create_database(), repo, mail, webhook)
    try:
        yield created
    finally:
        created.close()


def test_two_replicas_running_the_job_together_send_each_reminder_once(
    replicas: Replicas,
) -> None:
    one, other = replicas.service(), replicas.service()
    start, sent = threading.Barrier(2), []

    def run(service: ReminderService) -> None:
        start.wait(10)
        sent.append(service.run_reminders())

    for _ in range(2):  # the cron fires on both replicas at 08:00, and again by a catch-up
        threads = [threading.Thread(target=run, args=(s,)) for s in (one, other)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(30)
    assert sorted(len(keys) for keys in sent) == [0, 0, 0, 6]
    assert sorted(r for rcpts, _ in replicas.sink.mails for r in rcpts) == [ANNA, JONAS, MIRIAM]
    assert len(replicas.hook.posts) == 3
    deliveries = other.store.deliveries()
    assert len(deliveries) == 6 and {d.times for d in deliveries} == {1}
    assert other.store.sent_totals() == {
        ("due_soon", "email"): 2,
        ("due_soon", "webhook"): 2,
        ("overdue", "email"): 1,
        ("overdue", "webhook"): 1,
    }


def test_a_replica_killed_holding_the_lease_frees_it_at_once(replicas: Replicas) -> None:
    argv = [sys.executable, "-c", HOLD_LOCK, replicas.url, str(lock_key("jobs"))]
    with subprocess.Popen(argv, stdout=subprocess.PIPE, text=True) as holder:
        try:
            assert holder.stdout is not None and holder.stdout.readline().strip() == "locked"
            service = replicas.service()
            assert service.run_reminders() == []  # the other replica is running the jobs
            assert replicas.sink.mails == []
            holder.kill()  # SIGKILL: no unlock, no goodbye to the server
            holder.wait(10)
            deadline = time.monotonic() + 10
            while not (sent := service.run_reminders()) and time.monotonic() < deadline:
                time.sleep(0.05)  # the server notices the closed socket right away
            assert len(sent) == 6
        finally:
            holder.kill()


HOLD_LOCK = """
import sys, time, psycopg
conn = psycopg.connect(sys.argv[1], autocommit=True)
conn.execute("SELECT pg_advisory_lock(%s)", [int(sys.argv[2])])
print("locked", flush=True)
time.sleep(120)
"""


def test_a_restart_neither_repeats_nor_loses_reminders(replicas: Replicas) -> None:
    first = replicas.service()
    assert len(first.run_reminders()) == 6
    first.stop()
    replicas.clock.set("2026-12-03T15:00:00")
    again = replicas.service()  # a new replica on the same database
    assert again.run_reminders() == []
    replicas.clock.set("2026-12-10T08:00:00")
    sent = again.run_reminders()
    assert {(k.kind, k.path) for k in sent} == {
        ("overdue", "connectors/erp.yaml"),
        ("overdue", "queues/quality_claims.yaml"),
    }
    erp = again.store.deliveries("connectors/erp.yaml")
    assert {(d.key.channel, d.times) for d in erp} == {("email", 2), ("webhook", 2)}
    assert {d.last_sent_at for d in erp} == {replicas.clock().astimezone(dt.UTC)}
