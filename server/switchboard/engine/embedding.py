"""The `embedding` classifier backend: a sentence-embedding model, blended with the n-gram
model, behind an out-of-scope gate. The default backend.

Every phrase of the taxonomy is embedded once (see `_example_vectors`). A logistic regression
on those vectors gives a score per intent, with one temperature fitted on cross-validated
predictions so that its probabilities are calibrated like the n-gram backend's and the
engine's confidence floor and margin keep their meaning. By default its log-probabilities are
blended with the n-gram model's (`ngram_weight`): the embedding recognises phrasing unlike
the examples, the n-gram model the order desk's own words and reference formats; on our
inquiry sets the blend answers as often as the n-gram model alone and more precisely, where
the embedding alone answered a fifth less (docs/adr/0005-embedding-model.md).

A routine intent is only kept when the cosine similarity of the text to that intent's nearest
example clears the intent's threshold (`threshold` for the repository, `intent_thresholds`
per intent) and the text is in one of the repository's locales. Otherwise the prediction
becomes the out-of-scope intent with confidence 0, which the engine hands to a person: an
inquiry unlike anything the taxonomy knows is never answered. Intents that are not routine go
to people anyway and keep their name, so they reach the right queue.

With `strict: true` the prediction keeps its confidence only when the n-gram model alone
names the same intent.

Options (switchboard.yaml, `classifier: {backend: embedding, ...}`): see `DEFAULTS`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

import numpy as np
from scipy.special import log_softmax
from sklearn.linear_model import LogisticRegression

from switchboard.engine._example_vectors import ExampleSet, example_vectors, examples_of
from switchboard.engine._onnx_model import Encoder, shared_encoder
from switchboard.engine._onnx_model import set_memo_entries as set_memo_entries  # for the server
from switchboard.engine.classifier import Prediction, TrainingSet
from switchboard.engine.language import detect_language
from switchboard.engine.ngram import NgramBackend, fitted_temperature
from switchboard.engine.text import fold, words

NAME = "embedding"
DEFAULTS: dict[str, Any] = {
    "threshold": None,  # cosine; None takes CALIBRATED_THRESHOLD
    "intent_thresholds": {},  # routine intent id -> cosine, overrides `threshold`
    "strict": False,  # automate only when the n-gram model alone names the same intent
    "ngram_weight": None,  # share of the n-gram model in the blend; None: CALIBRATED_WEIGHT
}
# Chosen by bench/eval_embedding.py through the whole engine on the four labelled inquiry
# sets of tests/data: the lowest similarity and the n-gram share with the best routine
# recall at no leak and the best precision. Below 0.4 the gate stops nothing the rules do
# not; above it, it starts to cost routine answers.
CALIBRATED_THRESHOLD = 0.40
CALIBRATED_WEIGHT = 0.6
# A text of at least this many words, less than this share of them common English or German
# words or words of the examples, is taken to be in another language.
MIN_WORDS_FOR_LANGUAGE = 4
MIN_KNOWN_SHARE = 0.25
_REGULARISATION = 10.0  # C of the logistic regression; chosen on the dev set


class StaleModelError(RuntimeError):
    """A stored backend was built with another model than the one installed."""


@dataclass(frozen=True, slots=True)
class EmbeddingPrediction(Prediction):
    similarities: tuple[tuple[str, float], ...] = ()  # nearest-example cosine per intent
    handoff: str | None = None  # why confidence is 0: language, unlike_examples, disagreement


class EmbeddingBackend:
    name = NAME

    def __init__(
        self,
        encoder: Encoder,
        examples: ExampleSet,
        vectors: np.ndarray,
        *,
        routine: frozenset[str],
        locales: Sequence[str],
        out_of_scope: str | None,
        threshold: float,
        intent_thresholds: Mapping[str, float],
        ngram: NgramBackend | None = None,
        ngram_weight: float = 0.0,
    ) -> None:
        self.encoder = encoder
        self.model_digest = encoder.digest
        labels = np.array(examples.labels)
        anchor = np.array(examples.anchor, dtype=bool)
        self.routine = routine
        self.locales = tuple(locales)
        self.vocabulary = vocabulary_of(examples.texts)
        self.out_of_scope = out_of_scope
        self.threshold = threshold
        self.intent_thresholds = dict(intent_thresholds)
        self.model = _regression().fit(vectors, labels)
        self.intents = tuple(str(c) for c in self.model.classes_)
        self.temperature = _temperature(vectors, labels, self.intents)
        # the gate's anchors: example phrases only, grouped by intent
        self.anchors = {
            intent: vectors[anchor & (labels == intent)]
            for intent in self.intents
            if (anchor & (labels == intent)).any()
        }
        self.ngram = ngram if ngram_weight > 0 else None
        self.ngram_weight = ngram_weight if self.ngram is not None else 0.0
        if self.ngram is not None:
            self._ngram_columns = np.array([self.ngram.intents.index(i) for i in self.intents])

    def threshold_for(self, intent: str) -> float:
        return float(self.intent_thresholds.get(intent, self.threshold))

    def log_probabilities(self, text: str, vector: np.ndarray) -> np.ndarray:
        """Per intent (in `intents` order): the embedding model's calibrated log-probability,
        blended with the n-gram model's when it has a share."""
        logits = np.asarray(self.model.decision_function(vector[None, :]))[0] / self.temperature
        scores = log_softmax(logits)
        if self.ngram is not None:
            other = self.ngram.probabilities([text])[0][self._ngram_columns]
            scores = (1 - self.ngram_weight) * scores + self.ngram_weight * np.log(
                np.maximum(other, 1e-12)
            )
        return np.asarray(scores - np.logaddexp.reduce(scores))

    def predict(self, text: str) -> EmbeddingPrediction:
        vector = self.encoder.encode(text)
        probabilities = np.exp(self.log_probabilities(text, vector))
        nearest = {i: float((rows @ vector).max()) for i, rows in self.anchors.items()}
        order = np.argsort(-probabilities, kind="stable")
        top = self.intents[order[0]]
        language, covered = language_of(text, self.locales, self.vocabulary)
        handoff = None
        if not covered:
            handoff = "language"
        elif top in self.routine and nearest.get(top, -1.0) < self.threshold_for(top):
            handoff = "unlike_examples"
        return EmbeddingPrediction(
            intent=(self.out_of_scope or top) if handoff else top,
            confidence=0.0 if handoff else float(probabilities[order[0]]),
            scores=[(self.intents[i], float(probabilities[i])) for i in order],
            language=language,
            similarity=nearest.get(top),
            similarities=tuple(sorted(nearest.items(), key=lambda item: -item[1])),
            handoff=handoff,
        )

    def predict_many(self, texts: Sequence[str]) -> list[Prediction]:
        return [self.predict(text) for text in texts]

    # -- pickling (the classifier cache): the session is process state, not data ---------

    def __getstate__(self) -> dict[str, Any]:
        state = dict(self.__dict__)
        del state["encoder"]
        return state

    def __setstate__(self, state: dict[str, Any]) -> None:
        encoder = shared_encoder()
        if encoder.digest != state["model_digest"]:
            raise StaleModelError("the stored embedding classifier was built with another model")
        self.__dict__.update(state)
        self.encoder = encoder


