"""Reminders reach a real SMTP server and a real webhook, once, and survive restarts."""

from __future__ import annotations

import datetime as dt
import email
import email.policy
import json
import socket
import threading
import time
from collections.abc import Callable, Iterator
from email.message import EmailMessage
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from aiosmtpd.controller import Controller

from repo_helpers import BASE, commit, make_repo
from switchboard.reminders.notify import EmailNotifier, Notifier, WebhookNotifier
from switchboard.reminders.runs import ReminderConfig
from switchboard.reminders.service import ReminderService, cron
from switchboard.rules import load_ruleset
from switchboard.rules.model import Ruleset
from switchboard.store.db import Database
from switchboard.store.reminders import ReminderStore

BERLIN = ZoneInfo("Europe/Berlin")
ANNA, JONAS, MIRIAM = (
    f"{n}@nordwerk.example" for n in ("anna.berger", "jonas.keller", "miriam.vogt")
)
SENDER = "switchboard@nordwerk.example"


# ----- a real SMTP server and a real webhook receiver ---------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class Sink:
    def __init__(self) -> None:
        self.mails: list[tuple[list[str], EmailMessage]] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        parsed = email.message_from_bytes(envelope.content, policy=email.policy.default)
        assert isinstance(parsed, EmailMessage)
        self.mails.append((list(envelope.rcpt_tos), parsed))
        return "250 Message accepted"

    def to(self, recipient: str) -> list[EmailMessage]:
        return [mail for rcpts, mail in self.mails if recipient in rcpts]


@pytest.fixture
def smtp() -> Iterator[tuple[Sink, int]]:
    sink, port = Sink(), free_port()
    controller = Controller(sink, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield sink, port
    finally:
        controller.stop()


class Hook(ThreadingHTTPServer):
    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _HookHandler)
        self.posts: list[dict[str, Any]] = []
        self.status = 200

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}/hooks/reviews"


class _HookHandler(BaseHTTPRequestHandler):
    server: Hook

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers["Content-Length"]))
        assert self.headers["Content-Type"] == "application/json"
        if self.server.status < 300:  # only what was accepted counts as arrived
            self.server.posts.append(json.loads(body))
        self.send_response(self.server.status)
        self.end_headers()

    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture
def hook() -> Iterator[Hook]:
    server = Hook()
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()


# ----- a rules repository with a few files due, and a clock ----------------------------------


def meta(owner: str, every: str, last: str) -> str:
    return f"metadata:\n  owner: {owner}\n  review_every: {every}\n  last_reviewed: {last}\n"


OK = meta(ANNA, "6m", "2026-11-20")
DUE = {  # as of 2026-12-03
    "queues/quality_claims.yaml": meta(JONAS, "90d", "2026-09-10"),  # due 12-09, soon
    "templates/order_status.yaml": meta(ANNA, "1m", "2026-11-10"),  # due 12-10, soon
    "connectors/erp.yaml": meta(MIRIAM, "90d", "2026-08-20"),  # due 11-18, overdue
}


def rules_files(overrides: dict[str, str] | None = None) -> dict[str, str]:
    wanted = {**DUE, **(overrides or {})}
    old = meta(ANNA, "90d", "2026-09-15")  # what every file of BASE has
    return {path: text.replace(old, wanted.get(path, OK)) for path, text in BASE.items()}


class Clock:
    def __init__(self, local: str) -> None:
        self.set(local)

    def set(self, local: str) -> None:
        self.value = dt.datetime.fromisoformat(local).replace(tzinfo=BERLIN)

    def __call__(self) -> dt.datetime:
        return self.value


def loaded(root: Path) -> Ruleset:
    result = load_ruleset(root, build_engine=False)
    assert result.ruleset is not None, [str(p) for p in result.problems]
    return result.ruleset


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    return make_repo(tmp_path / "rules", rules_files())


