"""Finding the asking customer in the real SQLite demo ERP by e-mail, phone or number."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from switchboard.connectors import LiveData, lookup_params, resolve_customer
from switchboard.engine.types import Customer, Identifiers, LookupResult
from switchboard.rules.model import QueryRef, Ruleset, Settings
from test_connectors_support import build_demo, demo_connectors, env_for

HYDRO_KRAFT = Customer(
    id="C10023",
    name="Hydro-Kraft GmbH",
    account_no="K100230",
    tier="standard",
    segment="distributor",
    country="DE",
    locale="de",
)


LOOKUP = QueryRef("erp", "customer_by_identifier")


def ruleset(lookup: QueryRef | None = LOOKUP) -> Ruleset:
    settings = Settings(
        name="test",
        locales=("en", "de"),
        default_locale="en",
        time_zone="Europe/Berlin",
        approved_ref="main",
        default_queue="order_desk",
        confidence_floor=0.6,
        conversation_window_days=14,
        customer_lookup=lookup,
        business_hours={},
    )
    return Ruleset(
        revision="test",
        settings=settings,
        intents={},
        rules=(),
        queues={},
        templates={},
        snippets={},
        entities={},
        connectors=demo_connectors(),
        tests=(),
        files=(),
        facts={},
    )


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveData]:
    db = build_demo(tmp_path_factory.mktemp("erp"))
    data = LiveData(demo_connectors(), env_for(db))
    yield data
    data.close()


@pytest.mark.parametrize(
    "identifiers",
    [
        Identifiers(email="einkauf@hydro-kraft.example"),
        Identifiers(email="  Einkauf@Hydro-Kraft.EXAMPLE "),
        Identifiers(email="m.brandt@hydro-kraft.example"),
        Identifiers(phone="+496215550123"),
        Identifiers(phone="+49 621 555 0123"),
        Identifiers(phone="0621 555 01 23"),
        Identifiers(phone="0049 (621) 555-0123"),
        Identifiers(phone="+49 (0)621 5550123"),
        Identifiers(phone="01515 5501234"),  # a mobile number of the same customer
        Identifiers(account_no="K100230"),
        Identifiers(account_no=" k100230"),
        Identifiers(customer_id="c10023"),
        Identifiers(email="einkauf@hydro-kraft.example", phone="0621 5550123"),
        Identifiers(email="unknown@nowhere.example", account_no="K100230"),
    ],
)
def test_finds_hydro_kraft(live: LiveData, identifiers: Identifiers) -> None:
    customer, result = resolve_customer(ruleset(), live, identifiers)
    assert result.status == "ok", result.error
    assert result.source == "erp.customer_by_identifier"
    assert customer == HYDRO_KRAFT


def test_other_fixture_customers(live: LiveData) -> None:
    vip, _ = resolve_customer(
        ruleset(), live, Identifiers(email="einkauf@alpenwerk-energie.example")
    )
    assert vip is not None and (vip.id, vip.tier, vip.country) == ("C10007", "vip", "AT")
    uk, _ = resolve_customer(ruleset(), live, Identifiers(phone="+44 20 7946 0456"))
    assert uk is not None and (uk.id, uk.locale, uk.country) == ("C10031", "en", "GB")
    national_uk, result = resolve_customer(ruleset(), live, Identifiers(phone="020 7946 0456"))
    assert national_uk is None and result.status == "not_found"  # read as a German number


@pytest.mark.parametrize(
    "identifiers",
    [
        Identifiers(email="einkauf@hydro-kraft.example.evil"),
        Identifiers(email="einkauf@hydro-kraft"),
        Identifiers(phone="+49 621 555 0124"),
        Identifiers(account_no="K100231"),
        Identifiers(customer_id="C99999"),
        Identifiers(email="' OR '1'='1", phone="'; DROP TABLE contacts; --"),
    ],
)
def test_unknown_sender_is_none(live: LiveData, identifiers: Identifiers) -> None:
    customer, result = resolve_customer(ruleset(), live, identifiers)
    assert customer is None
    assert result.status == "not_found"


def test_no_usable_identifier_asks_nothing(live: LiveData) -> None:
    calls = live.status()["erp"].calls
    for identifiers in (Identifiers(), Identifiers(email="no-at-sign", phone="call me")):
        customer, result = resolve_customer(ruleset(), live, identifiers)
        assert customer is None and result.status == "not_found"
    assert live.status()["erp"].calls == calls


def test_identifiers_of_two_customers_are_an_error(live: LiveData) -> None:
    both = Identifiers(email="einkauf@hydro-kraft.example", phone="+442079460456")
    customer, result = resolve_customer(ruleset(), live, both)
    assert customer is None
    assert result.status == "error" and "more than one row" in (result.error or "")


def test_without_customer_lookup_nothing_is_needed(live: LiveData) -> None:
    customer, result = resolve_customer(ruleset(None), live, Identifiers(email="a@b.example"))
    assert customer is None and result.status == "not_needed"


def test_failed_lookup_passes_the_status_on(tmp_path: Path) -> None:
    broken = LiveData(demo_connectors(), {})
    customer, result = resolve_customer(ruleset(), broken, Identifiers(account_no="K100230"))
    assert customer is None
    assert result.status == "error" and "SWITCHBOARD_ERP_DSN" in (result.error or "")


class Recorded:
    """A data source answering from a fixed row, as replay and rule tests do."""

    def __init__(self, row: dict[str, object] | None) -> None:
        self.row = row
        self.calls: list[dict[str, object]] = []

    def fetch(self, connector: str, query: str, params: dict[str, object]) -> LookupResult:
        self.calls.append(params)
        if self.row is None:
            return LookupResult(status="not_found", source=f"{connector}.{query}")
        return LookupResult(status="ok", row=dict(self.row), source=f"{connector}.{query}")


def test_any_data_source_works_and_params_are_normalised() -> None:
    source = Recorded({"customer_id": "C10007", "name": "Alpenwerk Energie AG", "tier": "vip"})
    identifiers = Identifiers(email="Einkauf@Alpenwerk-Energie.example", phone="0512 555 0070")
    customer, _ = resolve_customer(ruleset(), source, identifiers, default_region="AT")
    assert customer == Customer(id="C10007", name="Alpenwerk Energie AG", tier="vip")
    assert source.calls == [
        {
            "email": "einkauf@alpenwerk-energie.example",
            "phone": "+435125550070",
            "account_no": None,
            "customer_id": None,
        }
    ]


def test_a_row_without_customer_id_is_an_error() -> None:
    customer, result = resolve_customer(
        ruleset(), Recorded({"name": "x"}), Identifiers(email="a@b.c")
    )
    assert customer is None and result.status == "error"


def test_lookup_params() -> None:
    assert lookup_params(Identifiers(account_no=" k100230 ", customer_id="")) == {
        "email": None,
        "phone": None,
        "account_no": "K100230",
        "customer_id": None,
    }


def test_settings_from_the_demo_repository_name_the_demo_query() -> None:
    text = (Path(__file__).resolve().parent.parent / "rules-repo" / "switchboard.yaml").read_text()
    assert "customer_lookup: {connector: erp, query: customer_by_identifier}" in text
    query = demo_connectors()["erp"].queries["customer_by_identifier"]
    assert query.params == ("email", "phone", "account_no", "customer_id")
    assert query.owner_field is None
