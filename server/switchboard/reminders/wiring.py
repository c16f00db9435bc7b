"""Builds the reminder service from the server settings."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from zoneinfo import ZoneInfo

from switchboard.reminders.notify import EmailNotifier, Notifier, WebhookNotifier
from switchboard.reminders.runs import ReminderConfig
from switchboard.reminders.service import ReminderService, cron, utc_now
from switchboard.settings import Settings, SettingsError, env_name
from switchboard.store.factory import open_reminder_store


def notifiers_for(settings: Settings, now: Callable[[], dt.datetime] = utc_now) -> list[Notifier]:
    notifiers: list[Notifier] = []
    if settings.reminders_smtp:
        host, _, port = settings.reminders_smtp.rpartition(":")
        notifiers.append(EmailNotifier(host, int(port), settings.reminders_from, now=now))
    if settings.reminders_webhook_url:
        notifiers.append(WebhookNotifier(settings.reminders_webhook_url))
    return notifiers


def open_reminders(settings: Settings, now: Callable[[], dt.datetime] = utc_now) -> ReminderService:
    """The service for `settings`; SettingsError when a schedule cannot be read."""
    config = ReminderConfig(
        schedule=settings.reminders_schedule,
        digest_schedule=settings.reminders_digest_schedule,
        due_soon_days=settings.reminders_due_soon_days,
        repeat_overdue_days=settings.reminders_repeat_days,
    )
    for name in ("reminders_schedule", "reminders_digest_schedule"):
        try:
            cron(getattr(settings, name), ZoneInfo("UTC"))
        except ValueError as exc:
            raise SettingsError(f"{env_name(name)}: {exc}") from None
    store = open_reminder_store(settings)  # SQLite in the data directory, or PostgreSQL
    notifiers = notifiers_for(settings, now)
    return ReminderService(store, notifiers, config, repo=settings.rules_path, now=now)
