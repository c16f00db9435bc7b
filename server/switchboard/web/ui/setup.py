"""What every page shares (users, sessions, SSO, templates) and the UI's routes."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from switchboard.resources import resource_dir
from switchboard.settings import Settings, SettingsError
from switchboard.users.model import UserError
from switchboard.users.store import UserStore
from switchboard.web.ui.proxy import ProxyLogin, proxy_login
from switchboard.web.ui.revisions import Revisions
from switchboard.web.ui.sessions import Sessions, load_key
from switchboard.web.ui.throttle import Throttle


@dataclass
class UiApp:
    settings: Settings
    users: UserStore
    sessions: Sessions
    proxy: ProxyLogin | None
    jinja: Environment
    static_dir: Path
    revisions: Revisions = field(default_factory=Revisions)
    throttle: Throttle = field(default_factory=Throttle)

    @property
    def cookie_name(self) -> str:
        # The __Host- prefix makes browsers refuse the cookie unless Secure, Path=/ and no Domain.
        return "__Host-sb_session" if self.settings.ui_cookie_secure else "sb_session"

    @classmethod
    def from_settings(cls, settings: Settings) -> UiApp:
        """SettingsError when the users file, the SSO settings or the key cannot be used."""
        try:
            users = UserStore(settings.users_path)
            proxy = proxy_login(settings.ui_proxy_user_header, settings.ui_trusted_proxies)
            key = load_key(settings.data_dir)
        except (UserError, ValueError, OSError) as exc:
            raise SettingsError(str(exc)) from None
        base = resource_dir("ui")
        return cls(
            settings=settings,
            users=users,
            sessions=Sessions(key, settings.ui_session_minutes * 60),
            proxy=proxy,
            jinja=make_jinja(base / "templates"),
            static_dir=base / "static",
        )


def make_jinja(folder: Path) -> Environment:
    env = Environment(
        loader=FileSystemLoader(folder),
        autoescape=select_autoescape(["html", "svg"], default=True),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["short"] = lambda sha: (sha or "")[:10]
    env.globals["nav"] = NAV
    return env


NAV: list[tuple[str, str, str]] = [
    ("dashboard", "/ui/", "Dashboard"),
    ("taxonomy", "/ui/taxonomy", "Inquiry types"),
    ("escalation", "/ui/escalation", "Escalation rules"),
    ("queues", "/ui/queues", "Teams"),
    ("templates", "/ui/templates", "Answer texts"),
    ("connectors", "/ui/connectors", "Data connections"),
    ("proposals", "/ui/proposals", "Proposals"),
    ("reviews", "/ui/reviews", "Reviews due"),
]


def ui_of(app_state: Any) -> UiApp:
    ui: UiApp = app_state.ui
    return ui
