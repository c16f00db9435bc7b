"""Geometry of the dashboard's two small charts, drawn as inline SVG by the template.

Numbers only: the template turns them into <rect> and <polyline>. Both charts share one
layout: a plot area of WIDTH x HEIGHT with room for labels on the left and at the bottom.
"""

from __future__ import annotations

from dataclasses import dataclass

from switchboard.web.ui.stats import OUTCOMES, Day

WIDTH, HEIGHT = 520, 160
LEFT, BOTTOM, TOP = 40, 22, 8


@dataclass(frozen=True, slots=True)
class Bar:
    x: float
    y: float
    width: float
    height: float
    outcome: str
    label: str


@dataclass(frozen=True, slots=True)
class Chart:
    bars: list[Bar]
    points: str  # polyline of the automation rate
    dots: list[tuple[float, float, str]]
    ticks: list[tuple[float, str]]  # y, label
    days: list[tuple[float, str]]  # x, label
    width: int = WIDTH + LEFT
    height: int = HEIGHT + BOTTOM + TOP


def _slot(count: int) -> float:
    return WIDTH / max(count, 1)


def _day_labels(days: list[Day]) -> list[tuple[float, str]]:
    slot = _slot(len(days))
    step = 1 if len(days) <= 8 else 2
    return [
        (LEFT + slot * i + slot / 2, day.day.strftime("%d.%m."))
        for i, day in enumerate(days)
        if (len(days) - 1 - i) % step == 0
    ]


def outcome_bars(days: list[Day]) -> Chart:
    """Stacked bars: decisions per day by outcome."""
    top = max([d.total for d in days] + [1])
    scale = HEIGHT / top
    slot = _slot(len(days))
    bars = []
    for i, day in enumerate(days):
        y = float(TOP + HEIGHT)
        for outcome in OUTCOMES:
            count = day.counts.get(outcome, 0)
            if not count:
                continue
            height = count * scale
            y -= height
            label = f"{day.day.isoformat()}: {count} {outcome.replace('_', ' ')}"
            bars.append(Bar(LEFT + slot * i + slot * 0.15, y, slot * 0.7, height, outcome, label))
    steps = (0, 0.5, 1) if top >= 2 else (0, 1)
    ticks = [(TOP + HEIGHT - HEIGHT * f, str(round(top * f))) for f in steps]
    return Chart(bars, "", [], ticks, _day_labels(days))


def rate_line(days: list[Day]) -> Chart:
    """The share of decisions answered automatically (reply or question), per day."""
    slot = _slot(len(days))
    points, dots = [], []
    for i, day in enumerate(days):
        if day.rate is None:
            continue
        x = LEFT + slot * i + slot / 2
        y = TOP + HEIGHT - HEIGHT * day.rate
        points.append(f"{x:.1f},{y:.1f}")
        dots.append((x, y, f"{day.day.isoformat()}: {day.rate:.0%} of {day.total}"))
    ticks = [(TOP + HEIGHT - HEIGHT * f, f"{f:.0%}") for f in (0, 0.5, 1)]
    return Chart([], " ".join(points), dots, ticks, _day_labels(days))
