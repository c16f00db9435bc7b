"""Due dates and states from file metadata: calendar months, hard dates, triggers, time zones."""

from __future__ import annotations

import datetime as dt

import pytest

from switchboard.reminders.due import Trigger, compute_reviews, due_by, local_today
from switchboard.reminders.periods import add_months, add_period, next_review, parse_within
from switchboard.rules.model import FileInfo, Metadata
from switchboard.rules.units import period_days

D = dt.date.fromisoformat


def info(
    path: str = "queues/order_desk.yaml",
    every: str = "90d",
    last: str = "2026-09-15",
    review_by: str | None = None,
    kind: str = "queue",
) -> FileInfo:
    metadata = Metadata(
        owner="anna.berger@nordwerk.example",
        review_every_days=period_days(every),
        last_reviewed=D(last),
        review_by=D(review_by) if review_by else None,
        review_every=every,
    )
    return FileInfo(path, kind, path.rsplit("/", 1)[-1].removesuffix(".yaml"), metadata)


def utc(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text).replace(tzinfo=dt.UTC)


@pytest.mark.parametrize(
    ("last", "every", "due"),
    [
        ("2027-01-31", "1m", "2027-02-28"),  # month end, common year
        ("2028-01-31", "1m", "2028-02-29"),  # leap year
        ("2026-08-31", "6m", "2027-02-28"),
        ("2026-11-30", "3m", "2027-02-28"),
        ("2026-03-31", "1m", "2026-04-30"),
        ("2026-01-15", "1m", "2026-02-15"),
        ("2028-02-29", "1y", "2029-02-28"),
        ("2026-12-31", "12m", "2027-12-31"),
        ("2026-09-15", "90d", "2026-12-14"),  # days stay days
        ("2026-09-15", "6w", "2026-10-27"),
    ],
)
def test_due_date_steps_through_the_calendar(last: str, every: str, due: str) -> None:
    item = compute_reviews([info(every=every, last=last)], [], D("2026-01-01"), "UTC")[0]
    assert item.due == D(due)
    assert item.cause == "interval"
    assert item.reason == f"review every {every}, last reviewed {last}"


def test_add_months_goes_backwards_and_across_years() -> None:
    assert add_months(D("2026-03-31"), -1) == D("2026-02-28")
    assert add_months(D("2026-11-30"), 14) == D("2028-01-30")
    assert add_period(D("2026-12-03"), "0d") == D("2026-12-03")


def test_without_the_written_period_the_day_count_is_used() -> None:
    meta = Metadata("a@b.example", 90, D("2026-09-15"))
    assert next_review(meta) == D("2026-12-14")


@pytest.mark.parametrize(
    ("days_left", "state"),
    [(15, "ok"), (14, "due_soon"), (1, "due_soon"), (0, "due_soon"), (-1, "overdue")],
)
def test_states_around_the_window(days_left: int, state: str) -> None:
    today = D("2026-12-14") - dt.timedelta(days=days_left)
    item = compute_reviews([info()], [], today, "Europe/Berlin", window=14)[0]
    assert (item.state, item.days_left) == (state, days_left)


def test_an_earlier_review_by_date_wins_and_a_later_one_does_not() -> None:
    earlier = info(review_by="2026-11-30")
    later = info(path="queues/logistics.yaml", review_by="2027-03-31")
    first, second = compute_reviews([later, earlier], [], D("2026-12-03"), "UTC")
    assert (first.path, first.due, first.cause, first.state) == (
        earlier.path,
        D("2026-11-30"),
        "review_by",
        "overdue",
    )
    assert first.reason == "review by 2026-11-30"
    assert (second.due, second.cause, second.state) == (D("2026-12-14"), "interval", "due_soon")


def test_a_snippet_change_after_the_last_review_makes_the_template_due() -> None:
    template = info("templates/order_status.yaml", every="90d", last="2026-11-09", kind="template")
    changes = [
        Trigger("templates/order_status.yaml", "legal_footer", D("2026-11-05")),  # seen already
        Trigger("templates/order_status.yaml", "signature", D("2026-11-09")),  # same day: seen
        Trigger("templates/order_status.yaml", "signature", D("2026-11-20"), "abc123"),
        Trigger("templates/other.yaml", "greeting", D("2026-11-12")),  # another file
    ]
    item = compute_reviews([template], changes, D("2026-12-03"), "Europe/Berlin")[0]
    assert item.due == D("2026-11-20")
    assert item.cause == "trigger"
    assert item.state == "overdue"
    assert item.reason == "trigger: snippet signature changed on 2026-11-20"
    assert [t.snippet for t in item.triggers] == ["signature"]


