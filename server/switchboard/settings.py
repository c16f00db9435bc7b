"""Typed server settings, read from `SWITCHBOARD_*` environment variables.

Every field carries a description: `switchboard serve --help` prints them, and the docs must
mention each variable. A bad value stops startup with one message naming every bad variable.
Secrets of the live-data connectors (`SWITCHBOARD_ERP_DSN`, ...) are not settings of the server:
a connector names its own variable in the rules repository and reads it at connect time.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

PREFIX = "SWITCHBOARD_"

LogLevel = Literal["debug", "info", "warning", "error", "critical"]


class SettingsError(Exception):
    """The settings cannot be used; the message says which variable and why."""


class Settings(BaseModel):
    """Everything the HTTP runtime needs to start."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    rules_path: Path | None = Field(
        default=None,
        description="The rules repository to serve: a git work tree or a plain directory.",
    )
    rules_rev: str | None = Field(
        default=None,
        description=(
            "The git revision (branch, tag or commit) to serve; empty means HEAD. "
            "Leave it empty for a plain directory, which is read as it is."
        ),
    )
    rules_remote: str | None = Field(
        default=None,
        description=(
            "A git URL of the rules repository. When set, the server fetches its approved "
            "branch (SWITCHBOARD_RULES_REV, else approved_ref in switchboard.yaml) into a bare "
            "mirror, rules-mirror.git in the data directory, and serves that."
        ),
    )
    reload_poll_s: float = Field(
        default=0.3,
        ge=0.05,
        le=60,
        description="How often the approved branch is checked for a new commit, in seconds.",
    )
    remote_poll_s: float = Field(
        default=60.0,
        ge=1,
        le=86400,
        description=(
            "How often a remote rules repository is fetched, in seconds, besides the fetch "
            "that POST /v1/admin/reload (the push webhook) starts."
        ),
    )
    reload_webhook_secret: str | None = Field(
        default=None,
        min_length=16,
        description=(
            "The shared secret of the push webhook POST /v1/admin/reload: the key of GitHub's "
            "X-Hub-Signature-256 HMAC, or the X-Gitlab-Token value. Empty: only admin API keys."
        ),
    )
    data_dir: Path = Field(
        default=Path("var"),
        description="Where the server keeps its own files (API keys, cache, databases).",
    )
    database_url: str | None = Field(
        default=None,
        description=(
            "Where conversations, decisions and the reminders' records are stored: empty for "
            "SQLite files in the data directory, sqlite:///PATH for one SQLite file, or "
            "postgresql://USER:PASSWORD@HOST:PORT/DATABASE for PostgreSQL shared by replicas."
        ),
    )
    database_pool_size: int = Field(
        default=10,
        ge=1,
        le=200,
        description="PostgreSQL connections each server process keeps for the conversation store.",
    )
    host: str = Field(default="127.0.0.1", min_length=1, description="The address to listen on.")
    port: int = Field(default=8000, ge=1, le=65535, description="The TCP port to listen on.")
    max_body_bytes: int = Field(
        default=64 * 1024,
        ge=1024,
        le=16 * 1024 * 1024,
        description="Largest request body accepted, in bytes; larger bodies get 413.",
    )
    api_keys_file: Path | None = Field(
        default=None,
        description="The API keys file (JSON); empty means api-keys.json in the data directory.",
    )
    log_level: LogLevel = Field(
        default="info", description="Log level: debug, info, warning, error or critical."
    )
    log_format: Literal["json", "text"] = Field(
        default="json",
        description="Log lines as JSON objects (json, one per line) or plain text (text).",
    )
    cache_dir: Path | None = Field(
        default=None,
        description="Where compiled rulesets are cached; empty means cache/ in the data directory.",
    )
    embedding_memo: int = Field(
        default=8192,
        ge=0,
        description=(
            "How many texts the embedding classifier keeps the vectors of (1.5 KB each), so "
            "that retraining and impact previews embed only new text; 0 runs the model every time."
        ),
    )
    proposals_remote: str | None = Field(
        default=None,
        description=(
            "A git remote (URL or name) of an external forge for rule proposals; empty means "
            "proposals are reviewed and merged in this server."
        ),
    )
    push_proposals: bool = Field(
        default=False,
        description=(
            "Push proposal branches to SWITCHBOARD_PROPOSALS_REMOTE after every edit; they are "
            "then merged on the forge (pull requests), not here."
        ),
    )
    reminders_smtp: str | None = Field(
        default=None,
        pattern=r"^[^\s:]+:[0-9]{1,5}$",
        description="The SMTP relay (host:port) review reminders are mailed through; empty: none.",
    )
    reminders_from: str = Field(
        default="switchboard@localhost",
        min_length=3,
        description="The sender address of review reminder e-mails.",
    )
    reminders_webhook_url: str | None = Field(
        default=None,
        pattern=r"^https?://\S+$",
        description="A Slack or Teams incoming webhook that review reminders are posted to.",
    )
    reminders_schedule: str = Field(
        default="0 8 * * *",
        description="When review reminders go out: crontab, in the rules repository's time zone.",
    )
    reminders_digest_schedule: str = Field(
        default="0 8 * * mon",
        description="When each owner's weekly review digest goes out (crontab, as above).",
    )
    reminders_due_soon_days: int = Field(
        default=14, ge=0, le=365, description="A file is `due_soon` this many days before its date."
    )
    reminders_repeat_days: int = Field(
        default=7, ge=1, le=365, description="An overdue file is reminded again after these days."
    )
    users_file: Path | None = Field(
        default=None,
        description=(
            "The admin UI's users file (JSON); empty means users.json in the data directory."
        ),
    )
    ui_session_minutes: int = Field(
        default=480,
        ge=1,
        le=7 * 24 * 60,
        description="How long an admin UI login lasts, in minutes; then the user logs in again.",
    )
    ui_cookie_secure: bool = Field(
        default=True,
        description=(
            "Send the admin UI's session cookie over HTTPS only. Turn off only for plain HTTP "
            "on this machine (the demo does)."
        ),
    )
    ui_proxy_user_header: str | None = Field(
        default=None,
        pattern=r"^[A-Za-z0-9-]{1,64}$",
        description=(
            "Single sign-on: the request header in which a trusted reverse proxy names the "
            "logged-in user (login or e-mail of a local user), e.g. X-Forwarded-User. Empty: off."
        ),
    )
    ui_trusted_proxies: str | None = Field(
        default=None,
        description=(
            "Comma-separated addresses or networks (CIDR) of the reverse proxies whose user "
            "header is believed, e.g. 127.0.0.1,10.0.0.0/8; needed with the header."
        ),
    )

    @property
    def keys_path(self) -> Path:
        return self.api_keys_file or self.data_dir / "api-keys.json"

    @property
    def users_path(self) -> Path:
        return self.users_file or self.data_dir / "users.json"

    @property
    def cache_path(self) -> Path:
        return self.cache_dir or self.data_dir / "cache"

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None, **overrides: Any) -> Settings:
        """Settings from `SWITCHBOARD_<FIELD>` variables; `overrides` (not None) win."""
        env = os.environ if environ is None else environ
        values: dict[str, Any] = {}
        for name in cls.model_fields:
            raw = env.get(env_name(name), "").strip()
            if raw:
                values[name] = raw.lower() if name in ("log_level", "log_format") else raw
        values.update({k: v for k, v in overrides.items() if v is not None})
        try:
            return cls(**values)
        except ValidationError as exc:
            raise SettingsError(_explain(exc)) from None

    def to_env(self) -> dict[str, str]:
        """The variables that recreate these settings (for a worker or a child process)."""
        out: dict[str, str] = {}
        for name in type(self).model_fields:
            value = getattr(self, name)
            if value is not None:
                out[env_name(name)] = str(value)
        return out


def env_name(field: str) -> str:
    return PREFIX + field.upper()


def describe() -> list[tuple[str, str, str]]:
    """(variable, default, description) for every setting, in declaration order."""
    rows = []
    for name, info in Settings.model_fields.items():
        default = "" if info.default is None else str(info.default)
        rows.append((env_name(name), default, info.description or ""))
    return rows


def _explain(exc: ValidationError) -> str:
    lines = []
    for error in exc.errors():
        field = str(error["loc"][0]) if error["loc"] else "?"
        name = env_name(field) if field in Settings.model_fields else field
        lines.append(f"{name}: {error['msg']} (got {error.get('input')!r})")
    return "bad settings:\n  " + "\n  ".join(lines)
