"""Runs replay items through two revisions with `decide`, the engine's own code.

Each inquiry is classified in batches (`predict_many`); when both revisions have the same
taxonomy, entities and settings files their classifiers are trained on the same phrases, so
each inquiry is classified once for both. With `workers` > 1 the items are split between
forked processes that share the loaded revisions (Linux; elsewhere it runs in one process).
"""

from __future__ import annotations

import multiprocessing
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, NamedTuple

from switchboard.analysis.replay_data import ReplayData
from switchboard.analysis.replay_items import ReplayItem
from switchboard.engine.decide import decide, inquiry_text
from switchboard.engine.program import program_for
from switchboard.rules.model import Ruleset

BATCH = 256
MIN_PER_WORKER = 100  # fewer inquiries are not worth a process
CLASSIFIER_KINDS = ("settings", "intent", "entity")


class Side(NamedTuple):
    outcome: str
    queue: str | None
    intent: str
    priority: str


@dataclass(frozen=True, slots=True)
class Replayed:
    id: str
    before: Side  # the live revision's decision
    after: Side  # the proposed revision's decision
    before_reasons: tuple[str, ...]
    after_reasons: tuple[str, ...]
    synthesised: int  # lookups answered from synthesised rows (both revisions)


def same_classifier(a: Ruleset, b: Ruleset) -> bool:
    """Whether both revisions train their classifier on identical files."""

    def inputs(ruleset: Ruleset) -> set[tuple[str, str]]:
        return {(f.path, f.blob_sha) for f in ruleset.files if f.kind in CLASSIFIER_KINDS}

    return inputs(a) == inputs(b) and bool(inputs(a))


def replay(
    live: Ruleset, proposed: Ruleset, items: Sequence[ReplayItem], workers: int = 1
) -> list[Replayed]:
    """Both decisions for every item, in the order of `items`."""
    for ruleset in (live, proposed):
        if ruleset.classifier is None:
            raise ValueError(f"revision {ruleset.revision[:12]} was loaded without its engine")
        program_for(ruleset)  # compiled once, before any fork
    shared = same_classifier(live, proposed)
    workers = max(1, min(workers, len(items) // MIN_PER_WORKER))
    if workers == 1 or not sys.platform.startswith("linux"):
        return _chunk(live, proposed, items, shared)
    global _JOB
    _JOB = (live, proposed, items, shared)
    size = -(-len(items) // (workers * 4))
    bounds = [(start, min(start + size, len(items))) for start in range(0, len(items), size)]
    try:
        with multiprocessing.get_context("fork").Pool(workers) as pool:
            parts = pool.map(_work, bounds)
    finally:
        _JOB = None
    return [result for part in parts for result in part]


_JOB: tuple[Ruleset, Ruleset, Sequence[ReplayItem], bool] | None = None


def _work(bounds: tuple[int, int]) -> list[Replayed]:
    assert _JOB is not None
    live, proposed, items, shared = _JOB
    return _chunk(live, proposed, items[bounds[0] : bounds[1]], shared)


def _chunk(
    live: Ruleset, proposed: Ruleset, items: Sequence[ReplayItem], shared: bool
) -> list[Replayed]:
    found: list[Replayed] = []
    for start in range(0, len(items), BATCH):
        batch = items[start : start + BATCH]
        texts = [inquiry_text(item.inquiry) for item in batch]
        before = live.classifier.predict_many(texts)
        after = before if shared else proposed.classifier.predict_many(texts)
        for item, p_before, p_after in zip(batch, before, after, strict=True):
            found.append(_both(live, proposed, item, p_before, p_after))
    return found


def _both(
    live: Ruleset, proposed: Ruleset, item: ReplayItem, p_before: Any, p_after: Any
) -> Replayed:
    data_before = ReplayData(live, item.context, item.data)
    data_after = ReplayData(proposed, item.context, item.data)
    old = decide(
        live, item.inquiry, item.context, data_before, decision_id=item.id, prediction=p_before
    )
    new = decide(
        proposed, item.inquiry, item.context, data_after, decision_id=item.id, prediction=p_after
    )
    return Replayed(
        item.id,
        Side(old.outcome, old.queue, old.intent, old.priority),
        Side(new.outcome, new.queue, new.intent, new.priority),
        tuple(old.reasons),
        tuple(new.reasons),
        max(data_before.synthesised, data_after.synthesised),
    )