def test_a_trigger_later_than_the_regular_date_changes_nothing() -> None:
    template = info("templates/invoice.yaml", every="30d", last="2026-11-10", kind="template")
    change = Trigger("templates/invoice.yaml", "payment_terms", D("2026-12-20"))
    item = compute_reviews([template], [change], D("2026-12-03"), "UTC")[0]
    assert (item.due, item.cause) == (D("2026-12-10"), "interval")
    assert item.triggers == (change,)


# (time zone, now in UTC, the local date, state of a file due that day or the day before)
DST_CASES = [
    # Berlin: summer time starts 2026-03-29 01:00 UTC
    ("Europe/Berlin", "2026-03-28T23:30:00", "2026-03-29"),
    ("Europe/Berlin", "2026-03-29T21:59:00", "2026-03-29"),  # 23:59 CEST
    ("Europe/Berlin", "2026-03-29T22:30:00", "2026-03-30"),  # 00:30 CEST, UTC still the 29th
    # Berlin: summer time ends 2026-10-25 01:00 UTC
    ("Europe/Berlin", "2026-10-24T22:30:00", "2026-10-25"),  # 00:30 CEST
    ("Europe/Berlin", "2026-10-25T22:59:00", "2026-10-25"),  # 23:59 CET
    ("Europe/Berlin", "2026-10-25T23:30:00", "2026-10-26"),
    # New York: daylight time starts 2026-03-08 07:00 UTC, ends 2026-11-01 06:00 UTC
    ("America/New_York", "2026-03-08T04:30:00", "2026-03-07"),  # 23:30 EST
    ("America/New_York", "2026-03-09T03:30:00", "2026-03-08"),  # 23:30 EDT
    ("America/New_York", "2026-11-01T03:30:00", "2026-10-31"),  # 23:30 EDT
    ("America/New_York", "2026-11-02T04:30:00", "2026-11-01"),  # 23:30 EST
]


@pytest.mark.parametrize(("tz", "now", "local"), DST_CASES)
def test_today_is_the_repository_date_across_daylight_saving(tz: str, now: str, local: str) -> None:
    assert local_today(utc(now), tz) == D(local)
    day = D(local)
    due_today = info(every="14d", last=(day - dt.timedelta(days=14)).isoformat())
    due_yesterday = info(
        "queues/logistics.yaml", every="14d", last=(day - dt.timedelta(days=15)).isoformat()
    )
    items = {i.path: i for i in compute_reviews([due_today, due_yesterday], [], utc(now), tz, 0)}
    assert (items[due_today.path].state, items[due_today.path].days_left) == ("due_soon", 0)
    assert (items[due_yesterday.path].state, items[due_yesterday.path].days_left) == ("overdue", -1)


def test_one_instant_is_a_different_day_in_berlin_and_new_york() -> None:
    now = utc("2026-03-29T22:30:00")  # 00:30 on the 30th in Berlin, 18:30 on the 29th in NY
    file = info(every="14d", last="2026-03-15")  # due 2026-03-29
    berlin = compute_reviews([file], [], now, "Europe/Berlin", 14)[0]
    new_york = compute_reviews([file], [], now, "America/New_York", 14)[0]
    assert (berlin.state, berlin.days_left) == ("overdue", -1)
    assert (new_york.state, new_york.days_left) == ("due_soon", 0)


def test_naive_times_are_utc_and_dates_are_taken_as_they_are() -> None:
    assert local_today(dt.datetime(2026, 10, 24, 22, 30), "Europe/Berlin") == D("2026-10-25")
    assert local_today(D("2026-10-24"), "Pacific/Auckland") == D("2026-10-24")


def test_items_come_earliest_first_and_due_by_keeps_overdue_ones() -> None:
    files = [
        info("queues/a.yaml", last="2026-09-15"),  # due 12-14
        info("queues/b.yaml", last="2026-08-01"),  # due 10-30
        info("queues/c.yaml", last="2026-12-01"),  # due 2027-03-01
    ]
    items = compute_reviews(files, [], D("2026-12-03"), "UTC")
    assert [i.path for i in items] == ["queues/b.yaml", "queues/a.yaml", "queues/c.yaml"]
    assert [i.path for i in due_by(items, D("2026-12-17"))] == ["queues/b.yaml", "queues/a.yaml"]


@pytest.mark.parametrize("text", ["14d", "2W", " 1m ", "1y", "0d"])
def test_look_ahead_periods(text: str) -> None:
    assert parse_within(text) == text.strip().lower()


@pytest.mark.parametrize("text", ["", "14", "d", "14days", "-1d", "1.5w", "12345d"])
def test_bad_look_ahead_periods_are_explained(text: str) -> None:
    with pytest.raises(ValueError, match="not a period"):
        parse_within(text)
