"""Who is asking: identity links in force first, else the ERP's customer lookup.

Each identifier is looked up on its own, so a link is only ever made for the identifier the
ERP itself matched. Identifiers that point at different customers identify nobody: a wrong
guess could show one customer another's data, an unknown sender only costs a hand-off.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from switchboard.connectors import lookup_params, resolve_customer
from switchboard.engine.types import Customer, DataSource, Identifiers
from switchboard.rules.model import Ruleset
from switchboard.store.conversations import ConversationStore
from switchboard.store.conversations.records import LINK_KINDS, CustomerRecord

log = logging.getLogger("switchboard.conversations")


@dataclass(frozen=True, slots=True)
class Identified:
    customer: Customer | None
    matched: tuple[tuple[str, str], ...] = ()  # (kind, value) the ERP matched: to be linked


def normalised(identifiers: Identifiers) -> list[tuple[str, str]]:
    """(kind, value) of every usable identifier: e-mail lower-cased, phone E.164, ids upper."""
    params = lookup_params(identifiers)
    return [(kind, value) for kind in LINK_KINDS if (value := params.get(kind))]


def identify(
    store: ConversationStore, ruleset: Ruleset, data: DataSource, identifiers: Identifiers
) -> Identified:
    wanted = normalised(identifiers)
    with store.reads() as reads:
        links = [link for kind, value in wanted if (link := reads.identities.active(kind, value))]
        owners = sorted({link.customer_id for link in links})
        stored = reads.customers.get(owners[0]) if len(owners) == 1 else None
    if len(owners) > 1:
        log.warning("identifiers linked to different customers %s: sender not identified", owners)
        return Identified(None)
    if owners:
        return Identified(_described(ruleset, data, owners[0], stored))
    return _from_erp(ruleset, data, wanted)


def _described(
    ruleset: Ruleset, data: DataSource, customer_id: str, stored: CustomerRecord | None
) -> Customer:
    """The linked customer as the ERP describes it now (tier changes matter to the rules),
    else as last stored."""
    fresh, _ = resolve_customer(ruleset, data, Identifiers(customer_id=customer_id))
    if fresh is not None and fresh.id == customer_id:
        return fresh
    if stored is not None:
        return customer_of(stored)
    return Customer(id=customer_id)


def _from_erp(ruleset: Ruleset, data: DataSource, wanted: list[tuple[str, str]]) -> Identified:
    found: dict[str, Customer] = {}
    matched: list[tuple[str, str]] = []
    for kind, value in wanted:
        customer, _ = resolve_customer(ruleset, data, Identifiers(**{kind: value}))
        if customer is not None:
            found.setdefault(customer.id, customer)
            matched.append((kind, value))
    if len(found) != 1:
        if found:
            log.warning(
                "the ERP matched the identifiers to %s: sender not identified", sorted(found)
            )
        return Identified(None)
    return Identified(next(iter(found.values())), tuple(matched))


def customer_of(record: CustomerRecord) -> Customer:
    return Customer(
        id=record.id,
        name=record.name,
        account_no=record.account_no,
        tier=record.tier,
        segment=record.segment,
        country=record.country,
        locale=record.locale,
    )


def record_of(customer: Customer) -> CustomerRecord:
    return CustomerRecord(
        id=customer.id,
        name=customer.name,
        tier=customer.tier,
        account_no=customer.account_no,
        segment=customer.segment,
        country=customer.country,
        locale=customer.locale,
    )
