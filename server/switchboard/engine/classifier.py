"""Intent classification: the backend interface, the backend registry and training.

A backend turns text into a `Prediction` with a probability per intent. Backends are found
by name in a registry and chosen in `switchboard.yaml` as `classifier: {backend: NAME}`:
`embedding` (the default, `engine.embedding`) or `ngram` (`engine.ngram`); a plug-in can add
another with `register_backend`. `min_margin` is the engine's; every other option of the
block goes to the backend. Where the embedding model's package is not installed, the n-gram
backend stands in, with a warning.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import logging
import os
import pickle
import tempfile
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from switchboard.engine.language import detect_language
from switchboard.engine.text import message_core, strip_quoted

log = logging.getLogger(__name__)

DEFAULT_BACKEND = "embedding"
FALLBACK_BACKEND = "ngram"  # needs nothing beyond scikit-learn
# Below this gap between the two best intents, the top intent is not trusted either.
DEFAULT_MIN_MARGIN = 0.2
_CACHE_FORMAT = 3  # bump when a backend's pickled layout or its training changes


@dataclass(frozen=True, slots=True)
class Prediction:
    intent: str
    confidence: float
    scores: list[tuple[str, float]]  # every intent, best first
    language: str | None = None
    # An intent told apart from `intent` by too little, whose question `intent`'s answer also
    # answers (`also_answers`); `confidence` is then the two scores together.
    joined: str | None = None
    similarity: float | None = None  # cosine to the intent's nearest example, if measured

    @property
    def margin(self) -> float:
        """How far the best intent is ahead of the second best (1.0 with one intent); with a
        joined pair, how far the pair is ahead of the best other intent."""
        if self.joined is not None:
            rest = [p for i, p in self.scores if i not in (self.intent, self.joined)]
            return self.confidence - (rest[0] if rest else 0.0)
        if len(self.scores) < 2:
            return 1.0
        return self.scores[0][1] - self.scores[1][1]


class BackendUnavailableError(RuntimeError):
    """A backend cannot run on this installation (a package it needs is missing)."""


class Backend(Protocol):
    """What every classifier backend offers. Both methods must be safe to call concurrently."""

    name: str

    def predict(self, text: str) -> Prediction: ...

    def predict_many(self, texts: Sequence[str]) -> list[Prediction]: ...


@dataclass(frozen=True, slots=True)
class TrainingSet:
    """Labelled phrases of one revision: every intent's examples and keywords, all locales."""

    texts: tuple[str, ...]
    labels: tuple[str, ...]
    intents: tuple[str, ...]  # every intent id, sorted, including those without phrases

    def digest(self) -> str:
        payload = json.dumps([self.texts, self.labels, self.intents], ensure_ascii=False)
        return hashlib.sha256(payload.encode()).hexdigest()


BackendFactory = Callable[[TrainingSet, Mapping[str, Any]], Backend]
_REGISTRY: dict[str, BackendFactory] = {}


def register_backend(name: str, factory: BackendFactory) -> None:
    """Make a backend available under `name` for `classifier: {backend: name}`."""
    _REGISTRY[name] = factory


def backend_names() -> list[str]:
    _ensure_builtin()
    return sorted(_REGISTRY)


def _ensure_builtin() -> None:
    if FALLBACK_BACKEND not in _REGISTRY:
        from switchboard.engine import ngram

        register_backend(FALLBACK_BACKEND, ngram.fit_backend)
    if "embedding" not in _REGISTRY:
        from switchboard.engine import embedding  # onnxruntime loads only when it is chosen

        register_backend(embedding.NAME, embedding.fit_backend)


@dataclass(frozen=True, slots=True)
class Classifier:
    """A trained backend for one revision. It sees only the new part of a reply (quoted
    earlier messages are left out) and adds the language guess to every prediction.

    Text in a language the repository has no locale for is out of scope, whatever the
    backend guesses from the words it recognises (order numbers look alike in Italian).
    """

    backend: Backend
    revision: str
    min_margin: float = DEFAULT_MIN_MARGIN
    options: Mapping[str, Any] = field(default_factory=dict)
    locales: tuple[str, ...] = ()  # the repository's locales; empty: any language
    out_of_scope: str | None = None  # the out-of-scope intent, if the taxonomy has one
    # intent -> the intents whose questions its answer also answers, and each intent's floor
    also_answers: Mapping[str, frozenset[str]] = field(default_factory=dict)
    floors: Mapping[str, float] = field(default_factory=dict)

    def predict(self, text: str) -> Prediction:
        new = message_core(strip_quoted(text))
        return self._joined(self._checked(_with_language(self.backend.predict(new), new)))

    def predict_many(self, texts: Sequence[str]) -> list[Prediction]:
        new = [message_core(strip_quoted(t)) for t in texts]
        predictions = self.backend.predict_many(new)
        return [
            self._joined(self._checked(_with_language(p, t)))
            for p, t in zip(predictions, new, strict=True)
        ]

    def _joined(self, prediction: Prediction) -> Prediction:
        """The best two intents as one when the engine would not trust the best alone and
        one's answer also answers the other's question ("when will it come?" between order
        status and delivery date: the delivery date answer states both). Only a prediction
        the backend left as it scored it is joined: a gate that set the confidence stands."""
        if not self.also_answers or len(prediction.scores) < 2:
            return prediction
        (first, p1), (second, p2) = prediction.scores[:2]
        if prediction.intent != first or abs(prediction.confidence - p1) > 1e-9:
            return prediction
        if p1 >= self.floors.get(first, 1.0) and p1 - p2 >= self.min_margin:
            return prediction  # trusted alone
        if second in self.also_answers.get(first, ()):
            keep, other = first, second
        elif first in self.also_answers.get(second, ()):
            keep, other = second, first
        else:
            return prediction
        return dataclasses.replace(prediction, intent=keep, confidence=p1 + p2, joined=other)

    def _checked(self, prediction: Prediction) -> Prediction:
        language, scope = prediction.language, self.out_of_scope
        if scope is None or not self.locales or language is None or language in self.locales:
            return prediction
        scores = [(scope, 1.0), *((i, 0.0) for i, _ in prediction.scores if i != scope)]
        return dataclasses.replace(prediction, intent=scope, confidence=1.0, scores=scores)


