""" "Mark reviewed": a proposal that sets `last_reviewed` to today and records a change note.

It goes through review like any other change: the proposal is created, edited and submitted
in the name of the person marking the file; someone else approves and merges it.
"""

from __future__ import annotations

import datetime as dt

from switchboard.proposals.model import Actor, FileEdit, Proposal
from switchboard.proposals.service import ProposalService
from switchboard.reminders.metadata_edit import clean_note, mark_reviewed_text


def mark_reviewed(
    proposals: ProposalService, actor: Actor, path: str, note: str, today: dt.date
) -> Proposal:
    """Open (and submit for review) a proposal marking `path` reviewed on `today`."""
    note = clean_note(note)
    current = proposals.file(path)
    content = mark_reviewed_text(current.content, today, note)
    title = f"Reviewed {path}"
    proposal = proposals.create(actor, title, note)
    try:
        message = f"Mark {path} reviewed on {today.isoformat()}\n\n{note}"
        edits = [FileEdit(path=path, content=content, base=current.blob)]
        proposals.edit(actor, proposal.id, message, edits)
        return proposals.submit(actor, proposal.id)
    except Exception:
        proposals.withdraw(actor, proposal.id, "The review mark could not be saved.")
        raise