class World:
    """A repository, a database file, a clock and the two receivers."""

    def __init__(self, tmp: Path, repo: Path, smtp: tuple[Sink, int], hook: Hook) -> None:
        self.repo, self.db_path, self.hook = repo, tmp / "var" / "switchboard.db", hook
        self.sink, self.port = smtp
        self.clock = Clock("2026-12-03T08:00:00")
        self.services: list[ReminderService] = []

    def notifiers(self, smtp_port: int | None = None) -> list[Notifier]:
        mail = EmailNotifier("127.0.0.1", smtp_port or self.port, SENDER, timeout=2, now=self.clock)
        return [mail, WebhookNotifier(self.hook.url, timeout=2)]

    def service(self, config: ReminderConfig | None = None, **kw: Any) -> ReminderService:
        """A new service instance (as after a restart) on the same database file."""
        store = ReminderStore(Database.open(self.db_path))
        notifiers = kw.pop("notifiers", None) or self.notifiers()
        service = ReminderService(store, notifiers, config, repo=self.repo, now=self.clock)
        service.reschedule(loaded(self.repo))
        self.services.append(service)
        return service

    def close(self) -> None:
        for service in self.services:
            service.stop()
            service.store.db.close()


@pytest.fixture
def world(tmp_path: Path, repo: Path, smtp: tuple[Sink, int], hook: Hook) -> Iterator[World]:
    created = World(tmp_path, repo, smtp, hook)
    try:
        yield created
    finally:
        created.close()


def wait_until(condition: Callable[[], bool], timeout: float = 2.0) -> bool:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.02)
    return True


# ----- what arrives --------------------------------------------------------------------------


def test_each_owner_gets_one_plain_text_mail_and_one_webhook_post(world: World) -> None:
    sent = world.service().run_reminders()
    assert {(k.kind, k.path, k.channel) for k in sent} == {
        (kind, path, channel)
        for kind, path in [
            ("due_soon", "queues/quality_claims.yaml"),
            ("due_soon", "templates/order_status.yaml"),
            ("overdue", "connectors/erp.yaml"),
        ]
        for channel in ("email", "webhook")
    }
    assert sorted(r for rcpts, _ in world.sink.mails for r in rcpts) == [ANNA, JONAS, MIRIAM]
    (mail,) = world.sink.to(MIRIAM)
    assert mail["From"] == SENDER
    assert mail["To"] == MIRIAM
    assert mail["Auto-Submitted"] == "auto-generated"
    assert mail["Subject"] == "[Test order desk] Review due: 1 rules file, 1 overdue"
    assert mail["Message-ID"].endswith("@nordwerk.example>")
    assert mail["Date"] == "Thu, 03 Dec 2026 07:00:00 +0000"
    assert mail.get_content_type() == "text/plain"
    assert mail.get_content_charset() == "utf-8"
    body = mail.get_content()
    assert "- connectors/erp.yaml (connector erp): overdue since 2026-11-18 (15 days)" in body
    assert "review every 90d, last reviewed 2026-08-20" in body
    (anna,) = world.sink.to(ANNA)
    assert "templates/order_status.yaml (template order_status): due 2026-12-10 (in 7 days)" in (
        anna.get_content()
    )
    assert "queues/" not in anna.get_content()
    texts = [post["text"] for post in world.hook.posts]
    assert len(texts) == 3 and all(set(post) == {"text"} for post in world.hook.posts)
    assert any("Review due: 1 rules file" in t and "queues/quality_claims.yaml" in t for t in texts)


def test_a_restart_neither_repeats_nor_loses_reminders(world: World) -> None:
    first = world.service()
    assert len(first.run_reminders()) == 6
    first.stop()
    first.store.db.close()
    world.clock.set("2026-12-03T15:00:00")
    again = world.service()  # same database file, new process state
    assert again.run_reminders() == []
    assert len(world.sink.mails) == 3 and len(world.hook.posts) == 3
    world.clock.set("2026-12-07T08:00:00")
    assert again.run_reminders() == []  # nothing new became due, the overdue one waits 7 days
    world.clock.set("2026-12-10T08:00:00")
    sent = again.run_reminders()
    assert {(k.kind, k.path) for k in sent} == {
        ("overdue", "connectors/erp.yaml"),  # 7 days after the first reminder
        ("overdue", "queues/quality_claims.yaml"),  # due 12-09: due soon before, overdue now
    }
    assert {k.recipient for k in sent} == {MIRIAM, JONAS}


