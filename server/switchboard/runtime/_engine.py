"""The engine parts of a revision (sandboxed renderer, trained classifier), reused when the
inputs they are built from did not change.

Most approved changes touch a rule, a threshold or a text, not the example phrases: retraining
the classifier for them would cost seconds for nothing. Each part is keyed by a digest of
exactly what it is built from; equal digests mean equal inputs, so the part built for the one
revision is the part the other would build. The classifier is also cached on disk under that
digest, so a restart on a new revision with the same phrases does not retrain either.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from switchboard.engine import classifier, render
from switchboard.rules.model import Ruleset


@dataclass(frozen=True, slots=True)
class EngineParts:
    renderer: render.Renderer
    renderer_key: str
    classifier: classifier.Classifier
    classifier_key: str


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
            classifier.classifier_settings(ruleset),
            classifier.training_set(ruleset).digest(),
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
        renderer = render.Renderer.build(ruleset)
    ckey = classifier_key(ruleset)
    if previous is not None and previous.classifier_key == ckey:
        trained = previous.classifier
        reused.append("classifier")
    else:  # named by the digest, so the disk cache is shared by every revision with it
        trained = classifier.train(dataclasses.replace(ruleset, revision=ckey[:40]), cache_dir)
    trained = dataclasses.replace(trained, revision=ruleset.revision)
    parts = EngineParts(renderer, key, trained, ckey)
    return dataclasses.replace(ruleset, renderer=renderer, classifier=trained), parts, reused


def _digest(value: Any) -> str:
    text = json.dumps(value, sort_keys=True, default=str, ensure_ascii=False)
    return hashlib.sha256(text.encode()).hexdigest()
