"""What the conversation and identity API can refuse, each with a stable code and status."""

from __future__ import annotations

from switchboard.errors import SwitchboardError


class NotFound(SwitchboardError):
    status_code = 404
    code = "not_found"


class AlreadyLinked(SwitchboardError):
    """The identifier is linked already (`details.link_id`); unlink it first."""

    status_code = 409
    code = "already_linked"


class AlreadyUnlinked(SwitchboardError):
    status_code = 409
    code = "already_unlinked"


class InvalidIdentity(SwitchboardError):
    """The value is not a usable identifier of its kind, or the evidence is missing."""

    status_code = 422
    code = "invalid_identity"


class UnknownCustomer(SwitchboardError):
    """Neither the store nor the ERP knows the customer id."""

    status_code = 422
    code = "unknown_customer"


class InvalidEvent(SwitchboardError):
    status_code = 422
    code = "invalid_event"


class InvalidCursor(SwitchboardError):
    status_code = 400
    code = "invalid_cursor"
