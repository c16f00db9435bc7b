"""Identity links made and ended by people: link with evidence, unlink with a reason, and the
audit trail. Links are never deleted, so the trail shows who linked what, when and why."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable

from switchboard.connectors import normalise_phone
from switchboard.conversations.errors import (
    AlreadyLinked,
    AlreadyUnlinked,
    InvalidIdentity,
    NotFound,
    UnknownCustomer,
)
from switchboard.conversations.identify import record_of
from switchboard.conversations.recording import WRITE_TIMEOUT_S, new_id
from switchboard.engine.types import Customer
from switchboard.store.conversations import ConversationStore
from switchboard.store.conversations.records import IdentityLink, LinkKind, LinkSource
from switchboard.store.errors import LinkExists

MAX_TEXT = 1000
_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")
_NUMBER = re.compile(r"[A-Z0-9][A-Z0-9._/-]{0,63}")


def normalise(kind: LinkKind, raw: str) -> str:
    """The identifier as inquiries carry it after normalising; InvalidIdentity if unusable."""
    text = raw.strip()
    value: str | None
    if kind == "email":
        value = text.lower() if _EMAIL.fullmatch(text) else None
    elif kind == "phone":
        value = normalise_phone(text)
    else:
        value = text.upper() if _NUMBER.fullmatch(text.upper()) else None
    if value is None:
        raise InvalidIdentity(f"{raw!r} is not a usable {kind}.", {"kind": kind, "value": raw})
    return value


def link(
    store: ConversationStore,
    *,
    kind: LinkKind,
    value: str,
    customer_id: str,
    evidence: str,
    source: LinkSource,
    actor: str,
    now: dt.datetime,
    erp_customer: Callable[[str], Customer | None],
) -> IdentityLink:
    """Link `value` to the customer; the customer must be known here or to the ERP."""
    normalised, evidence = normalise(kind, value), evidence.strip()
    if not evidence or len(evidence) > MAX_TEXT:
        raise InvalidIdentity(f"Say in at most {MAX_TEXT} characters why the link holds.")
    customer_id = customer_id.strip().upper()
    with store.reads() as reads:
        known = reads.customers.get(customer_id) is not None
    described = None if known else erp_customer(customer_id)
    if not known and described is None:
        raise UnknownCustomer(
            f"No customer {customer_id!r} is known.", {"customer_id": customer_id}
        )
    new = IdentityLink(new_id("lnk"), kind, normalised, customer_id, source, evidence, actor, now)
    with store.transaction(WRITE_TIMEOUT_S) as writes:
        if described is not None:
            writes.customers.put(record_of(described))
        try:
            writes.identities.add(new)
        except LinkExists as exc:
            raise AlreadyLinked(
                f"{normalised} is linked already; unlink it first.", {"link_id": exc.link_id}
            ) from None
    return new


def unlink(
    store: ConversationStore, link_id: str, *, reason: str, actor: str, now: dt.datetime
) -> IdentityLink:
    reason = reason.strip()
    if not reason or len(reason) > MAX_TEXT:
        raise InvalidIdentity(f"Say in at most {MAX_TEXT} characters why the link ends.")
    with store.transaction(WRITE_TIMEOUT_S) as writes:
        current = writes.identities.get(link_id)
        if current is None:
            raise NotFound(f"There is no identity link {link_id!r}.")
        ended = writes.identities.end(link_id, now, actor, reason)
        if ended is None:
            raise AlreadyUnlinked(
                f"The link {link_id!r} has been ended already.",
                {"unlinked_at": current.unlinked_at.isoformat() if current.unlinked_at else None},
            )
    return ended


def trail(store: ConversationStore, customer_id: str) -> list[IdentityLink]:
    """Every link of the customer, ended ones included, oldest first."""
    with store.reads() as reads:
        links = reads.identities.of_customer(customer_id)
        if not links and reads.customers.get(customer_id) is None:
            raise NotFound(f"No customer {customer_id!r} is known.")
    return links
