"""The filters a template may apply to a value, and the locale styles `date` and `money` use.

These are the only functions templates can reach besides `snippet()`. Each one refuses values
it cannot format with a plain message instead of printing something half right, and none can
produce a string longer than MAX_VALUE_CHARS, so a template cannot grow text without bound.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass
from decimal import ROUND_CEILING, ROUND_FLOOR, ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any
from zoneinfo import ZoneInfo

from jinja2 import pass_context
from jinja2.runtime import Context, Undefined

MAX_VALUE_CHARS = 20_000
STATE_KEY = "_render_state"  # context key of RenderState; templates cannot name it


class EmptyValueError(ValueError):
    """A value that should be shown is None (an empty field in the live data)."""


@dataclass(frozen=True, slots=True)
class RenderState:
    """What one render passes to the filters and to `snippet()` besides the variables."""

    locale: str
    time_zone: ZoneInfo | None
    depth: int
    render_snippet: Callable[[str], str]


@dataclass(frozen=True, slots=True)
class LocaleStyle:
    months: tuple[str, ...]
    date_pattern: str
    thousands: str
    decimal: str
    money_pattern: str


STYLES: dict[str, LocaleStyle] = {
    "en": LocaleStyle(
        months=(
            "January", "February", "March", "April", "May", "June",
            "July", "August", "September", "October", "November", "December",
        ),
        date_pattern="{day} {month} {year}",
        thousands=",",
        decimal=".",
        money_pattern="{currency} {amount}",
    ),
    "de": LocaleStyle(
        months=(
            "Januar", "Februar", "März", "April", "Mai", "Juni",
            "Juli", "August", "September", "Oktober", "November", "Dezember",
        ),
        date_pattern="{day}. {month} {year}",
        thousands=".",
        decimal=",",
        money_pattern="{amount} {currency}",
    ),
}  # fmt: skip


def style_for(locale: str) -> LocaleStyle:
    """The style of a locale by its language (`de-AT` -> `de`); English when we have none."""
    language = locale.replace("_", "-").split("-")[0].lower()
    return STYLES.get(language, STYLES["en"])


def _state(context: Context) -> RenderState | None:
    state = context.get(STATE_KEY)
    return state if isinstance(state, RenderState) else None


def _present(value: Any, name: str) -> Any:
    """Refuse an undefined or empty value before a filter formats it."""
    if isinstance(value, Undefined):
        str(value)  # StrictUndefined raises UndefinedError naming the missing variable
    if value is None:
        raise EmptyValueError(f"{name}: the value is empty")
    return value


def _text(value: Any, name: str) -> str:
    return str(_present(value, name))


@pass_context
def date_filter(context: Context, value: Any) -> str:
    """`3 December 2026` (en), `3. Dezember 2026` (de); aware times in the rules' time zone."""
    value = _present(value, "date")
    state = _state(context)
    if isinstance(value, str):
        try:
            value = dt.datetime.fromisoformat(value.strip())
        except ValueError:
            raise ValueError(f"date: {value!r} is not an ISO date like 2026-12-03") from None
    if isinstance(value, dt.datetime):
        if value.tzinfo is not None and state is not None and state.time_zone is not None:
            value = value.astimezone(state.time_zone)
        value = value.date()
    if not isinstance(value, dt.date):
        raise ValueError(f"date: expected a date, got {type(value).__name__}")
    style = style_for(state.locale if state else "en")
    return style.date_pattern.format(
        day=value.day, month=style.months[value.month - 1], year=value.year
    )


def _decimal(value: Any, name: str) -> Decimal:
    value = _present(value, name)
    if isinstance(value, bool) or not isinstance(value, int | float | Decimal | str):
        raise ValueError(f"{name}: expected a number, got {type(value).__name__}")
    try:
        number = Decimal(value.strip() if isinstance(value, str) else str(value))
    except InvalidOperation:
        raise ValueError(f"{name}: {value!r} is not a number") from None
    if not number.is_finite():
        raise ValueError(f"{name}: {value!r} is not a finite number")
    return number


