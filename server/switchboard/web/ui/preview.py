"""Live preview of an answer text with sample data, rendered in the same sandbox as replies.

The text being edited replaces its variant in a copy of the revision, the renderer is built
from that copy (so a broken text shows the same error the loader would give), and the
template is filled with the sample rows (`samples`) of the first inquiry type that uses it.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from dataclasses import dataclass
from typing import Any

from switchboard.engine.lookups import run_lookups
from switchboard.engine.render import Renderer, RenderError
from switchboard.rules.model import Intent, Location, Ruleset, TemplateVariant
from switchboard.web.ui.samples import SampleData, sample_customers

ENTITY_FIELDS = {
    "order_number": "order_no",
    "invoice_number": "invoice_no",
    "po_number": "po_number",
}


@dataclass(frozen=True, slots=True)
class Preview:
    subject: str | None
    body: str
    error: str | None
    sample: str  # what the data came from, for the page


def users_of(ruleset: Ruleset, template_id: str) -> tuple[list[Intent], list[str]]:
    """Inquiry types that answer or ask with the template, and rules that ask with it."""
    intents = [
        i
        for i in ruleset.intents.values()
        if (i.answer and i.answer.template == template_id) or i.clarify_template == template_id
    ]
    rules = [r.id for r in ruleset.rules if r.template == template_id]
    return intents, rules


def render_preview(
    ruleset: Ruleset,
    template_id: str,
    channel: str,
    locale: str,
    subject: str | None,
    body: str,
) -> Preview:
    template = ruleset.templates[template_id]
    variants = dict(template.variants)
    old = variants.get((channel, locale))
    location = old.location if old else Location(f"templates/{template_id}.yaml")
    variants[(channel, locale)] = TemplateVariant(subject, body, location)
    copy = dataclasses.replace(
        ruleset,
        templates={
            **ruleset.templates,
            template_id: dataclasses.replace(template, variants=variants),
        },
    )
    variables, sample = sample_variables(ruleset, template_id, channel, locale)
    try:
        rendered = Renderer.build(copy).render(template_id, channel, locale, variables)
    except RenderError as exc:
        return Preview(None, "", str(exc), sample)
    return Preview(rendered.subject, rendered.body, None, sample)


def sample_variables(
    ruleset: Ruleset, template_id: str, channel: str, locale: str
) -> tuple[dict[str, Any], str]:
    now = dt.datetime.now(dt.UTC)
    customers = sample_customers(ruleset)
    customer = customers[0] if customers else None
    data = SampleData(ruleset, customer, now)
    intents, _ = users_of(ruleset, template_id)
    rows: dict[str, dict[str, Any]] = {}
    answered = next((i for i in intents if i.answer and i.answer.template == template_id), None)
    if answered is not None and answered.answer is not None:
        queries = {
            (c.id, name): q for c in ruleset.connectors.values() for name, q in c.queries.items()
        }
        run = run_lookups(answered.answer, queries, {}, data.owner.id, data)
        rows = run.rows
    entities = {
        entity: row[column]
        for row in rows.values()
        for entity, column in ENTITY_FIELDS.items()
        if row.get(column) is not None
    }
    variables: dict[str, Any] = {
        **rows,
        "customer": {
            "name": data.owner.name,
            "account_no": data.owner.account_no,
            "tier": data.owner.tier,
        },
        "entities": entities,
        "inquiry": {"channel": channel, "locale": locale, "subject": "Sample inquiry"},
    }
    who = f"customer {data.owner.name} ({data.owner.id})"
    sample = f"{who}; " + ("; ".join(data.used) if data.used else "no data lookups")
    return variables, sample