def _with_language(prediction: Prediction, text: str) -> Prediction:
    if prediction.language is not None:
        return prediction
    return dataclasses.replace(prediction, language=detect_language(text))  # keeps subclasses


def confidence_floor(ruleset: Any, intent: Any) -> float:
    """The intent's own floor, else the repository's."""
    if intent is not None and intent.confidence_floor is not None:
        return float(intent.confidence_floor)
    return float(ruleset.settings.confidence_floor)


def training_set(ruleset: Any) -> TrainingSet:
    texts: list[str] = []
    labels: list[str] = []
    for intent_id in sorted(ruleset.intents):
        intent = ruleset.intents[intent_id]
        for source in (intent.examples, intent.keywords):
            for locale in sorted(source):
                for phrase in source[locale]:
                    texts.append(message_core(phrase))
                    labels.append(intent_id)
    return TrainingSet(tuple(texts), tuple(labels), tuple(sorted(ruleset.intents)))


def classifier_settings(ruleset: Any) -> dict[str, Any]:
    """`classifier:` of switchboard.yaml as plain data (keys left out there are left out)."""
    raw: Mapping[str, Any] = getattr(ruleset.settings, "classifier", None) or {}
    return {k: dict(v) if isinstance(v, Mapping) else v for k, v in raw.items()}


def train(
    ruleset: Any, cache_dir: str | Path | None = None, *, options: Mapping[str, Any] | None = None
) -> Classifier:
    """Train the configured backend on the ruleset's phrases, reusing a cached model if any.

    `options` replaces the repository's `classifier:` settings (backend name and its options).
    """
    _ensure_builtin()
    options = dict(options) if options is not None else classifier_settings(ruleset)
    name = str(options.pop("backend", DEFAULT_BACKEND))
    min_margin = float(options.pop("min_margin", DEFAULT_MIN_MARGIN))
    if name not in _REGISTRY:
        raise ValueError(f"unknown classifier backend {name!r}; known: {backend_names()}")
    data = training_set(ruleset)
    if not data.texts:
        raise ValueError("no intent has examples or keywords: nothing to train the classifier on")
    path = _cache_path(cache_dir, name, {**options, **_patterns(ruleset)}, data)
    backend = _read_cache(path) if path else None
    if backend is None:
        # A backend may need more than the phrases (routine flags, locales, its own cache).
        extra = {"ruleset": ruleset, "cache_dir": cache_dir}
        try:
            backend = _REGISTRY[name](data, {**options, **extra})
        except BackendUnavailableError as exc:
            log.warning(
                "classifier backend %s unavailable (%s); using %s", name, exc, FALLBACK_BACKEND
            )
            backend = _REGISTRY[FALLBACK_BACKEND](data, extra)
            path = None  # never store the stand-in under the real backend's key
        if path:
            _write_cache(path, backend)
    scope = next((i.id for i in ruleset.intents.values() if i.out_of_scope), None)
    locales = tuple(ruleset.settings.locales)
    also = {i.id: frozenset(i.also_answers) for i in ruleset.intents.values() if i.also_answers}
    floors = {i.id: confidence_floor(ruleset, i) for i in ruleset.intents.values()}
    return Classifier(backend, ruleset.revision, min_margin, options, locales, scope, also, floors)


def _patterns(ruleset: Any) -> dict[str, Any]:
    """Entity patterns shape some backends' features, so they are part of the cache key."""
    found = [
        (entity.id, pattern.regex, pattern.value)
        for entity in ruleset.entities.values()
        for pattern in entity.patterns
    ]
    return {"_entity_patterns": hashlib.sha256(repr(found).encode()).hexdigest()} if found else {}


def _cache_path(
    cache_dir: str | Path | None, name: str, options: Mapping[str, Any], data: TrainingSet
) -> Path | None:
    """Keyed by exactly what the model is trained from (not the revision), so a revision that
    leaves phrases, patterns and options alone reuses the model (docs/adr/0004)."""
    if cache_dir is None:
        return None
    import sklearn

    key = json.dumps(
        [_CACHE_FORMAT, name, sorted(options.items()), sklearn.__version__, data.digest()],
        default=str,
    )
    digest = hashlib.sha256(key.encode()).hexdigest()[:32]
    return Path(cache_dir) / f"classifier-{name}-{digest}.pickle"


# The cache holds only files this process wrote into its own cache directory, so unpickling
# them is as trusted as the code itself. Never point cache_dir at a shared or writable-by-others
# location: pickle runs code on load.
def _read_cache(path: Path) -> Backend | None:
    try:
        with path.open("rb") as handle:
            backend: Backend = pickle.load(handle)
    except FileNotFoundError:
        return None
    except Exception as exc:  # a truncated or stale file: retrain and overwrite
        log.warning("ignoring unreadable classifier cache %s: %s", path, exc)
        return None
    return backend


def _write_cache(path: Path, backend: Backend) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".classifier-", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as handle:
            pickle.dump(backend, handle, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