def test_an_overdue_file_is_reminded_again_only_after_the_interval(world: World) -> None:
    service = world.service(ReminderConfig(repeat_overdue_days=3))
    service.run_reminders()
    for day, expected in [("04", 0), ("05", 0), ("06", 1), ("07", 0), ("08", 0), ("09", 1)]:
        world.clock.set(f"2026-12-{day}T07:59:00")
        sent = [k for k in service.run_reminders() if k.path == "connectors/erp.yaml"]
        assert len(sent) == (2 * expected), day  # e-mail and webhook
    erp = service.store.deliveries("connectors/erp.yaml")
    assert {(d.key.channel, d.times) for d in erp} == {("email", 3), ("webhook", 3)}


def test_a_failed_delivery_is_tried_again_on_the_next_run(world: World) -> None:
    down = free_port()  # nothing listens here
    world.hook.status = 500
    service = world.service(notifiers=world.notifiers(smtp_port=down))
    assert service.run_reminders() == []
    assert service.store.deliveries() == []
    world.hook.status = 500  # e-mail works again, the webhook does not yet
    retry = world.service()
    assert {k.channel for k in retry.run_reminders()} == {"email"}
    assert len(world.sink.mails) == 3 and world.hook.posts == []
    world.hook.status = 200
    assert {k.channel for k in retry.run_reminders()} == {"webhook"}
    assert len(world.sink.mails) == 3  # no second copy of the mails


def test_a_new_approved_revision_changes_the_next_reminder(world: World) -> None:
    service = world.service()
    service.run_reminders()
    before = len(world.sink.to(ANNA))
    # An approved change: the settings file now wants a review every month, so it is overdue
    commit(world.repo, rules_files({"switchboard.yaml": meta(ANNA, "1m", "2026-10-20")}))
    service.reschedule(loaded(world.repo))
    sent = service.run_reminders()
    assert {(k.kind, k.path, k.due) for k in sent} == {
        ("overdue", "switchboard.yaml", dt.date(2026, 11, 20))
    }
    assert "switchboard.yaml" in world.sink.to(ANNA)[before].get_content()
    # ... and a longer interval on the overdue connector takes it off the list
    commit(world.repo, rules_files({"connectors/erp.yaml": meta(MIRIAM, "1y", "2026-08-20")}))
    service.reschedule(loaded(world.repo))
    assert [i.path for i in service.items() if i.state != "ok"] == [
        "queues/quality_claims.yaml",
        "templates/order_status.yaml",
    ]
    world.clock.set("2026-12-10T08:00:00")
    assert all(k.path != "connectors/erp.yaml" for k in service.run_reminders())


