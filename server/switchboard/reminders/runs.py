"""One run of the reminder jobs: find what is due, send what was not sent, remember it.

Each reminder is keyed by kind (`due_soon`, `overdue`), file, due date, channel and owner and
sent once; an overdue file is reminded again every `repeat_overdue_days` days. A digest goes to
each owner once a week. A message that fails is not recorded, so the next run tries again.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from switchboard.reminders import messages
from switchboard.reminders.due import ReviewItem, local_today
from switchboard.reminders.notify import NotificationFailed, Notifier
from switchboard.reminders.plan import Plan
from switchboard.store.reminders import DeliveryKey, ReminderRecords

log = logging.getLogger("switchboard.reminders")


@dataclass(frozen=True, slots=True)
class ReminderConfig:
    schedule: str = "0 8 * * *"  # crontab, in the repository's time zone
    digest_schedule: str = "0 8 * * mon"
    due_soon_days: int = 14
    repeat_overdue_days: int = 7


class Runner:
    def __init__(
        self,
        store: ReminderRecords,
        notifiers: Sequence[Notifier],
        config: ReminderConfig,
        now: Callable[[], dt.datetime],
    ) -> None:
        self.store, self.notifiers, self.config, self.now = store, notifiers, config, now

    def due(self, plan: Plan, now: dt.datetime) -> list[ReviewItem]:
        items = plan.items(now, self.config.due_soon_days)
        return [item for item in items if item.state != "ok"]

    def reminders(self, plan: Plan) -> list[DeliveryKey]:
        """Send the reminders not yet sent (and repeat old overdue ones); returns those sent."""
        now = self.now()
        today = local_today(now, plan.tz)
        sent: list[DeliveryKey] = []
        for notifier in self.notifiers:
            pending: dict[str, list[tuple[ReviewItem, DeliveryKey]]] = {}
            for item in self.due(plan, now):
                key = DeliveryKey(item.state, item.path, item.due, notifier.channel, item.owner)
                if self._wanted(key, today, plan):
                    pending.setdefault(item.owner, []).append((item, key))
            for owner, entries in sorted(pending.items()):
                message = messages.reminder(owner, [item for item, _ in entries], plan.name)
                keys = [key for _, key in entries]
                if self._send(notifier, message, keys, now):
                    sent += keys
        return sent

    def digest(self, plan: Plan) -> list[DeliveryKey]:
        """Each owner's weekly list of due and overdue files, once per week and channel."""
        now = self.now()
        today = local_today(now, plan.tz)
        week = today - dt.timedelta(days=today.weekday())
        by_owner: dict[str, list[ReviewItem]] = {}
        for item in self.due(plan, now):
            by_owner.setdefault(item.owner, []).append(item)
        sent: list[DeliveryKey] = []
        for notifier in self.notifiers:
            for owner, items in sorted(by_owner.items()):
                key = DeliveryKey("digest", "", week, notifier.channel, owner)
                if self.store.last_sent(key) is not None:
                    continue
                message = messages.digest(owner, items, week, plan.name)
                if self._send(notifier, message, [key], now):
                    sent.append(key)
        return sent

    def _wanted(self, key: DeliveryKey, today: dt.date, plan: Plan) -> bool:
        last = self.store.last_sent(key)
        if last is None:
            return True
        if key.kind != "overdue":
            return False
        return (today - local_today(last, plan.tz)).days >= self.config.repeat_overdue_days

    def _send(
        self,
        notifier: Notifier,
        message: messages.Message,
        keys: list[DeliveryKey],
        now: dt.datetime,
    ) -> bool:
        try:
            notifier.send(message)
        except NotificationFailed as exc:
            channel = notifier.channel
            log.warning("review reminder not sent (%s), tried again next run: %s", channel, exc)
            return False
        for key in keys:
            self.store.record(key, now)
        return True
