"""The inquiries a replay runs through two revisions, with the data they were decided on.

From the store: the decision records (inquiry, context, and the live data the decision used).
From a JSON-lines file, one inquiry per line, either nested or flat:

    {"id": "q1", "inquiry": {<Inquiry>}, "context": {<Context>}, "data": {...}}
    {"id": "q2", "channel": "email", "text": "...", "customer": {...} | null,
     "conversation": {...}, "now": "2026-12-01T09:30:00Z", "data": {...}}

`data` maps `connector.query` to the row found or `{"error": timeout | error | not_found |
circuit_open | ownership_mismatch}`; lookups it does not cover get a synthesised row owned by
the customer (as `switchboard classify` does). Without `customer` the sender is a known
standard customer; `"customer": null` is an unknown sender.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import IO, Any

import msgspec

from switchboard.engine.sources import ASSUMED_CUSTOMER
from switchboard.engine.types import Context, Inquiry
from switchboard.rules.model import Ruleset
from switchboard.store.conversations.records import DecisionRecord

MAX_LINE_BYTES = 1024 * 1024
FAILURES = ("timeout", "error", "not_found", "circuit_open", "ownership_mismatch")
_FLAT_EXTRAS = ("id", "customer", "conversation", "now", "data")


@dataclass(frozen=True, slots=True)
class Recorded:
    """What one lookup returned: its status and, when it found a row, the known fields."""

    status: str  # ok, or the failure: timeout, error, not_found, circuit_open, ...
    values: Mapping[str, Any] = field(default_factory=dict)  # field -> value
    present: frozenset[str] | None = None  # fields that had a value; None: those in `values`


@dataclass(frozen=True, slots=True)
class ReplayItem:
    id: str
    inquiry: Inquiry
    context: Context
    data: Mapping[str, Recorded] = field(default_factory=dict)  # "connector.query" -> result


@dataclass(frozen=True, slots=True)
class Refused:
    line: int
    error: str


def read_jsonl(handle: IO[bytes], now: dt.datetime) -> Iterator[ReplayItem | Refused]:
    """One item per non-blank line; a line that cannot be used becomes `Refused`."""
    for number, raw in enumerate(handle, start=1):
        if not raw.strip():
            continue
        if len(raw) > MAX_LINE_BYTES:
            yield Refused(number, f"the line is longer than {MAX_LINE_BYTES} bytes")
            continue
        try:
            yield item_of(msgspec.json.decode(raw), now, f"line-{number}")
        except (msgspec.DecodeError, msgspec.ValidationError, ValueError) as exc:
            yield Refused(number, str(exc))


def item_of(line: Any, now: dt.datetime, default_id: str) -> ReplayItem:
    if not isinstance(line, dict):
        raise ValueError("expected a JSON object")
    if "inquiry" in line:
        unknown = set(line) - {"id", "inquiry", "context", "data"}
        if unknown:
            raise ValueError(f"unknown keys: {', '.join(sorted(unknown))}")
        raw_inquiry, raw_context = line["inquiry"], dict(line.get("context") or {})
    else:
        raw_inquiry = {k: v for k, v in line.items() if k not in _FLAT_EXTRAS}
        raw_context = {k: line[k] for k in ("customer", "conversation", "now") if k in line}
    inquiry = msgspec.convert(raw_inquiry, Inquiry)
    raw_context.setdefault("now", inquiry.received_at or now)
    if "customer" not in raw_context:
        raw_context["customer"] = msgspec.to_builtins(ASSUMED_CUSTOMER)
    context = msgspec.convert(raw_context, Context, strict=False)
    return ReplayItem(str(line.get("id", default_id)), inquiry, context, _data(line.get("data")))


def _data(raw: Any) -> dict[str, Recorded]:
    if raw is None:
        return {}
    if not isinstance(raw, dict) or not all(isinstance(v, dict) for v in raw.values()):
        raise ValueError('`data` must map "connector.query" to a row or {"error": ...}')
    found: dict[str, Recorded] = {}
    for source, row in raw.items():
        error = row.get("error") if len(row) == 1 else None
        if error is not None:
            if error not in FAILURES:
                raise ValueError(f"{source}: error must be one of {', '.join(FAILURES)}")
            found[source] = Recorded(str(error))
        else:
            found[source] = Recorded("ok", dict(row))
    return found


def items_from_records(
    records: Sequence[DecisionRecord], as_names: Mapping[str, set[str]]
) -> Iterator[ReplayItem | Refused]:
    """Stored decisions (newest first, as the store lists them) as replay items, oldest first.

    `as_names` maps "connector.query" to the `as` names its rows have in the facts.
    """
    for n, record in enumerate(reversed(records), start=1):
        try:
            inquiry = msgspec.convert(record.inquiry, Inquiry)
            context = msgspec.convert(record.context, Context)
        except msgspec.ValidationError as exc:
            yield Refused(n, f"decision {record.id}: {exc}")
            continue
        data = recorded_data(record.decision, as_names)
        yield ReplayItem(record.id, inquiry, context, data)


def recorded_data(
    decision: Mapping[str, Any], as_names: Mapping[str, set[str]]
) -> dict[str, Recorded]:
    """The lookups of a stored decision: each source's status and the fields it had.

    The values the rules read are in the decision's facts (`data.<as>.<field>`); the other
    fields that had a value are only named, and synthesised when replayed (`ReplayData`).
    """
    facts: Mapping[str, Any] = decision.get("facts") or {}
    found: dict[str, Recorded] = {}
    for use in decision.get("data") or []:
        source, status = str(use.get("source", "")), str(use.get("status", "error"))
        if status != "ok":
            found[source] = Recorded(status)
            continue
        values: dict[str, Any] = {}
        for name in as_names.get(source, ()):
            prefix = f"data.{name}."
            values |= {f.removeprefix(prefix): v for f, v in facts.items() if f.startswith(prefix)}
        present = frozenset(use.get("fields") or ())
        values = {k: v for k, v in values.items() if k in present or v is None}
        found[source] = Recorded("ok", values, present)
    return found


def lookup_names(rulesets: Iterable[Ruleset]) -> dict[str, set[str]]:
    """ "connector.query" -> the `as` names its rows have in the facts, in any of `rulesets`."""
    found: dict[str, set[str]] = {}
    for ruleset in rulesets:
        for intent in ruleset.intents.values():
            for lookup in intent.answer.lookups if intent.answer else ():
                found.setdefault(f"{lookup.connector}.{lookup.query}", set()).add(lookup.as_)
    return found