@pass_context
def money_filter(context: Context, value: Any, currency: Any) -> str:
    """`EUR 12,500.50` (en), `12.500,50 EUR` (de): two decimals, rounded half up."""
    amount = _decimal(value, "money")
    code = _text(currency, "money").strip().upper()
    if not re.fullmatch(r"[A-Z]{3}", code):
        raise ValueError(f"money: {currency!r} is not a three-letter currency code")
    try:
        cents = amount.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    except InvalidOperation:
        raise ValueError(f"money: {value!r} is too large to show") from None
    whole, fraction = f"{abs(cents):.2f}".split(".")
    state = _state(context)
    style = style_for(state.locale if state else "en")
    grouped = f"{int(whole):,}".replace(",", style.thousands)
    text = style.money_pattern.format(currency=code, amount=f"{grouped}{style.decimal}{fraction}")
    return f"-{text}" if cents < 0 else text


def upper_filter(value: Any) -> str:
    return _text(value, "upper").upper()


def lower_filter(value: Any) -> str:
    return _text(value, "lower").lower()


def trim_filter(value: Any, chars: str | None = None) -> str:
    return _text(value, "trim").strip(None if chars is None else str(chars))


def default_filter(value: Any, fallback: Any = "", boolean: bool = False) -> Any:
    """The fallback when the value is undefined or empty (None), or falsy if `boolean`."""
    if isinstance(value, Undefined) or value is None or (boolean and not value):
        return fallback
    return value


def join_filter(value: Any, separator: Any = "") -> str:
    items = [_text(item, "join") for item in _present(value, "join")]
    glue = str(separator)
    if sum(map(len, items)) + len(glue) * len(items) > MAX_VALUE_CHARS:
        raise ValueError(f"join: the result would exceed {MAX_VALUE_CHARS} characters")
    return glue.join(items)


def length_filter(value: Any) -> int:
    value = _present(value, "length")
    try:
        return len(value)
    except TypeError:
        raise ValueError(f"length: a {type(value).__name__} has no length") from None


def round_filter(value: Any, precision: Any = 0, method: Any = "common") -> int | float:
    """Half-up rounding (`common`), or `ceil` / `floor`; whole numbers print without `.0`."""
    modes = {"common": ROUND_HALF_UP, "ceil": ROUND_CEILING, "floor": ROUND_FLOOR}
    if method not in modes:
        raise ValueError(f"round: method must be one of {', '.join(modes)}, not {method!r}")
    if isinstance(precision, bool) or not isinstance(precision, int) or not 0 <= precision <= 10:
        raise ValueError(f"round: precision must be a whole number from 0 to 10, not {precision!r}")
    try:
        rounded = _decimal(value, "round").quantize(Decimal(1).scaleb(-precision), modes[method])
    except InvalidOperation:
        raise ValueError(f"round: {value!r} is too large to round") from None
    return int(rounded) if precision == 0 else float(rounded)


def replace_filter(value: Any, old: Any, new: Any, count: Any = None) -> str:
    text, old_text, new_text = _text(value, "replace"), str(old), str(new)
    limit = -1 if count is None else int(count)
    hits = text.count(old_text) if limit < 0 else min(limit, text.count(old_text))
    if len(text) + hits * (len(new_text) - len(old_text)) > MAX_VALUE_CHARS:
        raise ValueError(f"replace: the result would exceed {MAX_VALUE_CHARS} characters")
    return text.replace(old_text, new_text, limit)


FILTERS: dict[str, Callable[..., Any]] = {
    "date": date_filter,
    "money": money_filter,
    "upper": upper_filter,
    "lower": lower_filter,
    "default": default_filter,
    "join": join_filter,
    "length": length_filter,
    "round": round_filter,
    "trim": trim_filter,
    "replace": replace_filter,
}

# filter -> (fewest, most) arguments in parentheses, and how to write it, for check messages
FILTER_USAGE: dict[str, tuple[int, int, str]] = {
    "date": (0, 0, "date"),
    "money": (1, 1, "money(currency)"),
    "upper": (0, 0, "upper"),
    "lower": (0, 0, "lower"),
    "default": (0, 2, "default('fallback')"),
    "join": (0, 1, "join(', ')"),
    "length": (0, 0, "length"),
    "round": (0, 2, "round(2)"),
    "trim": (0, 1, "trim"),
    "replace": (2, 3, "replace('old', 'new')"),
}
