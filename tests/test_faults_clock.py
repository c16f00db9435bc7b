"""Review reminders when the clock jumps: three days forward (a host suspended over a weekend,
an NTP correction) and an hour back. Nothing is sent twice, nothing due is lost, and the
scheduler's catch-up after a restart follows the store, not the jumps.

The reminders go to a real SMTP server and a real webhook receiver on 127.0.0.1
(tests/test_reminders_delivery.py); the service reads the time from a clock the test moves.
"""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller

from repo_helpers import make_repo
from switchboard.reminders.runs import ReminderConfig
from test_reminders_delivery import ANNA, JONAS, MIRIAM, Hook, Sink, World, free_port, rules_files
from test_reminders_delivery import wait_until as settle

# As of Thursday 2026-12-03 08:00 in Berlin, with a 5-day window: connectors/erp.yaml is
# overdue (Miriam); queues/quality_claims.yaml (due 12-09, Jonas) and
# templates/order_status.yaml (due 12-10, Anna) enter the window on the 4th and 5th.
CONFIG = ReminderConfig(due_soon_days=5)


@pytest.fixture
def world(tmp_path: Path) -> Iterator[World]:
    sink, port = Sink(), free_port()
    controller = Controller(sink, hostname="127.0.0.1", port=port)
    controller.start()
    hook = Hook()
    thread = threading.Thread(target=hook.serve_forever, daemon=True)
    thread.start()
    created = World(tmp_path, make_repo(tmp_path / "rules", rules_files()), (sink, port), hook)
    try:
        yield created
    finally:
        created.close()
        hook.shutdown()
        hook.server_close()
        controller.stop()


def mails_to(world: World) -> Counter[str]:
    return Counter(r for rcpts, _ in world.sink.mails for r in rcpts)


def kinds(world: World) -> Counter[tuple[str, str, str]]:
    deliveries = world.services[-1].store.deliveries()
    return Counter((d.key.kind, d.key.path, d.key.recipient) for d in deliveries)


def test_three_days_forward_then_an_hour_back(world: World) -> None:
    service = world.service(CONFIG)
    first = service.run_reminders()
    assert {(k.kind, k.path) for k in first} == {("overdue", "connectors/erp.yaml")}
    assert mails_to(world) == Counter({MIRIAM: 1})

    world.clock.set("2026-12-06T08:00:00")  # Sunday: three days later in one step
    jumped = service.run_reminders()
    assert {(k.kind, k.path) for k in jumped} == {
        ("due_soon", "queues/quality_claims.yaml"),
        ("due_soon", "templates/order_status.yaml"),
    }  # both became due during the jump: neither is lost
    assert mails_to(world) == Counter({MIRIAM: 1, JONAS: 1, ANNA: 1})

    world.clock.set("2026-12-06T07:00:00")  # and an hour back
    assert service.run_reminders() == []
    assert service.run_digest() != []  # the week's first digest (the week of Monday 11-30)
    assert service.run_digest() == []
    world.clock.set("2026-12-06T08:00:00")  # forward again over the same hour
    assert service.run_reminders() == [] and service.run_digest() == []

    assert all(count == 2 for count in kinds(world).values())  # email and webhook, once each
    assert {d.times for d in service.store.deliveries()} == {1}
    assert len(world.hook.posts) == 3 + 3  # three reminders and three digests


def test_a_restart_after_the_clock_went_back_catches_up_once(world: World) -> None:
    first = world.service(CONFIG)
    first.start()  # remembers "now" (Thursday 08:00) as the last run; sends nothing
    assert world.sink.mails == []
    first.stop()
    first.store.db.close()

    world.clock.set("2026-12-06T09:00:00")  # three days forward while the server was down
    later = world.service(CONFIG)
    later.start()  # the runs of Friday, Saturday and Sunday were missed: one catch-up run
    assert settle(lambda: len(world.hook.posts) >= 3, timeout=5.0)
    later.stop()
    later.store.db.close()
    assert mails_to(world) == Counter({MIRIAM: 1, JONAS: 1, ANNA: 1})

    world.clock.set("2026-12-06T08:00:00")  # an hour back, before the run that just happened
    again = world.service(CONFIG)
    again.start()  # the last run lies ahead of "now": nothing was missed, nothing is sent
    again.run_reminders()
    again.stop()
    assert mails_to(world) == Counter({MIRIAM: 1, JONAS: 1, ANNA: 1})
    assert {d.times for d in again.store.deliveries()} == {1}
