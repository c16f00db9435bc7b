"""Who is asking: the customer behind an inquiry's e-mail address, phone or account number."""

from __future__ import annotations

from typing import Any

from switchboard.connectors.phone import normalise_phone
from switchboard.engine.types import Customer, DataSource, Identifiers, LookupResult
from switchboard.rules.model import Ruleset


def lookup_params(identifiers: Identifiers, default_region: str = "DE") -> dict[str, str | None]:
    """The customer query's params: e-mail lower-cased, phone in E.164, numbers upper-cased."""
    email = (identifiers.email or "").strip().lower()
    return {
        "email": email if "@" in email else None,
        "phone": normalise_phone(identifiers.phone, default_region),
        "account_no": (identifiers.account_no or "").strip().upper() or None,
        "customer_id": (identifiers.customer_id or "").strip().upper() or None,
    }


def resolve_customer(
    ruleset: Ruleset, data: DataSource, identifiers: Identifiers, default_region: str = "DE"
) -> tuple[Customer | None, LookupResult]:
    """The customer and how the lookup went; (None, result) when nobody matches or it failed."""
    ref = ruleset.settings.customer_lookup
    if ref is None:
        return None, LookupResult(status="not_needed", error="no customer_lookup in the settings")
    params = lookup_params(identifiers, default_region)
    if not any(params.values()):
        return None, LookupResult(status="not_found", source=str(ref), error="no usable identifier")
    result = data.fetch(ref.connector, ref.query, dict(params))
    if result.status != "ok" or not result.row:
        return None, result
    customer = to_customer(result.row)
    if customer is None:
        error = "the customer lookup returned no customer_id"
        return None, LookupResult(status="error", source=result.source, error=error)
    return customer, result


def to_customer(row: dict[str, Any]) -> Customer | None:
    customer_id = row.get("customer_id")
    if not isinstance(customer_id, str) or not customer_id:
        return None

    def text(name: str) -> str | None:
        value = row.get(name)
        return value if isinstance(value, str) and value else None

    return Customer(
        id=customer_id,
        name=text("name") or "",
        account_no=text("account_no"),
        tier=text("tier") or "standard",
        segment=text("segment"),
        country=text("country"),
        locale=text("locale"),
    )
