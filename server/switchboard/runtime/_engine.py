"""The engine parts of a revision (sandboxed renderer, trained classifier), reused when the
inputs they are built from did not change.

Most approved changes touch a rule, a threshold or a text, not the example phrases: retraining
the classifier for them would cost seconds for nothing. Each part is keyed by a digest of
exactly what it is built from; equal digests mean equal inputs, so the part built for the one
revision is the part the other would build. The classifier is also cached on disk under that
digest, so a restart on a new revision with the same phrases does not retrain either. The
repository tests of every revision classify the same texts again and again: while the
classifier is reused, so are its predictions for them (`MemoClassifier`).
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from switchboard.engine.classifier import (
    Classifier,
    Prediction,
    classifier_settings,
    train,
    training_set,
)
from switchboard.engine.render import Renderer
from switchboard.rules.model import Ruleset

MAX_REMEMBERED_PREDICTIONS = 50_000


@dataclass(frozen=True, slots=True)
class EngineParts:
    renderer: Renderer
    renderer_key: str
    classifier: Classifier
    classifier_key: str
    predictions: dict[str, Prediction]  # text -> prediction of this classifier


class MemoClassifier:
    """A classifier that remembers its predictions, for running the repository tests only.

    A trained classifier predicts the same for the same text, so a remembered prediction is
    the one it would make again; the memo lives exactly as long as the classifier is reused.
    """

    def __init__(self, inner: Classifier, memo: dict[str, Prediction]):
        self._inner = inner
        self._memo = memo

    def predict(self, text: str) -> Prediction:
        found = self._memo.get(text)
        if found is None:
            if len(self._memo) >= MAX_REMEMBERED_PREDICTIONS:
                self._memo.clear()
            found = self._memo[text] = self._inner.predict(text)
        return found

    def predict_many(self, texts: list[str]) -> list[Prediction]:
        return [self.predict(text) for text in texts]

    def __getattr__(self, name: str) -> Any:  # min_margin, revision, options, backend
        return getattr(self._inner, name)


def renderer_key(ruleset: Ruleset) -> str:
    """What the renderer is built from: template and snippet texts and the time zone."""
    snippets = sorted((s.id, sorted(s.text.items())) for s in ruleset.snippets.values())
    templates = sorted(
        (t.id, sorted((*key, v.subject, v.body) for key, v in t.variants.items()))
        for t in ruleset.templates.values()
    )
    return _digest([ruleset.settings.time_zone, snippets, templates])


def classifier_key(ruleset: Ruleset) -> str:
    """What a classifier backend may read: the phrases, the `classifier:` settings, and the
    intents' routine and out-of-scope flags and the locales (the embedding backend uses them)."""
    flags = sorted((i.id, i.routine, i.out_of_scope) for i in ruleset.intents.values())
    return _digest(
        [
            classifier_settings(ruleset),
            training_set(ruleset).digest(),
            flags,
            list(ruleset.settings.locales),
        ]
    )


def build_parts(
    ruleset: Ruleset, previous: EngineParts | None, cache_dir: Path | None
) -> tuple[Ruleset, EngineParts, list[str]]:
    """The ruleset with its renderer and classifier, the parts, and the names of those reused."""
    reused = []
    key = renderer_key(ruleset)
    if previous is not None and previous.renderer_key == key:
        renderer, reused = previous.renderer, ["renderer"]
    else:
        renderer = Renderer.build(ruleset)
    ckey = classifier_key(ruleset)
    if previous is not None and previous.classifier_key == ckey:
        trained, predictions = previous.classifier, previous.predictions
        reused.append("classifier")
    else:  # named by the digest, so the disk cache is shared by every revision with it
        trained = train(dataclasses.replace(ruleset, revision=ckey[:40]), cache_dir)
        predictions = {}
    trained = dataclasses.replace(trained, revision=ruleset.revision)
    parts = EngineParts(renderer, key, trained, ckey, predictions)
    return dataclasses.replace(ruleset, renderer=renderer, classifier=trained), parts, reused


def _digest(value: Any) -> str:
    text = json.dumps(value, sort_keys=True, default=str, ensure_ascii=False)
    return hashlib.sha256(text.encode()).hexdigest()
