"""Why a lookup did not produce a row. Messages are technical and never contain row data."""

from __future__ import annotations


class LookupFailure(Exception):
    """The source failed (error, bad answer, wrong shape); counts against the circuit breaker."""


class LookupTimeout(LookupFailure):
    """The source did not answer within the connector's timeout."""


class ConfigError(Exception):
    """The connector cannot be used as configured (missing setting, unsupported DSN, ...).

    No call was made, so the circuit breaker is not touched.
    """


class NothingToLookUp(Exception):
    """A parameter the request cannot do without is empty: the answer is not_found, uncalled."""
