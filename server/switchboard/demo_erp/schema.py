"""Tables of the demo ERP database (SQLite). Dates are ISO `YYYY-MM-DD`, times ISO UTC `...Z`."""

from __future__ import annotations

TABLES = """
CREATE TABLE erp_info (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
CREATE TABLE customers (
    customer_id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    account_no TEXT NOT NULL UNIQUE,
    tier TEXT NOT NULL CHECK (tier IN ('standard', 'key_account', 'vip')),
    segment TEXT NOT NULL,
    country TEXT NOT NULL,
    locale TEXT NOT NULL,
    city TEXT NOT NULL,
    currency TEXT NOT NULL,
    payment_terms_days INTEGER NOT NULL
);
CREATE TABLE contacts (
    contact_id INTEGER PRIMARY KEY,
    customer_id TEXT NOT NULL REFERENCES customers (customer_id),
    name TEXT NOT NULL,
    role TEXT NOT NULL,
    email TEXT NOT NULL UNIQUE,
    phone TEXT UNIQUE
);
CREATE TABLE products (
    sku TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    category TEXT NOT NULL,
    list_price REAL NOT NULL,
    currency TEXT NOT NULL
);
CREATE TABLE orders (
    order_no TEXT PRIMARY KEY,
    po_number TEXT,
    customer_id TEXT NOT NULL REFERENCES customers (customer_id),
    status TEXT NOT NULL CHECK (status IN ('received', 'confirmed', 'in_production',
        'ready_to_ship', 'shipped', 'delivered', 'cancelled', 'on_hold')),
    order_date TEXT NOT NULL,
    confirmed_date TEXT,
    eta TEXT,
    total REAL NOT NULL,
    currency TEXT NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX orders_po_number ON orders (upper(po_number));
CREATE INDEX orders_customer ON orders (customer_id);
CREATE TABLE order_lines (
    order_no TEXT NOT NULL REFERENCES orders (order_no),
    line_no INTEGER NOT NULL,
    sku TEXT NOT NULL REFERENCES products (sku),
    description TEXT NOT NULL,
    quantity INTEGER NOT NULL,
    unit_price REAL NOT NULL,
    amount REAL NOT NULL,
    PRIMARY KEY (order_no, line_no)
);
CREATE TABLE order_status_history (
    order_no TEXT NOT NULL REFERENCES orders (order_no),
    seq INTEGER NOT NULL,
    status TEXT NOT NULL,
    changed_at TEXT NOT NULL,
    note TEXT,
    PRIMARY KEY (order_no, seq)
);
CREATE TABLE shipments (
    shipment_id INTEGER PRIMARY KEY,
    order_no TEXT NOT NULL REFERENCES orders (order_no),
    carrier TEXT NOT NULL,
    tracking_no TEXT NOT NULL UNIQUE,
    tracking_url TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('in_transit', 'delivered')),
    shipped_at TEXT NOT NULL,
    eta TEXT,
    delivered_at TEXT
);
CREATE INDEX shipments_order ON shipments (order_no);
CREATE TABLE invoices (
    invoice_no TEXT PRIMARY KEY,
    order_no TEXT NOT NULL REFERENCES orders (order_no),
    customer_id TEXT NOT NULL REFERENCES customers (customer_id),
    issue_date TEXT NOT NULL,
    due_date TEXT NOT NULL,
    amount REAL NOT NULL,
    currency TEXT NOT NULL,
    paid INTEGER NOT NULL CHECK (paid IN (0, 1)),
    paid_date TEXT,
    pdf_url TEXT NOT NULL
);
CREATE INDEX invoices_order ON invoices (order_no);
"""

COLUMNS: dict[str, tuple[str, ...]] = {
    "erp_info": ("key", "value"),
    "customers": (
        "customer_id",
        "name",
        "account_no",
        "tier",
        "segment",
        "country",
        "locale",
        "city",
        "currency",
        "payment_terms_days",
    ),
    "contacts": ("contact_id", "customer_id", "name", "role", "email", "phone"),
    "products": ("sku", "name", "category", "list_price", "currency"),
    "orders": (
        "order_no",
        "po_number",
        "customer_id",
        "status",
        "order_date",
        "confirmed_date",
        "eta",
        "total",
        "currency",
        "created_at",
        "updated_at",
    ),
    "order_lines": (
        "order_no",
        "line_no",
        "sku",
        "description",
        "quantity",
        "unit_price",
        "amount",
    ),
    "order_status_history": ("order_no", "seq", "status", "changed_at", "note"),
    "shipments": (
        "shipment_id",
        "order_no",
        "carrier",
        "tracking_no",
        "tracking_url",
        "status",
        "shipped_at",
        "eta",
        "delivered_at",
    ),
    "invoices": (
        "invoice_no",
        "order_no",
        "customer_id",
        "issue_date",
        "due_date",
        "amount",
        "currency",
        "paid",
        "paid_date",
        "pdf_url",
    ),
}
