"""Entity extraction: text normalisation, repository patterns, money and dates."""

from __future__ import annotations

import datetime as dt

import pytest

from engine_support import ENTITIES
from switchboard.engine.dates import find_dates
from switchboard.engine.extract import extract, several_references
from switchboard.engine.money import find_money, parse_number
from switchboard.engine.spoken import written
from switchboard.engine.text import fold, normalize

TODAY = dt.date(2026, 11, 20)


def entities_of(text: str) -> dict[str, object]:
    return extract(ENTITIES, normalize(text), TODAY)


@pytest.mark.parametrize(
    "text",
    [
        "SO 4500-123",
        "so4500123",
        "AB 4500 123",
        "Auftrag ab-4500-123 bitte",
        "order SO\u200b4500123",  # zero-width space inside the reference
        "order ＳＯ４５００１２３",  # full-width letters and digits
    ],
)
def test_order_numbers_normalise_to_one_form(text: str) -> None:
    assert entities_of(text)["order_number"] == "SO4500123"


def test_value_that_fails_the_valid_pattern_is_skipped_for_the_next_one() -> None:
    entity = ENTITIES["invoice_number"]
    assert entity.valid.search("INV2600451") is None
    assert entities_of("INV 2600451 or rather INV26004512")["invoice_number"] == "INV26004512"


def test_customer_po_numbers_are_upper_cased() -> None:
    assert entities_of("our PO hk-2026-118 is late")["po_number"] == "HK-2026-118"


@pytest.mark.parametrize(
    ("text", "several"),
    [
        ("status of SO4500123 and SO4500124?", True),
        ("Rechnungen INV26004512 und INV26004513", True),
        ("PO HK-2026-118 and PO HK-2026-119", True),
        ("SO4500123, also written SO 4500-123", False),  # one order, written twice
        ("our P O, four seven one one, zero zero four five", False),  # two patterns, one PO
        ("INV26004512 for order SO4500123", False),  # one invoice and one order
        ("when will it arrive?", False),
    ],
)
def test_several_references_of_one_kind(text: str, several: bool) -> None:
    assert several_references(ENTITIES, written(normalize(text))) is several


def test_no_reference_gives_no_entity() -> None:
    found = entities_of("Where is my order?")
    assert "order_number" not in found and "po_number" not in found


def test_normalize_removes_invisible_characters_and_keeps_the_rest() -> None:
    assert normalize("law\u200byer\u2060 \ufeffcourt") == "lawyer court"
    assert normalize("Rückerstattung") == "Rückerstattung"
    assert fold("Rückerstattung STRASSE Straße") == "ruckerstattung strasse strasse"


@pytest.mark.parametrize(
    ("raw", "number"),
    [
        ("12.500,00", 12500.0),
        ("12,500.00", 12500.0),
        ("12,500", 12500.0),
        ("12.500", 12500.0),
        ("3.2", 3.2),
        ("12,50", 12.5),
        ("1.234.567", 1234567.0),
        ("12'500", 12500.0),
        ("12500", 12500.0),
    ],
)
def test_decimal_separator_is_decided_by_position(raw: str, number: float) -> None:
    assert parse_number(raw) == number


@pytest.mark.parametrize(
    ("text", "amount", "currency"),
    [
        ("a claim of 12.500,00 EUR", 12500.0, "EUR"),
        ("about €12,500 in total", 12500.0, "EUR"),
        ("roughly EUR 3.2k", 3200.0, "EUR"),
        ("we paid 12500 euros", 12500.0, "EUR"),
        ("CHF 1'250.50 open", 1250.5, "CHF"),
        ("£80 for freight", 80.0, "GBP"),
        ("$ 99.90 per unit", 99.9, "USD"),
        ("GBP 2,000", 2000.0, "GBP"),
        ("450 Franken", 450.0, "CHF"),
        ("Schaden von 7.800 € entstanden", 7800.0, "EUR"),
    ],
)
def test_money_formats(text: str, amount: float, currency: str) -> None:
    found = find_money(text)
    assert [(m.amount, m.currency) for m in found] == [(amount, currency)]


def test_numbers_without_currency_and_references_are_not_money() -> None:
    assert find_money("order SO4500123, 12 pumps, PO 4711-0045") == []


def test_money_entity_takes_the_largest_amount_with_its_currency() -> None:
    found = entities_of("Line item £ 80, but the damage is EUR 14.000 overall")
    assert found["amount"] == 14000.0 and found["currency"] == "EUR"


@pytest.mark.parametrize(
    ("text", "date"),
    [
        ("deliver on 2026-12-03 please", dt.date(2026, 12, 3)),
        ("Liefertermin 3.12.2026", dt.date(2026, 12, 3)),
        ("bis 03.12.26", dt.date(2026, 12, 3)),
        ("by 3 Dec 2026", dt.date(2026, 12, 3)),
        ("by 3rd of December", dt.date(2026, 12, 3)),
        ("by December 3rd", dt.date(2026, 12, 3)),
        ("by Dec. 3, 2026", dt.date(2026, 12, 3)),
        ("bis zum 3. Dezember 2026", dt.date(2026, 12, 3)),
        ("am 14. März", dt.date(2027, 3, 14)),
        ("am 2. Mai 2027", dt.date(2027, 5, 2)),
        ("Ende Oktober, genauer 30. Okt.", dt.date(2026, 10, 30)),
    ],
)
def test_dates(text: str, date: dt.date) -> None:
    assert [d for _, d in find_dates(text, TODAY)] == [date]


@pytest.mark.parametrize(
    "text", ["31.02.2026", "1.234.567 EUR", "SO4500123", "version 2.10.2026x", "12/03/2026"]
)
def test_impossible_or_ambiguous_dates_are_not_read(text: str) -> None:
    assert find_dates(text, TODAY) == []


def test_date_without_year_far_in_the_past_means_next_year() -> None:
    assert find_dates("on 10 January", TODAY) == [(3, dt.date(2027, 1, 10))]
    assert find_dates("on 10 October", TODAY) == [(3, dt.date(2026, 10, 10))]


def test_date_entity_takes_the_first_date() -> None:
    assert entities_of("not 2026-12-24 but 2026-12-03 is fine")["requested_date"] == dt.date(
        2026, 12, 24
    )


@pytest.mark.parametrize(
    ("spoken", "expected"),
    [
        ("order, uh, S O four five zero zero one two three, thanks", "SO4500123"),
        ("number is S O, four five zero one, two zero four", "SO4501204"),
        ("Bestellnummer, äh, vier sieben eins eins Strich null null vier fünf", "4711-0045"),
    ],
)
def test_spoken_references_become_written(spoken: str, expected: str) -> None:
    assert expected in written(spoken)


def test_prose_with_number_words_is_left_alone() -> None:
    text = "We need one or two pumps, maybe three."
    assert written(text) == text


def test_spoken_order_number_is_extracted() -> None:
    found = extract(ENTITIES, written("calling about S O four five zero zero one two three"), TODAY)
    assert found["order_number"] == "SO4500123"
