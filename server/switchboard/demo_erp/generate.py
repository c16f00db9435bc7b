"""Makes the demo ERP's rows from a seed and a reference day, deterministically.

Every order follows a planned timeline (received -> confirmed -> in production -> ready to ship
-> shipped -> delivered); its status is the last step reached by the reference day. Shipments
and invoices follow from the shipped step. The same seed and day always give the same rows.
"""

from __future__ import annotations

import datetime as dt
import random
import unicodedata
from collections import defaultdict
from dataclasses import dataclass

from switchboard.demo_erp import catalogue, fixtures
from switchboard.demo_erp.catalogue import CustomerSpec

STEPS = ("received", "confirmed", "in_production", "ready_to_ship", "shipped", "delivered")
ORDERS_PER_TIER = {"standard": 9, "key_account": 17, "vip": 13}
TERMS_DAYS = {"standard": 30, "key_account": 45, "vip": 60}
TIER_DISCOUNT = {"standard": 0.0, "key_account": 0.08, "vip": 0.12}
RESELLER_DISCOUNT = 0.15
# Customers whose own references the fixtures show: (style, prefix) as in _po_number.
PO_STYLES = {10023: (1, "HK"), 10012: (0, "4711")}
UTC = dt.UTC

Row = tuple[object, ...]


def utc_today() -> dt.date:
    """The reference day by default: today in UTC, the day SQLite's CURRENT_DATE names.

    A demo built for a fixed day would age: its orders' promised dates would pass and the
    rules would rightly stop answering about them.
    """
    return dt.datetime.now(UTC).date()


