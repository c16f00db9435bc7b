"""The DataSource of a replay: what the lookups returned when the inquiry was decided.

Never a live lookup. A recorded failure fails the same way; a recorded row is given back with
the values that were recorded; a field that had a value nobody recorded, and a lookup the
recording does not cover (the new revision fetches something the old one did not), get the
synthesised row `switchboard classify` uses: plausible values owned by the asking customer.
Both revisions of a replay get exactly the same answers.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from switchboard.analysis.replay_items import Recorded
from switchboard.engine.sources import ASSUMED_CUSTOMER, FAILURE_STATUSES, AssumedDataSource
from switchboard.engine.types import Context, LookupResult
from switchboard.rules.model import Ruleset


class ReplayData:
    def __init__(self, ruleset: Ruleset, context: Context, data: Mapping[str, Recorded]) -> None:
        self.ruleset = ruleset
        self.customer = context.customer or ASSUMED_CUSTOMER
        self.customer_id = self.customer.id
        self.data = data
        self.now = context.now
        self.synthesised = 0  # lookups answered without a recording
        self._assumed: AssumedDataSource | None = None

    @property
    def assumed(self) -> AssumedDataSource:
        """Built on first use: most inquiries need no lookup at all."""
        if self._assumed is None:
            self._assumed = AssumedDataSource(self.ruleset, self.now, self.customer)
        return self._assumed

    def fetch(self, connector: str, query: str, params: dict[str, Any]) -> LookupResult:
        source = f"{connector}.{query}"
        spec = self.assumed.queries.get((connector, query))
        recorded = self.data.get(source)
        if recorded is None or spec is None:
            self.synthesised += 1
            return self.assumed.fetch(connector, query, params)
        if recorded.status in FAILURE_STATUSES:
            status = FAILURE_STATUSES[recorded.status]
            return LookupResult(status, source=source, fetched_at=self.now, error="recorded")
        row = self.assumed.row(spec, params)
        if recorded.status == "ownership_mismatch":
            if spec.owner_field:
                row[spec.owner_field] = f"not-{self.customer_id}"
            return LookupResult("ok", row, source, fetched_at=self.now)
        present = recorded.present
        for name in spec.fields:
            if name in recorded.values:
                row[name] = recorded.values[name]
            elif present is None or name not in present:
                row[name] = None
        extra = {k: v for k, v in recorded.values.items() if k not in spec.fields}
        row.update(extra)
        if spec.owner_field and spec.owner_field not in recorded.values:
            row[spec.owner_field] = self.customer_id  # it was the customer's: status ok
        return LookupResult("ok", row, source, fetched_at=self.now)
