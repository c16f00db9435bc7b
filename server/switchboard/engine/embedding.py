"""The `embedding` classifier backend: a sentence-embedding model with a nearest-example gate.

Every example phrase of the taxonomy is embedded once (see `_example_vectors`); a logistic
regression on those vectors names the intent and gives calibrated probabilities, so the
engine's confidence floor and margin mean what they mean for the n-gram backend.

A routine intent is only kept when the text's nearest example belongs to that same intent,
the cosine similarity to it clears the intent's threshold (`threshold` for the repository,
`intent_thresholds` per intent) and the text is in one of the repository's locales.
Otherwise the prediction becomes the out-of-scope intent with confidence 0, which the engine
hands to a person: an inquiry unlike anything the taxonomy knows is never answered. Intents
that are not routine go to people anyway and keep their name, so they reach the right queue.

With `strict: true` an n-gram model is trained alongside, and the prediction keeps its
confidence only when both backends name the same intent.

Options (switchboard.yaml, `classifier: {backend: embedding, ...}`): see `DEFAULTS`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

import numpy as np
from sklearn.linear_model import LogisticRegression

from switchboard.engine._example_vectors import ExampleSet, example_vectors, examples_of
from switchboard.engine._onnx_model import Encoder, shared_encoder
from switchboard.engine.classifier import Backend, Prediction, TrainingSet
from switchboard.engine.language import detect_language
from switchboard.engine.text import fold, words

NAME = "embedding"
DEFAULTS: dict[str, Any] = {
    "threshold": None,  # cosine; None takes the calibrated value below for the mode
    "intent_thresholds": {},  # routine intent id -> cosine, overrides `threshold`
    "strict": False,  # automate only when the n-gram backend names the same intent
}
# Calibrated by bench/eval_embedding.py on tests/data/dev_inquiries.jsonl: the best routine
# recall with at most 0.5 % of non-routine inquiries automated and 98 % of answers right.
CALIBRATED_THRESHOLD = {False: 0.80, True: 0.66}  # by `strict`
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
    ) -> None:
        self.encoder = encoder
        self.model_digest = encoder.digest
        self.vectors = vectors
        self.labels = np.array(examples.labels)
        self.routine = routine
        self.locales = tuple(locales)
        self.vocabulary = vocabulary_of(examples.texts)
        self.out_of_scope = out_of_scope
        self.threshold = threshold
        self.intent_thresholds = dict(intent_thresholds)
        self.model = LogisticRegression(
            C=_REGULARISATION, class_weight="balanced", max_iter=5000
        ).fit(vectors, self.labels)
        self.intents = tuple(str(c) for c in self.model.classes_)

    def threshold_for(self, intent: str) -> float:
        return float(self.intent_thresholds.get(intent, self.threshold))

    def predict(self, text: str) -> EmbeddingPrediction:
        vector = self.encoder.encode(text)
        probabilities = self.model.predict_proba(vector[None, :])[0]
        cosine = self.vectors @ vector
        nearest = {intent: float(cosine[self.labels == intent].max()) for intent in self.intents}
        order = np.argsort(-probabilities, kind="stable")
        top = self.intents[order[0]]
        language, covered = language_of(text, self.locales, self.vocabulary)
        handoff = None
        if not covered:
            handoff = "language"
        elif top in self.routine and (
            max(nearest, key=nearest.__getitem__) != top or nearest[top] < self.threshold_for(top)
        ):
            handoff = "unlike_examples"
        return EmbeddingPrediction(
            intent=(self.out_of_scope or top) if handoff else top,
            confidence=0.0 if handoff else float(probabilities[order[0]]),
            scores=[(self.intents[i], float(probabilities[i])) for i in order],
            language=language,
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


class StrictBackend:
    """The embedding prediction, kept only when the n-gram backend names the same intent."""

    name = NAME

    def __init__(self, embedding: EmbeddingBackend, ngram: Backend) -> None:
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


def fit_backend(data: TrainingSet, options: Mapping[str, Any]) -> Backend:
    """The registry's factory. `options` carries the `ruleset` (and `cache_dir`) being built."""
    settings = {**DEFAULTS, **options}
    ruleset = settings.pop("ruleset", None)
    cache_dir = settings.pop("cache_dir", None)
    if ruleset is None:
        raise ValueError("the embedding backend is built from a ruleset; none was given")
    examples = examples_of(ruleset)
    if len(set(examples.labels)) < 2:
        raise ValueError("the embedding classifier needs examples for at least two intents")
    encoder = shared_encoder()
    backend = EmbeddingBackend(
        encoder,
        examples,
        example_vectors(examples, encoder, cache_dir),
        routine=frozenset(i.id for i in ruleset.intents.values() if i.routine),
        locales=tuple(ruleset.settings.locales),
        out_of_scope=next((i.id for i in ruleset.intents.values() if i.out_of_scope), None),
        **_gate_options(settings, ruleset.intents),
    )
    if not settings["strict"]:
        return backend
    from switchboard.engine import ngram

    ngram_options = {k: v for k, v in settings.items() if k not in DEFAULTS}
    return StrictBackend(backend, ngram.fit_backend(data, ngram_options))


def _gate_options(settings: Mapping[str, Any], intents: Mapping[str, Any]) -> dict[str, Any]:
    if not isinstance(settings["strict"], bool):
        raise ValueError(f"classifier.strict must be true or false, not {settings['strict']!r}")
    threshold = settings["threshold"]
    if threshold is None:
        threshold = CALIBRATED_THRESHOLD[settings["strict"]]
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
