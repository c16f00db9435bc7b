"""Structured logs: one JSON object per line, from the stdlib `logging` module.

Every record has `ts` (UTC, ISO 8601), `level`, `logger` and `message`; fields passed with
`extra={...}` are added as they are (`decision_id`, `revision`, `outcome`, `reasons`, ...);
an exception adds `exception` with its traceback. Decisions are logged at INFO by
`log_decision` with ids, revision, outcome and reasons only: never the message text, the
sender or anything read from the ERP. Access log lines carry the path without its query
string, since a query may hold an e-mail address or a phone number.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
from typing import Any

from switchboard.engine.types import Decision

DECISIONS = "switchboard.decisions"

# Attributes every LogRecord has; anything else on a record came in through `extra`.
_STANDARD = frozenset(
    vars(logging.LogRecord("", 0, "", 0, "", (), None)).keys() | {"message", "asctime"}
)


class JsonFormatter(logging.Formatter):
    """Formats a record as one line of JSON."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "ts": dt.datetime.fromtimestamp(record.created, dt.UTC).isoformat(
                timespec="milliseconds"
            ),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": _message(record),
        }
        for name, value in vars(record).items():
            if name not in _STANDARD and not name.startswith("_") and name not in entry:
                entry[name] = value
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        elif record.exc_text:
            entry["exception"] = record.exc_text
        return json.dumps(entry, default=str, ensure_ascii=False)


def _message(record: logging.LogRecord) -> str:
    if record.name == "uvicorn.access" and isinstance(record.args, tuple) and len(record.args) == 5:
        client, method, path, version, status = record.args
        return f'{client} - "{method} {str(path).split("?", 1)[0]} HTTP/{version}" {status}'
    return record.getMessage()


def formatters(log_format: str) -> dict[str, dict[str, Any]]:
    """`logging.config` formatters named `standard` (the name Litestar's handlers use)."""
    if log_format == "json":
        return {"standard": {"()": JsonFormatter}}
    return {"standard": {"format": "%(levelname)s %(asctime)s %(name)s: %(message)s"}}


def uvicorn_log_config(level: str, log_format: str) -> dict[str, Any]:
    """uvicorn's own loggers (server and access log) in the same format as ours."""
    handler = {
        "class": "logging.StreamHandler",
        "formatter": "standard",
        "stream": "ext://sys.stderr",
    }
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": formatters(log_format),
        "handlers": {"uvicorn": handler},
        "loggers": {
            "uvicorn": {"handlers": ["uvicorn"], "level": level.upper(), "propagate": False},
            "uvicorn.error": {"level": level.upper()},
            "uvicorn.access": {"handlers": ["uvicorn"], "level": "INFO", "propagate": False},
        },
    }


def log_decision(decision: Decision, *, dry_run: bool, seconds: float) -> None:
    """One INFO line per decision: what was decided and by which revision, no content."""
    logging.getLogger(DECISIONS).info(
        "decision %s: %s",
        decision.decision_id,
        decision.outcome,
        extra={
            "event": "decision",
            "decision_id": decision.decision_id,
            "revision": decision.revision,
            "outcome": decision.outcome,
            "automated": decision.automated,
            "intent": decision.intent,
            "reasons": list(decision.reasons),
            "queue": decision.queue,
            "dry_run": dry_run,
            "duration_ms": round(seconds * 1000, 2),
        },
    )
