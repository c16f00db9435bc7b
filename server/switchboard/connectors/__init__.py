"""Live data for the engine: SQL and HTTP connectors with timeouts, breakers and typed rows.

    data = LiveData(ruleset.connectors, os.environ)
    result = data.fetch("erp", "order_by_reference", {"order_number": "SO4500123"})
    customer, lookup = resolve_customer(ruleset, data, inquiry.identifiers)
    data.status()   # per connector: breaker state, counts, last error (for /v1/status)
    data.close()

Every fetch returns a LookupResult and never raises. Its status is `ok` (one row),
`not_found` (no row, or an empty parameter the request cannot do without), `timeout`, `error`
(failure, bad answer, wrong shape, more than one row, missing setting) or `circuit_open`.
A row holds exactly the query's declared fields, typed (dates as `datetime.date`, times as
aware `datetime`), plus the owner field, which must be a non-empty string.

- `sql`: the setting holds `sqlite:///relative/path.sqlite`, `sqlite:////absolute/path.sqlite`
  (opened read-only) or `postgresql://...` (needs the `postgres` extra; read-only sessions).
  Params are bound by the driver as `:name`; missing ones are NULL.
- `http`: the setting holds the base URL, e.g. `http://127.0.0.1:8765/api/v1`; path and query
  values are percent-encoded; 404 means not found; any other non-200 answer is an error.
- A connector's breaker opens after `breaker_failures` failures in a row (not_found is not a
  failure) and lets one trial through after `breaker_reset_s`.
- With `max_age_s` > 0, ok and not_found answers are reused while younger than that, and
  `age_ms` tells how old they are; with 0 every fetch asks the source.
"""

from switchboard.connectors.customers import lookup_params, resolve_customer
from switchboard.connectors.live import ConnectorStatus, LiveData
from switchboard.connectors.params import sql_param_names, to_pyformat
from switchboard.connectors.phone import normalise_phone

__all__ = [
    "ConnectorStatus",
    "LiveData",
    "lookup_params",
    "normalise_phone",
    "resolve_customer",
    "sql_param_names",
    "to_pyformat",
]
