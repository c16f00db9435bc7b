"""Well-known records of the demo ERP that tests, rule tests and the README rely on.

Dates are given relative to the database's `today` (default: today in UTC), so the stories stay
consistent whatever day the database is built for. See README.md in this folder for the list.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class FixtureContact:
    name: str
    role: str
    email: str
    phone: str | None


@dataclass(frozen=True, slots=True)
class FixtureOrder:
    order_no: str
    customer: int
    po_number: str | None
    placed_days_ago: int
    # Days after placing for confirmed, in_production, ready_to_ship, shipped, delivered.
    steps: tuple[int, int, int, int, int]
    lines: tuple[tuple[str, int], ...]  # (sku, quantity)
    invoice_no: str | None = None
    invoice_paid_days_ago: int | None = None  # None: unpaid
    tracking_no: str | None = None
    carrier: str = "rheinland"


CONTACTS: dict[int, tuple[FixtureContact, ...]] = {
    10023: (
        FixtureContact("Petra Lange", "purchasing", "einkauf@hydro-kraft.example", "+496215550123"),
        FixtureContact("Jonas Keller", "accounts_payable", "buchhaltung@hydro-kraft.example", None),
        FixtureContact(
            "Markus Brandt", "maintenance", "m.brandt@hydro-kraft.example", "+4915155501234"
        ),
    ),
    10007: (
        FixtureContact(
            "Claudia Huber", "purchasing", "einkauf@alpenwerk-energie.example", "+435125550070"
        ),
    ),
    10031: (
        FixtureContact(
            "Sarah Hughes", "purchasing", "purchasing@thamesvalley-pumps.example", "+442079460456"
        ),
        FixtureContact(
            "Daniel Foster", "accounts_payable", "accounts@thamesvalley-pumps.example", None
        ),
    ),
}

ORDERS: tuple[FixtureOrder, ...] = (
    # Shipped three days ago, arrives in two days; invoice paid early for the cash discount.
    FixtureOrder(
        "SO4500123",
        10023,
        "HK-2026-118",
        placed_days_ago=24,
        steps=(1, 3, 18, 21, 26),
        lines=(("P-NKP50-200", 2), ("S-MS35", 4), ("I-NKP50-BZ", 2)),
        invoice_no="INV26004512",
        invoice_paid_days_ago=1,
        tracking_no="RC2611270418",
    ),
    # A VIP's large order, still in production.
    FixtureOrder(
        "SO4500310",
        10007,
        "AW/2026/0311",
        placed_days_ago=12,
        steps=(1, 2, 30, 33, 37),
        lines=(("P-NKP80-250", 2), ("M-IE4-18K5", 2), ("S-CS50", 4)),
    ),
    # A UK distributor's spare parts, packed and waiting for the carrier.
    FixtureOrder(
        "SO4500456",
        10031,
        "TVPS-88213",
        placed_days_ago=9,
        steps=(1, 2, 8, 11, 14),
        lines=(("S-MS24", 10), ("I-NKP32-CI", 6), ("S-OR-EPDM", 20)),
        carrier="northsea",
    ),
    # Delivered months ago; its invoice was never paid and is overdue.
    FixtureOrder(
        "SO4500409",
        10031,
        "TVPS-87940",
        placed_days_ago=95,
        steps=(1, 3, 12, 14, 18),
        lines=(("P-NKP32-160", 1), ("M-IE3-2K2", 1)),
        invoice_no="INV26003977",
        invoice_paid_days_ago=None,
        tracking_no="NSF7730914562",
        carrier="northsea",
    ),
    # A brewery's numeric PO reference, delivered and paid.
    FixtureOrder(
        "SO4500200",
        10012,
        "4711-0045",
        placed_days_ago=60,
        steps=(1, 2, 10, 12, 14),
        lines=(("P-NSP100", 1), ("S-GK50", 2)),
        invoice_no="INV26004108",
        invoice_paid_days_ago=10,
        tracking_no="KX58830217",
        carrier="kurier",
    ),
)
