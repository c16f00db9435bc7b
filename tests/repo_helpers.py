"""Small valid rules repositories written as YAML text, and git helpers to commit them.

`BASE` is minimal but complete: settings, three inquiry types (one out of scope), one set of
escalation rules, two queues, one answer text in every channel, a snippet, an entity, a
data connection and a test suite. Tests derive broken variants with `edit` and commit them
into real git repositories with `make_repo` / `commit`.
"""

from __future__ import annotations

import os
import subprocess
from collections.abc import Mapping
from pathlib import Path

META = """metadata:
  owner: anna.berger@nordwerk.example
  review_every: 90d
  last_reviewed: 2026-09-15
"""

BASE: dict[str, str] = {
    "switchboard.yaml": META
    + """name: Test order desk
locales: [en]
default_locale: en
time_zone: Europe/Berlin
approved_ref: main
default_queue: order_desk
confidence_floor: 0.6
customer_lookup: {connector: erp, query: customer_by_identifier}
business_hours:
  mon: "07:30-17:00"
  fri: "07:30-15:00"
""",
    "taxonomy/order_status.yaml": META
    + """id: order_status
title: Order status
description: The customer asks where an order stands.
routine: true
queue: order_desk
entities:
  one_of: [order_number]
answer:
  template: order_status
  lookups:
    - {connector: erp, query: order_by_reference, as: order}
examples:
  en: ["Where is my order SO4500123?", "Status of order SO4500124 please"]
""",
    "taxonomy/complaint.yaml": META
    + """id: complaint
title: Complaint
routine: false
queue: quality_claims
priority: high
examples:
  en: ["The pump you sent is broken", "We are unhappy with the delivery"]
""",
    "taxonomy/out_of_scope.yaml": META
    + """id: out_of_scope
title: Anything else
routine: false
out_of_scope: true
queue: order_desk
examples:
  en: ["Do you sell bicycles?", "Please add me to your newsletter"]
""",
    "escalation/safety.yaml": META
    + """id: safety
title: Legal and complaints
precedence: 10
rules:
  - id: legal_threat
    when:
      any:
        - {fact: text, op: contains_any, value: [lawyer, court]}
        - {fact: text, op: matches, value: 'legal\\s+action'}
    then:
      action: route
      queue: quality_claims
      priority: urgent
      reason: legal_threat
  - id: complaints_to_claims
    when:
      all:
        - {fact: intent, op: in, value: [complaint]}
        - {fact: confidence, op: gte, value: 0.5}
    then:
      action: route
      queue: quality_claims
      reason: complaint
""",
    "queues/order_desk.yaml": META
    + """id: order_desk
name: Order desk
contact: {email: orders@nordwerk.example}
business_hours:
  mon: "07:30-17:00"
""",
    "queues/quality_claims.yaml": META
    + """id: quality_claims
name: Quality and claims
sla: {first_response: 4h, resolution: 5d}
""",
    "templates/order_status.yaml": META
    + """id: order_status
channels:
  email:
    en:
      subject: "Your order {{ order.order_no }}"
      body: |
        Your order {{ order.order_no }} is {{ order.status }}.
        {{ snippet('signature') }}
  sms:
    en: {body: "Order {{ order.order_no }}: {{ order.status }}"}
  chat:
    en: {body: "Your order {{ order.order_no }} is {{ order.status }}."}
  voice:
    en: {body: "Your order is {{ order.status }}."}
""",
    "snippets/signature.yaml": META
    + """id: signature
text:
  en: "Kind regards, the order desk"
""",
    "entities/order_number.yaml": META
    + """id: order_number
title: Order number
type: string
patterns:
  - regex: '\\bSO[\\s-]?(\\d{7})\\b'
    value: 'SO{1}'
valid: '^SO\\d{7}$'
""",
    "connectors/erp.yaml": META
    + """id: erp
kind: sql
dsn_setting: SWITCHBOARD_ERP_DSN
timeout_ms: 800
queries:
  customer_by_identifier:
    params: [email]
    sql: SELECT customer_id, name FROM customers WHERE email = :email
    fields:
      customer_id: {type: string}
      name: {type: string}
  order_by_reference:
    params: [order_number]
    sql: SELECT order_no, status, customer_id FROM orders WHERE order_no = :order_number
    owner_field: customer_id
    fields:
      order_no: {type: string}
      status: {type: string}
      customer_id: {type: string}
""",
    "tests/basics.yaml": META
    + """id: basics
cases:
  - id: lawyer_goes_to_claims
    inquiry: {channel: email, text: "Where is SO4500123? Next step is our lawyer."}
    customer: {id: C10023}
    data:
      erp.order_by_reference: {order_no: SO4500123, status: shipped, customer_id: C10023}
    expect:
      outcome: route
      queue: quality_claims
      reasons: [legal_threat]
""",
}

_GIT_ENV = {
    "GIT_AUTHOR_NAME": "Rules Author",
    "GIT_AUTHOR_EMAIL": "author@nordwerk.example",
    "GIT_COMMITTER_NAME": "Rules Author",
    "GIT_COMMITTER_EMAIL": "author@nordwerk.example",
    "GIT_CONFIG_GLOBAL": os.devnull,
    "GIT_CONFIG_NOSYSTEM": "1",
}


def git(root: Path, *args: str) -> str:
    done = subprocess.run(
        ["git", "-C", str(root), *args],
        capture_output=True,
        text=True,
        check=True,
        env={**os.environ, **_GIT_ENV},
    )
    return done.stdout.strip()


def write_files(root: Path, files: Mapping[str, str | bytes | None]) -> None:
    """Write (or, for None, delete) files under root."""
    for rel, content in files.items():
        path = root / rel
        if content is None:
            path.unlink(missing_ok=True)
            continue
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")


def make_repo(root: Path, files: Mapping[str, str | bytes | None] | None = None) -> Path:
    """A new git repository at root (branch main) with one commit of `files` (default BASE)."""
    root.mkdir(parents=True, exist_ok=True)
    git(root, "init", "-q", "-b", "main")
    commit(root, BASE if files is None else files, "Initial rules")
    return root


def commit(root: Path, files: Mapping[str, str | bytes | None], message: str = "Change") -> str:
    """Write the files, commit everything, return the new commit's SHA."""
    write_files(root, files)
    git(root, "add", "-A")
    git(root, "commit", "-q", "--allow-empty", "-m", message)
    return git(root, "rev-parse", "HEAD")


def edit(path: str, old: str, new: str, base: Mapping[str, str] = BASE) -> dict[str, str]:
    """A copy of `base` where `old` (which must occur exactly once) in `path` becomes `new`."""
    text = base[path]
    assert text.count(old) == 1, f"{old!r} occurs {text.count(old)} times in {path}"
    return {**base, path: text.replace(old, new)}


def line_of(text: str, needle: str) -> int:
    """The 1-based line where `needle` (which must occur exactly once) starts."""
    assert text.count(needle) == 1, f"{needle!r} occurs {text.count(needle)} times"
    return text[: text.index(needle)].count("\n") + 1