def _regression() -> LogisticRegression:
    return LogisticRegression(C=_REGULARISATION, class_weight="balanced", max_iter=5000)


def _temperature(vectors: np.ndarray, labels: np.ndarray, intents: tuple[str, ...]) -> float:
    """A logistic regression on a few hundred unit vectors is far less sure of itself than it
    is right: one temperature, fitted out of fold, calibrates it."""

    def fold_model(train: np.ndarray, test: np.ndarray) -> tuple[LogisticRegression, np.ndarray]:
        return _regression().fit(vectors[train], labels[train]), vectors[test]

    return fitted_temperature(labels, intents, fold_model)


class StrictBackend:
    """The embedding prediction, kept only when the n-gram model names the same intent."""

    name = NAME

    def __init__(self, embedding: EmbeddingBackend, ngram: NgramBackend) -> None:
        self.embedding = embedding
        self.ngram = ngram

    def predict(self, text: str) -> EmbeddingPrediction:
        prediction = self.embedding.predict(text)
        if prediction.handoff:
            return prediction
        other = self.ngram.predict(text)
        if other.intent != prediction.intent:
            return replace(prediction, confidence=0.0, handoff="disagreement")
        return replace(prediction, confidence=min(prediction.confidence, other.confidence))

    def predict_many(self, texts: Sequence[str]) -> list[Prediction]:
        return [self.predict(text) for text in texts]


