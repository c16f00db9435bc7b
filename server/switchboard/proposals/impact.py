"""What a proposal would change, for its reviewers: static analysis and the impact preview.

`analysis_of` proves the guarantees of the proposal's head and marks the findings the
revision it started from does not have; `impact_of` replays recent decisions through the
approved revision and the proposal's head. Both are computed from commits, which never
change, so results are kept in memory per pair of revisions (the impact also per newest
decision replayed).
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable, Sequence
from typing import TypeVar

from switchboard.analysis.impact import Impact, impact
from switchboard.analysis.model import Analysis
from switchboard.analysis.replay_items import ReplayItem, items_from_records, lookup_names
from switchboard.analysis.repo import CannotAnalyze, analyze_repo
from switchboard.proposals.errors import InvalidState
from switchboard.proposals.model import Proposal
from switchboard.proposals.workspace import Workspace
from switchboard.rules.model import Ruleset
from switchboard.store.conversations import ConversationStore
from switchboard.store.conversations.records import DecisionRecord

DEFAULT_LAST = 5_000
MAX_LAST = 20_000
T = TypeVar("T")


class _Kept:
    """A small least-recently-used memory of results, safe to share between threads."""

    def __init__(self, size: int) -> None:
        self.size = size
        self.items: OrderedDict[Hashable, object] = OrderedDict()
        self.lock = threading.Lock()

    def get(self, key: Hashable, make: Callable[[], T]) -> T:
        with self.lock:
            if key in self.items:
                self.items.move_to_end(key)
                return self.items[key]  # type: ignore[return-value]
        value = make()
        with self.lock:
            self.items[key] = value
            while len(self.items) > self.size:
                self.items.popitem(last=False)
        return value


_analyses = _Kept(32)
_rulesets = _Kept(4)  # with trained classifiers: a few only
_impacts = _Kept(16)


def analysis_of(ws: Workspace, head: str, base: str) -> Analysis | None:
    """The analysis of `head`, with what is new since `base` (where the proposal's changes
    start) marked; None when the head does not load."""

    def make() -> Analysis | None:
        try:
            return analyze_repo(ws.repo, head, against=base if base != head else None)
        except CannotAnalyze:
            return None

    return _analyses.get(("analysis", str(ws.repo), head, base), make)


def impact_of(
    ws: Workspace, proposal: Proposal, records: Sequence[DecisionRecord], workers: int = 1
) -> Impact:
    """`records` (newest first, as the store lists them) replayed through the approved
    revision and the proposal's head."""
    head, base = ws.current_head(proposal), ws.approved_head()
    newest = records[0].id if records else ""

    def make() -> Impact:
        live, proposed = _ruleset(ws, base), _ruleset(ws, head)
        loaded = list(items_from_records(records, lookup_names([live, proposed])))
        items = [x for x in loaded if isinstance(x, ReplayItem)]
        refused = len(loaded) - len(items)
        return impact(live, proposed, items, source="store", workers=workers, refused=refused)

    return _impacts.get(("impact", str(ws.repo), head, base, newest, len(records)), make)


def recent_decisions(store: ConversationStore, last: int) -> list[DecisionRecord]:
    """The newest `last` decision records (at most MAX_LAST), newest first."""
    with store.reads() as reads:
        return reads.decisions.recent(max(1, min(last, MAX_LAST)))


def _ruleset(ws: Workspace, revision: str) -> Ruleset:
    def make() -> Ruleset:
        from switchboard.rules import load_ruleset

        result = load_ruleset(ws.repo, revision, cache_dir=ws.cache_dir)
        if result.ruleset is None or result.ruleset.classifier is None:
            raise InvalidState(
                f"Revision {revision[:12]} does not load, so nothing can be replayed through it.",
                {"revision": revision, "errors": len(result.errors)},
            )
        return result.ruleset

    return _rulesets.get(("ruleset", str(ws.repo), revision), make)