def test_a_snippet_change_sends_the_template_owner_a_reminder(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    service = world.service()
    service.run_reminders()  # the template is due soon (2026-12-10): reminded once
    snippet = rules_files()["snippets/signature.yaml"].replace("Kind regards", "Best regards")
    monkeypatch.setenv("GIT_COMMITTER_DATE", "2026-11-25T10:00:00+01:00")
    commit(world.repo, {"snippets/signature.yaml": snippet}, "New sign-off")
    service.reschedule(loaded(world.repo))
    sent = service.run_reminders()
    assert {(k.kind, k.path, k.due, k.recipient) for k in sent} == {
        ("overdue", "templates/order_status.yaml", dt.date(2026, 11, 25), ANNA)
    }
    body = world.sink.to(ANNA)[-1].get_content()
    assert "trigger: snippet signature changed on 2026-11-25" in body


def test_the_weekly_digest_goes_once_a_week_per_owner(world: World) -> None:
    world.clock.set("2026-11-30T08:00:00")  # a Monday
    service = world.service()
    sent = service.run_digest()
    assert {(k.recipient, k.due) for k in sent if k.channel == "email"} == {
        (MIRIAM, dt.date(2026, 11, 30)),
        (JONAS, dt.date(2026, 11, 30)),
        (ANNA, dt.date(2026, 11, 30)),
    }
    (digest,) = world.sink.to(JONAS)
    assert digest["Subject"] == "[Test order desk] Weekly review digest, week of 2026-11-30"
    assert "queues/quality_claims.yaml" in digest.get_content()
    world.clock.set("2026-12-03T08:00:00")
    assert service.run_digest() == []
    world.clock.set("2026-12-07T08:00:00")
    assert len([k for k in service.run_digest() if k.channel == "email"]) == 3


def test_only_one_process_runs_the_jobs_at_a_time(world: World) -> None:
    service = world.service()
    other = ReminderStore(Database.open(world.db_path))
    try:
        assert other.acquire_lease("jobs", "other-host:1", world.clock(), dt.timedelta(minutes=5))
        assert service.run_reminders() == []
        world.clock.set("2026-12-03T08:06:00")  # the other lease has run out
        assert len(service.run_reminders()) == 6
    finally:
        other.db.close()


# ----- the scheduler -------------------------------------------------------------------------


def test_the_scheduler_fires_the_job(world: World) -> None:
    service = world.service()
    service.start()
    assert service.running
    runs = service.next_runs()
    assert runs["reminders"] is not None and runs["reminders"].astimezone(BERLIN).hour == 8
    assert runs["digest"] is not None and runs["digest"].astimezone(BERLIN).weekday() == 0
    service.run_soon("reminders")
    assert wait_until(lambda: len(world.sink.mails) == 3 and len(world.hook.posts) == 3)
    assert service.store.get_state("last_run:reminders") == world.clock().isoformat()
    service.stop()
    assert not service.running


def test_a_run_missed_while_down_is_made_up_at_start(world: World) -> None:
    first = world.service()
    first.start()  # first start: remembers "now" as the last run, sends nothing
    assert world.sink.mails == []
    first.stop()
    world.clock.set("2026-12-04T09:30:00")  # the 08:00 run of the 4th was missed
    later = world.service()
    later.start()
    assert wait_until(lambda: len(world.sink.mails) == 3)
    later.stop()
    assert {r for rcpts, _ in world.sink.mails for r in rcpts} == {ANNA, JONAS, MIRIAM}


@pytest.mark.parametrize(
    ("tz", "after", "expected_utc"),
    [
        ("Europe/Berlin", "2026-03-28T09:00:00", "2026-03-29T06:00:00"),  # CEST from the 29th
        ("Europe/Berlin", "2026-03-27T09:00:00", "2026-03-28T07:00:00"),
        ("Europe/Berlin", "2026-10-24T09:00:00", "2026-10-25T07:00:00"),  # CET again
        ("Europe/Berlin", "2026-10-23T09:00:00", "2026-10-24T06:00:00"),
        ("America/New_York", "2026-03-07T09:00:00", "2026-03-08T12:00:00"),  # EDT
        ("America/New_York", "2026-10-31T09:00:00", "2026-11-01T13:00:00"),  # EST
    ],
)
def test_eight_oclock_stays_eight_oclock_across_daylight_saving(
    tz: str, after: str, expected_utc: str
) -> None:
    zone = ZoneInfo(tz)
    start = dt.datetime.fromisoformat(after).replace(tzinfo=zone)
    fire = cron(ReminderConfig().schedule, zone).get_next_fire_time(None, start)
    assert fire is not None
    assert fire.astimezone(dt.UTC) == dt.datetime.fromisoformat(expected_utc).replace(tzinfo=dt.UTC)
    assert (fire.astimezone(zone).hour, fire.astimezone(zone).minute) == (8, 0)


def test_a_bad_schedule_is_refused_at_once(tmp_path: Path) -> None:
    store = ReminderStore(Database.open(tmp_path / "db.sqlite"))
    try:
        with pytest.raises(ValueError, match="not a crontab schedule"):
            ReminderService(store, [], ReminderConfig(schedule="every morning"))
    finally:
        store.db.close()


def test_the_demo_rules_send_one_overdue_reminder_and_a_few_due_soon(
    tmp_path: Path, smtp: tuple[Sink, int]
) -> None:
    demo = Path(__file__).resolve().parent.parent / "rules-repo"
    sink, port = smtp
    clock = Clock("2026-12-03T08:00:00")
    store = ReminderStore(Database.open(tmp_path / "switchboard.db"))
    try:
        service = ReminderService(
            store, [EmailNotifier("127.0.0.1", port, SENDER, now=clock)], repo=demo, now=clock
        )
        service.reschedule(loaded(demo))
        sent = service.run_reminders()
    finally:
        store.db.close()
    kinds = [k.kind for k in sent]
    assert kinds.count("overdue") == 1
    assert kinds.count("due_soon") >= 2
    assert len(sink.mails) == len({k.recipient for k in sent})
    overdue = next(k for k in sent if k.kind == "overdue")
    assert any(overdue.path in mail.get_content() for mail in sink.to(overdue.recipient))
