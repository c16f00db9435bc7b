"""The connector building blocks on their own: pointers, params, phones, shapes, breaker, cache."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from switchboard.connectors import pointer
from switchboard.connectors.breaker import CircuitBreaker
from switchboard.connectors.cache import AgeCache
from switchboard.connectors.errors import ConfigError, LookupFailure
from switchboard.connectors.http import encode_segment, expand
from switchboard.connectors.params import ParamError, bind, sql_param_names, to_pyformat
from switchboard.connectors.phone import normalise_phone
from switchboard.connectors.shape import build_row, coerce
from switchboard.rules.model import Field, Query


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


# ----- JSON pointer ----------------------------------------------------------------------------

DOC = {
    "shipment": {"carrier": "AlpTrans", "tracking": {"number": "AT1", "url": None}},
    "legs": [{"hub": "Linz"}, {"hub": "Wels"}],
    "a/b": 1,
    "m~n": 2,
    "": 3,
    "x y": 4,
}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", DOC),
        ("/shipment/carrier", "AlpTrans"),
        ("/shipment/tracking/number", "AT1"),
        ("/shipment/tracking/url", None),
        ("/legs/1/hub", "Wels"),
        ("/a~1b", 1),
        ("/m~0n", 2),
        ("/", 3),
        ("/x y", 4),
    ],
)
def test_pointer_resolves(text: str, expected: object) -> None:
    assert pointer.resolve(DOC, text) == expected


@pytest.mark.parametrize(
    "text", ["/missing", "/legs/2", "/legs/01", "/legs/-", "/legs/x", "/shipment/carrier/x"]
)
def test_pointer_missing(text: str) -> None:
    with pytest.raises(pointer.PointerMissing):
        pointer.resolve(DOC, text)


@pytest.mark.parametrize("text", ["shipment", "/a~2b", "/~"])
def test_pointer_syntax_errors(text: str) -> None:
    with pytest.raises(pointer.PointerError):
        pointer.parse(text)


def test_pointer_escape_round_trip() -> None:
    for key in ("a/b", "m~n", "~1", "plain"):
        assert pointer.parse("/" + pointer.escape(key)) == (key,)


# ----- parameters ------------------------------------------------------------------------------

QUERY = Query("q", "", ("order_number", "po_number", "when"), {}, None, sql="SELECT 1")


def test_bind_takes_declared_params_only() -> None:
    bound = bind(QUERY, {"order_number": " SO4500123 ", "extra": "x", "when": dt.date(2026, 1, 2)})
    assert bound == {"order_number": "SO4500123", "po_number": None, "when": "2026-01-02"}


def test_bind_empty_string_is_null() -> None:
    assert bind(QUERY, {"order_number": "   "})["order_number"] is None


@pytest.mark.parametrize("value", ["x" * 257, float("nan"), object(), ["SO1"]])
def test_bind_refuses_bad_values(value: object) -> None:
    with pytest.raises(ParamError):
        bind(QUERY, {"order_number": value})


def test_bind_numbers() -> None:
    assert bind(QUERY, {"order_number": Decimal("1.5"), "po_number": 7}) == {
        "order_number": 1.5,
        "po_number": 7,
        "when": None,
    }


@pytest.mark.parametrize(
    ("sql", "expected"),
    [
        ("SELECT * FROM t WHERE a = :a", "SELECT * FROM t WHERE a = %(a)s"),
        (
            "WHERE d::date = :d AND e = CAST(:e AS TEXT)",
            "WHERE d::date = %(d)s AND e = CAST(%(e)s AS TEXT)",
        ),
        ("WHERE name LIKE 'a:b%' AND x = :x", "WHERE name LIKE 'a:b%%' AND x = %(x)s"),
        ("WHERE s = 'it''s :no' AND y = :y", "WHERE s = 'it''s :no' AND y = %(y)s"),
        (
            'SELECT "col:x" FROM t -- :c\nWHERE z = :z',
            'SELECT "col:x" FROM t -- :c\nWHERE z = %(z)s',
        ),
        ("/* :c % */ SELECT :a, :a", "/* :c %% */ SELECT %(a)s, %(a)s"),
        ("SELECT $q$ :x $q$, :y", "SELECT $q$ :x $q$, %(y)s"),
        ("SELECT E'\\' :x', :y", "SELECT E'\\' :x', %(y)s"),
        ("SELECT 5 % 2, a:b FROM t", "SELECT 5 %% 2, a:b FROM t"),
    ],
)
def test_to_pyformat(sql: str, expected: str) -> None:
    assert to_pyformat(sql) == expected


def test_sql_param_names_in_order_of_use() -> None:
    sql = "WHERE a = :po OR b = :order OR c = :po AND d = ':ignored'"
    assert sql_param_names(sql) == ["po", "order"]


@pytest.mark.parametrize("sql", ["SELECT 'open", "SELECT /* open", "SELECT $t$ open"])
def test_to_pyformat_unterminated(sql: str) -> None:
    with pytest.raises(ConfigError):
        to_pyformat(sql)


# ----- URL templates ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "encoded"),
    [
        ("SO4500123", "SO4500123"),
        ("SO1/../customers", "SO1%2F%2E%2E%2Fcustomers"),
        ("SO1?email=x#y", "SO1%3Femail%3Dx%23y"),
        ("..", "%2E%2E"),
        ("A B&C%", "A%20B%26C%25"),
        ("ÄÖ", "%C3%84%C3%96"),
    ],
)
def test_path_segments_are_encoded(value: str, encoded: str) -> None:
    assert encode_segment(value) == encoded
    assert expand("/orders/{order_number}", {"order_number": value}, encode=True) == (
        f"/orders/{encoded}"
    )


def test_expand_empty_value_and_unknown_placeholder() -> None:
    assert expand("/orders/{order_number}", {"order_number": None}, encode=True) is None
    with pytest.raises(ConfigError):
        expand("/orders/{other}", {"order_number": "SO1"}, encode=True)


# ----- phone numbers ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "region", "expected"),
    [
        ("+49 621 555 0123", "DE", "+496215550123"),
        ("+49 (0)621 555-0123", "DE", "+496215550123"),
        ("0049 621 5550123", "DE", "+496215550123"),
        ("0621 / 555 01 23", "DE", "+496215550123"),
        ("(0621) 555-0123", "DE", "+496215550123"),
        ("tel:+496215550123", "DE", "+496215550123"),
        ("+44 20 7946 0456", "DE", "+442079460456"),
        ("020 7946 0456", "GB", "+442079460456"),
        ("020 7946 0456", "DE", "+492079460456"),  # read as a German number, as it says
        ("0512 555 0070", "AT", "+435125550070"),
        ("+49\u00a0621\u00a05550123", "DE", "+496215550123"),
    ],
)
def test_phone_normalised(raw: str, region: str, expected: str) -> None:
    assert normalise_phone(raw, region) == expected


@pytest.mark.parametrize(
    ("raw", "region"),
    [
        ("", "DE"),
        (None, "DE"),
        ("call me", "DE"),
        ("621 5550123", "DE"),  # neither international nor with the trunk prefix
        ("+49 621 555 0123 ext 5", "DE"),
        ("++496215550123", "DE"),
        ("0123", "DE"),
        ("+0496215550123", "DE"),
        ("+49 621 555 0123 1234 5678", "DE"),  # longer than E.164 allows
        ("0621 555 0123", "US"),  # a region this normaliser has no national rule for
    ],
)
def test_phone_unreadable(raw: str | None, region: str) -> None:
    assert normalise_phone(raw, region) is None


# ----- row shapes ------------------------------------------------------------------------------


def _field(name: str, kind: str, values: tuple[str, ...] = ()) -> Field:
    return Field(name, kind, None, values)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("kind", "value", "expected"),
    [
        ("string", "x", "x"),
        ("string", 10023, "10023"),
        ("number", 3, 3),
        ("number", 2.5, 2.5),
        ("number", Decimal("12.50"), 12.5),
        ("number", Decimal("12"), 12),
        ("boolean", True, True),
        ("boolean", 0, False),
        ("date", "2026-12-03", dt.date(2026, 12, 3)),
        ("date", dt.date(2026, 12, 3), dt.date(2026, 12, 3)),
        ("date", dt.datetime(2026, 12, 3, 23, 0, tzinfo=dt.UTC), dt.date(2026, 12, 3)),
        ("datetime", "2026-11-28T10:12:00Z", dt.datetime(2026, 11, 28, 10, 12, tzinfo=dt.UTC)),
        ("datetime", "2026-11-28 10:12:00", dt.datetime(2026, 11, 28, 10, 12, tzinfo=dt.UTC)),
        ("datetime", "2026-11-28T11:12:00+01:00", dt.datetime(2026, 11, 28, 10, 12, tzinfo=dt.UTC)),
        ("list", ["a"], ["a"]),
        ("list", '["a", 1]', ["a", 1]),
        ("string", None, None),
        ("date", None, None),
    ],
)
def test_coerce_accepts(kind: str, value: object, expected: object) -> None:
    assert coerce(_field("f", kind), value) == expected


@pytest.mark.parametrize(
    ("kind", "value"),
    [
        ("string", ["x"]),
        ("string", True),
        ("number", "12"),
        ("number", True),
        ("number", float("inf")),
        ("boolean", 2),
        ("boolean", "true"),
        ("date", "03.12.2026"),
        ("date", "2026-12-03T10:00:00"),
        ("datetime", dt.date(2026, 12, 3)),
        ("datetime", "soon"),
        ("list", "a,b"),
        ("list", {"a": 1}),
    ],
)
def test_coerce_refuses(kind: str, value: object) -> None:
    with pytest.raises(LookupFailure) as error:
        coerce(_field("secret_field", kind), value)
    assert "secret_field" in str(error.value)
    assert repr(value) not in str(error.value) or isinstance(value, bool | int)


def test_declared_values_are_enforced() -> None:
    status = _field("status", "string", ("open", "paid"))
    assert coerce(status, "paid") == "paid"
    with pytest.raises(LookupFailure) as error:
        coerce(status, "refunded")
    assert "refunded" not in str(error.value)


def test_build_row_adds_an_undeclared_owner_field() -> None:
    query = Query("q", "", (), {"status": _field("status", "string")}, "customer_id", sql="x")
    row = build_row(
        query, {"status": "shipped", "customer_id": "C10023", "secret": 1}, by_pointer=False
    )
    assert row == {"status": "shipped", "customer_id": "C10023"}


@pytest.mark.parametrize("owner", [None, "", 5.5])
def test_build_row_refuses_an_empty_owner(owner: object) -> None:
    query = Query("q", "", (), {"status": _field("status", "string")}, "customer_id", sql="x")
    with pytest.raises(LookupFailure):
        build_row(query, {"status": "shipped", "customer_id": owner}, by_pointer=False)


def test_build_row_by_pointer_and_missing_field() -> None:
    fields = {
        "carrier": Field("carrier", "string", "/carrier"),
        "tracking_no": Field("tracking_no", "string", "/tracking/number"),
    }
    query = Query("q", "", (), fields, None)
    record = {"carrier": "NorthSea Freight", "tracking": {"number": "NSF1"}}
    assert build_row(query, record, by_pointer=True) == {
        "carrier": "NorthSea Freight",
        "tracking_no": "NSF1",
    }
    with pytest.raises(LookupFailure):
        build_row(query, {"carrier": "x"}, by_pointer=True)
    with pytest.raises(LookupFailure):
        build_row(query, {"carrier": "x"}, by_pointer=False)


# ----- circuit breaker -------------------------------------------------------------------------


def test_breaker_opens_after_consecutive_failures_and_recovers() -> None:
    clock = FakeClock()
    breaker = CircuitBreaker(3, 30, clock=clock)
    for _ in range(2):
        assert breaker.allow()
        breaker.failure()
    assert breaker.allow()
    breaker.success()  # a success in between starts the count again
    for _ in range(3):
        assert breaker.allow()
        breaker.failure()
    assert breaker.state == "open"
    assert not breaker.allow()
    assert breaker.retry_in() == 30
    clock.now += 29.9
    assert not breaker.allow()
    clock.now += 0.1
    assert breaker.state == "half_open"
    assert breaker.allow()  # the one trial
    assert not breaker.allow()  # nobody else while it runs
    breaker.failure()
    assert breaker.state == "open"  # a failed trial opens it again, for a full reset time
    clock.now += 30
    assert breaker.allow()
    breaker.success()
    assert breaker.state == "closed"
    assert breaker.allow() and breaker.allow()


def test_breaker_release_frees_the_trial() -> None:
    clock = FakeClock()
    breaker = CircuitBreaker(1, 5, clock=clock)
    breaker.failure()
    clock.now += 5
    assert breaker.allow()
    breaker.release()
    assert breaker.state == "half_open"
    assert breaker.allow()


def test_breaker_with_zero_threshold_never_opens() -> None:
    breaker = CircuitBreaker(0, 5)
    for _ in range(50):
        breaker.failure()
    assert breaker.allow()


# ----- cache -----------------------------------------------------------------------------------


def test_cache_honours_max_age_and_size() -> None:
    clock = FakeClock()
    cache: AgeCache[str] = AgeCache(10, max_entries=2, clock=clock)
    cache.put("a", "A")
    clock.now += 4
    assert cache.get("a") == ("A", 4)
    cache.put("b", "B")
    cache.get("a")  # a is now the most recently used
    cache.put("c", "C")
    assert cache.get("b") is None
    assert cache.get("c") == ("C", 0)
    clock.now += 6.5
    assert cache.get("a") is None  # 10.5 s old
    assert cache.get("c") == ("C", 6.5)
