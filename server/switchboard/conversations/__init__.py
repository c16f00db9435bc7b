"""Cross-channel continuity: who is asking, which conversation an inquiry continues, what the
engine should remember from it, and recording every decided inquiry in one transaction.

    continuity = open_continuity(settings)          # the Recorder of the inquiry flow
    recall = continuity.recall(ruleset, data, inquiry, now)
    decision = decide(ruleset, inquiry, recall.context, data)
    continuity.record(inquiry, recall, decision, gateway)
"""

from switchboard.conversations.continuity import Continuity
from switchboard.conversations.wiring import open_continuity

__all__ = ["Continuity", "open_continuity"]
