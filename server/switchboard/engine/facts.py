"""Builds the facts of one inquiry (docs/rules.md, "Facts") from what the engine knows.

A fact without a value is simply absent from the dict: conditions treat absent and None alike.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any
from zoneinfo import ZoneInfo

from switchboard.engine.types import Context, Customer
from switchboard.rules.model import Settings

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_CUSTOMER_FIELDS = ("id", "account_no", "name", "segment", "country", "tier")


def local_time(settings: Settings, now: dt.datetime) -> dt.datetime:
    """`now` in the repository's time zone; a naive time is taken to be UTC."""
    if now.tzinfo is None:
        now = now.replace(tzinfo=dt.UTC)
    return now.astimezone(ZoneInfo(settings.time_zone))


def within(spans: Any, moment: dt.time) -> bool:
    return any(start <= moment < end for start, end in spans)


def time_facts(settings: Settings, now: dt.datetime) -> dict[str, Any]:
    local = local_time(settings, now)
    weekday = WEEKDAYS[local.weekday()]
    spans = settings.business_hours.get(weekday, ())
    return {
        "time.weekday": weekday,
        "time.hour": local.hour,
        "time.business_hours": within(spans, local.time().replace(tzinfo=None)),
    }


def customer_facts(customer: Customer | None) -> dict[str, Any]:
    facts: dict[str, Any] = {"customer.known": customer is not None}
    if customer is not None:
        for name in _CUSTOMER_FIELDS:
            value = getattr(customer, name)
            if value not in (None, ""):
                facts[f"customer.{name}"] = value
    return facts


def conversation_facts(context: Context) -> dict[str, Any]:
    conversation = context.conversation
    facts: dict[str, Any] = {
        "conversation.contacts_last_7d": conversation.contacts_last_7d,
        "conversation.open": conversation.open,
    }
    if conversation.queue:
        facts["conversation.queue"] = conversation.queue
    if conversation.previous_intent:
        facts["conversation.previous_intent"] = conversation.previous_intent
    return facts


def entity_facts(entities: Mapping[str, Any]) -> dict[str, Any]:
    return {f"entities.{name}": value for name, value in entities.items() if value is not None}


def data_facts(name: str, row: Mapping[str, Any]) -> dict[str, Any]:
    return {f"data.{name}.{field}": value for field, value in row.items() if value is not None}