def iso_time(moment: dt.datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def customer_id(spec: CustomerSpec) -> str:
    return f"C{spec.number}"


@dataclass(slots=True)
class _Plan:
    order_no: str
    customer: CustomerSpec
    po_number: str | None
    steps: list[dt.datetime]  # one time per STEPS entry
    lines: list[tuple[str, int]]
    interrupt: tuple[str, dt.datetime] | None = None  # ("cancelled" | "on_hold", when)
    invoice_no: str | None = None
    paid_days_ago: int | None = None
    fixed_payment: bool = False
    tracking_no: str | None = None
    carrier: str | None = None
    late_days: int = 0  # the promised date (orders.eta) lies this many days before delivery


class Generator:
    """Builds every table's rows; `rows()` returns them keyed by table name."""

    def __init__(self, seed: int, today: dt.date | None = None) -> None:
        self.rng = random.Random(seed)
        self.seed = seed
        self.today = today or utc_today()
        self.now = dt.datetime.combine(self.today, dt.time(16, 0), tzinfo=UTC)
        self.tables: dict[str, list[Row]] = defaultdict(list)
        self._phones: set[str] = set()
        self._pos: set[str] = set()
        self._tracking: set[str] = set()

    def rows(self) -> dict[str, list[Row]]:
        self.tables["erp_info"] = [
            ("seed", str(self.seed)),
            ("today", self.today.isoformat()),
            ("generator", "1"),
        ]
        for product in catalogue.PRODUCTS:
            row = (product.sku, product.name, product.category, product.list_price_eur, "EUR")
            self.tables["products"].append(row)
        for spec in catalogue.CUSTOMERS:
            self._customer(spec)
        plans = self._fixture_plans() + self._generated_plans()
        invoices = [plan for plan in plans if self._reached(plan, "shipped")]
        self._number_invoices(invoices)
        for plan in plans:
            self._order(plan)
        return dict(self.tables)

    # ----- customers and contacts -----------------------------------------------------------

    def _customer(self, spec: CustomerSpec) -> None:
        currency = catalogue.CURRENCY_BY_COUNTRY[spec.country]
        self.tables["customers"].append(
            (
                customer_id(spec),
                spec.name,
                f"K{spec.number}0",
                spec.tier,
                spec.segment,
                spec.country,
                spec.locale,
                spec.city,
                currency,
                TERMS_DAYS[spec.tier],
            )
        )
        known = fixtures.CONTACTS.get(spec.number)
        contacts = known or self._invent_contacts(spec)
        for contact in contacts:
            if contact.phone:
                self._phones.add(contact.phone)
            contact_id = len(self.tables["contacts"]) + 1
            self.tables["contacts"].append(
                (
                    contact_id,
                    customer_id(spec),
                    contact.name,
                    contact.role,
                    contact.email,
                    contact.phone,
                )
            )

    def _invent_contacts(self, spec: CustomerSpec) -> list[fixtures.FixtureContact]:
        locale = spec.locale
        mailbox = {"de": "einkauf", "en": "purchasing"}[locale]
        accounts = {"de": "buchhaltung", "en": "accounts"}[locale]
        people = [self._person(locale) for _ in range(2)]
        while people[1] == people[0]:
            people[1] = self._person(locale)
        first, second = people
        return [
            fixtures.FixtureContact(
                first, "purchasing", f"{mailbox}@{spec.domain}", self._phone(spec.country)
            ),
            fixtures.FixtureContact(
                second,
                "maintenance",
                f"{_mail_name(second)}@{spec.domain}",
                self._phone(spec.country),
            ),
            fixtures.FixtureContact(
                self._person(locale), "accounts_payable", f"{accounts}@{spec.domain}", None
            ),
        ]

    def _person(self, locale: str) -> str:
        first = self.rng.choice(catalogue.FIRST_NAMES[locale])
        return f"{first} {self.rng.choice(catalogue.LAST_NAMES[locale])}"

    def _phone(self, country: str) -> str:
        code, areas = catalogue.PHONE_AREAS[country]
        while True:
            if country == "GB":  # the range set aside for fiction: 020 7946 0000-0999
                number = f"+{code}2079460{self.rng.randrange(1000):03d}"
            else:
                number = f"+{code}{self.rng.choice(areas)}555{self.rng.randrange(10000):04d}"
            if number not in self._phones:
                self._phones.add(number)
                return number

    # ----- order plans ----------------------------------------------------------------------

    def _fixture_plans(self) -> list[_Plan]:
        by_number = {spec.number: spec for spec in catalogue.CUSTOMERS}
        plans = []
        for fixture in fixtures.ORDERS:
            placed = self.now - dt.timedelta(days=fixture.placed_days_ago, hours=6, minutes=48)
            steps = [placed] + [placed + dt.timedelta(days=d, hours=1) for d in fixture.steps]
            self._pos.add(fixture.po_number or "")
            if fixture.tracking_no:
                self._tracking.add(fixture.tracking_no)
            plans.append(
                _Plan(
                    fixture.order_no,
                    by_number[fixture.customer],
                    fixture.po_number,
                    steps,
                    list(fixture.lines),
                    invoice_no=fixture.invoice_no,
                    paid_days_ago=fixture.invoice_paid_days_ago,
                    fixed_payment=True,
                    tracking_no=fixture.tracking_no,
                    carrier=fixture.carrier,
                )
            )
        return plans

    def _generated_plans(self) -> list[_Plan]:
        drafts: list[tuple[dt.datetime, CustomerSpec]] = []
        for spec in catalogue.CUSTOMERS:
            count = ORDERS_PER_TIER[spec.tier] + self.rng.randint(-3, 3)
            drafts.extend((self._order_time(), spec) for _ in range(count))
        drafts.sort(key=lambda draft: (draft[0], draft[1].number))
        plans = []
        po_counters: dict[int, int] = defaultdict(int)
        for index, (placed, spec) in enumerate(drafts):
            po_counters[spec.number] += 1
            plan = _Plan(
                f"SO{4501001 + index}",
                spec,
                self._po_number(spec, po_counters[spec.number], placed),
                self._timeline(placed),
                self._lines(spec),
            )
            if self.rng.random() < 0.2:
                plan.late_days = self.rng.randint(2, 10)
            self._maybe_interrupt(plan)
            plans.append(plan)
        return plans

    def _order_time(self) -> dt.datetime:
        while True:
            recent = self.rng.random() < 0.3  # more orders in the last weeks, as in real life
            day = self.today - dt.timedelta(days=self.rng.randint(1, 45 if recent else 330))
            if day.weekday() < 5:
                minutes = self.rng.randint(7 * 60, 17 * 60)
                return dt.datetime.combine(day, dt.time(minutes // 60, minutes % 60), tzinfo=UTC)

    def _timeline(self, placed: dt.datetime) -> list[dt.datetime]:
        hours = (
            self.rng.uniform(3, 40),  # confirmed
            self.rng.uniform(24, 96),  # in production
            self.rng.uniform(96, 480),  # ready to ship
            self.rng.uniform(12, 72),  # shipped
            self.rng.uniform(24, 120),  # delivered
        )
        steps = [placed]
        for gap in hours:
            steps.append(steps[-1] + dt.timedelta(hours=round(gap)))
        return steps

    def _po_number(self, spec: CustomerSpec, counter: int, placed: dt.datetime) -> str | None:
        if self.rng.random() < 0.1:
            return None  # ordered by phone, no reference of their own
        initials = "".join(word[0] for word in spec.name.split()[:2]).upper()
        style, prefix = PO_STYLES.get(spec.number, (spec.number % 4, initials))
        while True:
            if style == 0:
                po = f"{prefix if prefix.isdigit() else spec.number % 9000 + 1000}-{counter:04d}"
            elif style == 1:
                po = f"{prefix}-{placed.year}-{counter:03d}"
            elif style == 2:
                po = f"PO{self.rng.randrange(100000, 999999)}"
            else:
                po = f"{prefix}/{placed.year}/{counter:04d}"
            if po not in self._pos:
                self._pos.add(po)
                return po
            counter += 100

    def _lines(self, spec: CustomerSpec) -> list[tuple[str, int]]:
        wanted = {
            "distributor": ("seal", "seal", "impeller", "spare", "motor", "pump"),
            "plant": ("pump", "motor", "seal", "impeller", "spare"),
        }[spec.segment]
        quantities = {"pump": (1, 4), "motor": (1, 3), "seal": (2, 40), "impeller": (1, 6)}
        lines: list[tuple[str, int]] = []
        for _ in range(self.rng.randint(1, 5)):
            category = self.rng.choice(wanted)
            product = self.rng.choice([p for p in catalogue.PRODUCTS if p.category == category])
            if any(sku == product.sku for sku, _ in lines):
                continue
            low, high = quantities.get(category, (1, 10))
            lines.append((product.sku, self.rng.randint(low, high)))
        return lines

    def _maybe_interrupt(self, plan: _Plan) -> None:
        roll = self.rng.random()
        if roll < 0.03:
            when = plan.steps[0] + (plan.steps[4] - plan.steps[0]) * self.rng.uniform(0.1, 0.9)
            plan.interrupt = ("cancelled", when)
        elif roll < 0.06 and self._status(plan) in {"confirmed", "in_production"}:
            reached = max(t for t in plan.steps if t <= self.now)
            plan.interrupt = ("on_hold", reached + (self.now - reached) * 0.5)

    # ----- rows of one order ----------------------------------------------------------------

    def _reached(self, plan: _Plan, step: str) -> bool:
        if plan.interrupt and plan.interrupt[0] == "cancelled" and plan.interrupt[1] <= self.now:
            return plan.steps[STEPS.index(step)] < plan.interrupt[1]
        return plan.steps[STEPS.index(step)] <= self.now

    def _history(self, plan: _Plan) -> list[tuple[str, dt.datetime]]:
        history = [(s, t) for s, t in zip(STEPS, plan.steps, strict=True) if t <= self.now]
        if plan.interrupt and plan.interrupt[1] <= self.now:
            history = [(s, t) for s, t in history if t < plan.interrupt[1]]
            history.append(plan.interrupt)
        return history

    def _status(self, plan: _Plan) -> str:
        return self._history(plan)[-1][0]

    def _order(self, plan: _Plan) -> None:
        spec = plan.customer
        currency = catalogue.CURRENCY_BY_COUNTRY[spec.country]
        discount = TIER_DISCOUNT[spec.tier] + (
            RESELLER_DISCOUNT if spec.segment == "distributor" else 0.0
        )
        total = 0.0
        for line_no, (sku, quantity) in enumerate(plan.lines, start=1):
            product = catalogue.PRODUCTS_BY_SKU[sku]
            price = product.list_price_eur * catalogue.PRICE_FACTOR[currency] * (1 - discount)
            unit = round(price, 2)
            amount = round(unit * quantity, 2)
            total = round(total + amount, 2)
            self.tables["order_lines"].append(
                (plan.order_no, line_no, sku, product.name, quantity, unit, amount)
            )
        history = self._history(plan)
        for seq, (status, moment) in enumerate(history, start=1):
            row = (plan.order_no, seq, status, iso_time(moment), _NOTES.get(status))
            self.tables["order_status_history"].append(row)
        confirmed = plan.steps[1].date().isoformat() if len(history) > 1 else None
        promised = plan.steps[5].date() - dt.timedelta(days=plan.late_days)
        eta = promised.isoformat() if confirmed else None
        self.tables["orders"].append(
            (
                plan.order_no,
                plan.po_number,
                customer_id(spec),
                history[-1][0],
                plan.steps[0].date().isoformat(),
                confirmed,
                eta,
                total,
                currency,
                iso_time(plan.steps[0]),
                iso_time(history[-1][1]),
            )
        )
        if self._reached(plan, "shipped"):
            self._shipment(plan)
            self._invoice(plan, total, currency)

    def _shipment(self, plan: _Plan) -> None:
        key = plan.carrier or self.rng.choice(catalogue.CARRIERS_BY_COUNTRY[plan.customer.country])
        name, prefix, site = catalogue.CARRIERS[key]
        tracking = plan.tracking_no
        while tracking is None:
            candidate = f"{prefix}{self.rng.randrange(10**9, 10**10)}"
            tracking = None if candidate in self._tracking else candidate
        self._tracking.add(tracking)
        delivered = self._reached(plan, "delivered")
        self.tables["shipments"].append(
            (
                len(self.tables["shipments"]) + 1,
                plan.order_no,
                name,
                tracking,
                f"{site}{tracking}",
                "delivered" if delivered else "in_transit",
                iso_time(plan.steps[4]),
                plan.steps[5].date().isoformat(),
                iso_time(plan.steps[5]) if delivered else None,
            )
        )

    def _number_invoices(self, plans: list[_Plan]) -> None:
        taken = {plan.invoice_no for plan in plans if plan.invoice_no}
        counters: dict[int, int] = defaultdict(lambda: 1000)
        for plan in sorted(plans, key=lambda p: p.steps[4]):
            if plan.invoice_no:
                continue
            year = plan.steps[4].year
            while True:
                counters[year] += 1
                number = f"INV{year % 100:02d}{counters[year]:06d}"
                if number not in taken:
                    plan.invoice_no = number
                    break

    def _invoice(self, plan: _Plan, total: float, currency: str) -> None:
        issued = plan.steps[4].date()
        due = issued + dt.timedelta(days=TERMS_DAYS[plan.customer.tier])
        paid_on = self._payment(plan, issued, due)
        assert plan.invoice_no is not None
        self.tables["invoices"].append(
            (
                plan.invoice_no,
                plan.order_no,
                customer_id(plan.customer),
                issued.isoformat(),
                due.isoformat(),
                total,
                currency,
                1 if paid_on else 0,
                paid_on.isoformat() if paid_on else None,
                f"https://erp.nordwerk.example/documents/invoices/{plan.invoice_no}.pdf",
            )
        )

    def _payment(self, plan: _Plan, issued: dt.date, due: dt.date) -> dt.date | None:
        if plan.fixed_payment:
            if plan.paid_days_ago is None:
                return None
            return self.today - dt.timedelta(days=plan.paid_days_ago)
        latest = self.today - dt.timedelta(days=1)
        if due < self.today and self.rng.random() < 0.94:
            paid = issued + dt.timedelta(days=self.rng.randint(5, (due - issued).days + 15))
            return min(paid, latest)
        if due >= self.today and self.rng.random() < 0.35 and issued + dt.timedelta(2) <= latest:
            return issued + dt.timedelta(days=self.rng.randint(2, (latest - issued).days))
        return None


_NOTES = {
    "received": "Order received",
    "confirmed": "Order confirmation sent",
    "in_production": "Released to production",
    "ready_to_ship": "Packed, waiting for pick-up",
    "shipped": "Handed to the carrier",
    "delivered": "Delivery confirmed by the carrier",
    "cancelled": "Cancelled at the customer's request",
    "on_hold": "On hold: waiting for the customer's technical clarification",
}


def _mail_name(person: str) -> str:
    """`Jürgen Groß` -> `juergen.gross`: e-mail local parts stay plain ASCII."""
    text = person.lower().replace("ä", "ae").replace("ö", "oe").replace("ü", "ue")
    text = text.replace("ß", "ss").replace(" ", ".")
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
