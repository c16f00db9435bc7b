"""What can go wrong with a proposal, each with its own stable code and HTTP status."""

from __future__ import annotations

from switchboard.errors import SwitchboardError


class NotFound(SwitchboardError):
    status_code = 404
    code = "not_found"


class InvalidState(SwitchboardError):
    """The proposal's state does not allow the action (e.g. merging a draft)."""

    status_code = 409
    code = "invalid_state"


class StaleEdit(SwitchboardError):
    """A file changed since the editor read it; `details.path` names it."""

    status_code = 409
    code = "stale_edit"


class MergeConflict(SwitchboardError):
    status_code = 409
    code = "merge_conflict"


class ConcurrentUpdate(SwitchboardError):
    """A branch moved between reading and writing it; nothing was overwritten."""

    status_code = 409
    code = "concurrent_update"


class BranchCheckedOut(SwitchboardError):
    status_code = 409
    code = "branch_checked_out"


class InvalidEdit(SwitchboardError):
    """The edit itself is malformed: no files, a path outside the rules folders, no change."""

    status_code = 422
    code = "invalid_edit"


class InvalidRevision(SwitchboardError):
    """The files would not load; `details.problems` lists file, line, code and message."""

    status_code = 422
    code = "invalid_revision"


class TestsFailed(SwitchboardError):
    """The repository's own test cases fail on the revision that would go live."""

    __test__ = False  # not a pytest class
    status_code = 422
    code = "tests_failed"


class FourEyes(SwitchboardError):
    """An author may not approve their own proposal."""

    status_code = 403
    code = "four_eyes"


class RoleRequired(SwitchboardError):
    status_code = 403
    code = "role_required"


class NotAnAuthor(SwitchboardError):
    status_code = 403
    code = "not_an_author"


class NoIdentity(SwitchboardError):
    """The caller has no user (name and e-mail), which every change to a proposal needs."""

    status_code = 403
    code = "no_identity"


class PushFailed(SwitchboardError):
    """The forge refused the proposal branch; the local branch was left as it was."""

    status_code = 502
    code = "push_failed"


class RepositoryUnavailable(SwitchboardError):
    status_code = 503
    code = "repository_unavailable"


class InvalidArgument(SwitchboardError):
    """A value the caller sent cannot be used (an empty title, an unknown state, ...)."""

    status_code = 422
    code = "invalid_request"