def language_of(
    text: str, locales: Sequence[str], vocabulary: frozenset[str] = frozenset()
) -> tuple[str | None, bool]:
    """The detected language, and whether the repository can be said to cover the text.

    A text of several words of which few are common English or German words or words of
    the taxonomy's examples (`vocabulary`, folded) is in another language (French, Polish,
    ...), whatever a stray "me" or "a" suggests. A text too short to tell ("SO4500123?") is
    judged by its similarity alone.
    """
    tokens = [word for word in words(fold(text)) if word.isalpha()]
    known = sum(1 for word in tokens if word in vocabulary or detect_language(word) is not None)
    if len(tokens) >= MIN_WORDS_FOR_LANGUAGE and known < MIN_KNOWN_SHARE * len(tokens):
        return None, False
    language = detect_language(text)
    return language, language is None or not locales or language in locales


def vocabulary_of(texts: Sequence[str]) -> frozenset[str]:
    return frozenset(word for text in texts for word in words(fold(text)) if word.isalpha())


def fit_backend(data: TrainingSet, options: Mapping[str, Any]) -> EmbeddingBackend | StrictBackend:
    """The registry's factory. `options` carries the `ruleset` (and `cache_dir`) being built."""
    from switchboard.engine import ngram

    settings = {**DEFAULTS, **options}
    ruleset = settings.pop("ruleset", None)
    cache_dir = settings.pop("cache_dir", None)
    if ruleset is None:
        raise ValueError("the embedding backend is built from a ruleset; none was given")
    examples = examples_of(ruleset)
    if len(set(examples.labels)) < 2:
        raise ValueError("the embedding classifier needs examples for at least two intents")
    gate = _gate_options(settings, ruleset.intents)
    weight = _share("ngram_weight", settings["ngram_weight"], CALIBRATED_WEIGHT)
    ngram_options = {k: v for k, v in settings.items() if k not in DEFAULTS}
    words_model = (
        ngram.fit_backend(data, {**ngram_options, "ruleset": ruleset})
        if weight > 0 or settings["strict"]
        else None
    )
    encoder = shared_encoder()
    backend = EmbeddingBackend(
        encoder,
        examples,
        example_vectors(examples, encoder, cache_dir),
        routine=frozenset(i.id for i in ruleset.intents.values() if i.routine),
        locales=tuple(ruleset.settings.locales),
        out_of_scope=next((i.id for i in ruleset.intents.values() if i.out_of_scope), None),
        ngram=words_model,
        ngram_weight=weight,
        **gate,
    )
    if not settings["strict"]:
        return backend
    assert words_model is not None
    return StrictBackend(backend, words_model)


def _share(name: str, value: Any, default: float) -> float:
    if value is None:
        return default
    if isinstance(value, bool) or not isinstance(value, int | float) or not 0 <= value < 1:
        raise ValueError(f"classifier.{name} must be a number from 0 to below 1, not {value!r}")
    return float(value)


def _gate_options(settings: Mapping[str, Any], intents: Mapping[str, Any]) -> dict[str, Any]:
    if not isinstance(settings["strict"], bool):
        raise ValueError(f"classifier.strict must be true or false, not {settings['strict']!r}")
    threshold = settings["threshold"]
    if threshold is None:
        threshold = CALIBRATED_THRESHOLD
    threshold = _cosine("threshold", threshold)
    per_intent = settings["intent_thresholds"] or {}
    if not isinstance(per_intent, Mapping):
        raise ValueError("classifier.intent_thresholds must map intent ids to numbers")
    unknown = sorted(set(per_intent) - set(intents))
    if unknown:
        raise ValueError(f"classifier.intent_thresholds names unknown intents: {unknown}")
    return {
        "threshold": threshold,
        "intent_thresholds": {
            str(k): _cosine(f"intent_thresholds.{k}", v) for k, v in per_intent.items()
        },
    }


def _cosine(name: str, value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not -1 <= value <= 1:
        raise ValueError(f"classifier.{name} must be a cosine similarity in [-1, 1], not {value!r}")
    return float(value)
