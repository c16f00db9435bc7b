"""The default classifier backend: TF-IDF word and character n-grams, logistic regression.

References the repository's entity patterns recognise become one token per entity
(`reforder_number`); the text is then normalised, case- and accent-folded and every other
digit run becomes `0`, so that numbers shape the features only by kind, never by value.
Probabilities are calibrated with one temperature fitted on cross-validated predictions of
the training phrases, so that "0.8" means roughly "right four times in five".

Training runs on every approved change, so it is kept to about a second for the demo's 800
phrases: Newton-CG reaches the optimum in a handful of steps where L-BFGS needed dozens over
the 280,000 weights (and stopped short of it), fitting runs in single precision, the
temperature comes from 3 folds, and the folds reuse the full feature matrix, rescaled to
exactly what vectorisers of their own would give, instead of analysing the texts again.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from itertools import compress
from typing import Any

import numpy as np
import scipy.sparse as sp
from scipy.special import log_softmax
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import StratifiedKFold
from sklearn.pipeline import FeatureUnion
from sklearn.preprocessing import normalize as unit_rows
from threadpoolctl import threadpool_limits

from switchboard.engine.classifier import Prediction, TrainingSet
from switchboard.engine.references import ReferenceMarker
from switchboard.engine.text import fold, normalize, transliterate_umlauts

_DIGITS = re.compile(r"\d+")
_FILLERS = re.compile(r"\b(?:uh|uhm|um|umm|erm|ah|ahm|hm|hmm|mhm)\b")
_SMALL_BATCH = 8  # up to this many texts, vectorise in Python: much faster than sklearn's call
_TEMPERATURES = np.geomspace(0.05, 20.0, 120)
_FOLDS = 3  # for the temperature; 5 gave the same one on the demo, in 50 % more time
# C: 40 had the best cross-validated accuracy and log loss on the demo's phrases once the
# solver reached the optimum (L-BFGS used to stop short of it, which favoured 20).
DEFAULTS: dict[str, Any] = {"c": 40.0, "class_weight": "balanced", "calibrate": True}


def prepare(text: str) -> str:
    """The feature view of a text: normalised, folded, umlaut digraphs unified, digits as 0,
    hesitation sounds of phone transcripts ("uh", "ähm") left out."""
    folded = _FILLERS.sub(" ", fold(normalize(text)))
    return _DIGITS.sub("0", transliterate_umlauts(folded))


def _features() -> FeatureUnion:
    words = TfidfVectorizer(
        analyzer="word",
        ngram_range=(1, 2),
        token_pattern=r"(?u)\b\w+\b",
        lowercase=False,
        sublinear_tf=True,
    )
    chars = TfidfVectorizer(
        analyzer="char_wb", ngram_range=(2, 5), lowercase=False, sublinear_tf=True
    )
    return FeatureUnion([("words", words), ("chars", chars)])


def _softmax(logits: np.ndarray) -> np.ndarray:
    """Row-wise softmax; scipy's costs more per call than the arithmetic on a dozen intents."""
    exp = np.exp(logits - logits.max(axis=1, keepdims=True))
    return np.asarray(exp / exp.sum(axis=1, keepdims=True))


def _logits(model: LogisticRegression, matrix: Any) -> np.ndarray:
    logits = np.asarray(model.decision_function(matrix))
    if logits.ndim == 1:  # two classes: sklearn gives the second class's log-odds only
        logits = np.column_stack([np.zeros_like(logits), logits])
    return logits


def fitted_temperature(
    labels: np.ndarray,
    intents: Sequence[str],
    fold_model: Callable[[np.ndarray, np.ndarray], tuple[LogisticRegression, Any]],
) -> float:
    """The temperature that minimises the log loss of out-of-fold predictions.

    `fold_model(train, test)` gives a model fitted on the `train` rows and the feature matrix
    of the `test` rows. Every class has at least as many rows as there are folds, so every
    fold model has the full model's classes, in the same order.
    """
    _, counts = np.unique(labels, return_counts=True)
    folds = int(min(_FOLDS, counts.min()))
    if folds < 2 or len(counts) < 2:
        return 1.0
    logits = np.zeros((len(labels), len(intents)))
    splitter = StratifiedKFold(n_splits=folds, shuffle=True, random_state=7)
    for train_index, test_index in splitter.split(np.zeros(len(labels)), labels):
        model, test_rows = fold_model(train_index, test_index)
        logits[test_index] = _logits(model, test_rows)
    truth = np.array([list(intents).index(str(label)) for label in labels])
    losses = [
        -log_softmax(logits / t, axis=1)[np.arange(len(truth)), truth].mean() for t in _TEMPERATURES
    ]
    return float(_TEMPERATURES[int(np.argmin(losses))])


class _Fold:
    """The features that vectorisers fitted on one fold's training rows alone would give,
    computed from the full feature matrix instead of analysing the texts again.

    An entry is tf-weight * idf / row length; multiplying each column by the ratio of the
    fold's idf to the full idf (0 for an n-gram the fold never saw) and scaling each block
    (words, characters) of the row back to unit length gives exactly the fold's entry.
    """

    def __init__(self, ratios: list[tuple[int, int, np.ndarray]]) -> None:
        self.ratios = ratios  # per block: first column, end column, idf ratio per column

    @classmethod
    def of(cls, train: sp.csr_matrix, features: FeatureUnion) -> _Fold:
        documents, ratios, start = train.shape[0], [], 0
        for _, vectorizer in features.transformer_list:
            end = start + len(vectorizer.idf_)
            frequency = train[:, start:end].getnnz(axis=0)
            idf = np.log((1 + documents) / (1 + frequency)) + 1  # sklearn's smoothed idf
            ratios.append((start, end, np.where(frequency > 0, idf, 0.0) / vectorizer.idf_))
            start = end
        return cls(ratios)

    def rows(self, rows: sp.csr_matrix) -> sp.csr_matrix:
        blocks = []
        for start, end, ratio in self.ratios:
            block = sp.csr_matrix(rows[:, start:end].multiply(ratio))
            block.eliminate_zeros()
            blocks.append(unit_rows(block))
        return sp.csr_matrix(sp.hstack(blocks, format="csr"))


class NgramBackend:
    name = "ngram"

    def __init__(self, options: Mapping[str, Any]) -> None:
        settings = {**DEFAULTS, **options}
        self.c = float(settings["c"])
        self.class_weight = settings["class_weight"]
        self.calibrate = bool(settings["calibrate"])
        self.temperature = 1.0
        self.features = _features()
        self.model = LogisticRegression()  # replaced by the fitted one
        self.intents: tuple[str, ...] = ()
        self.references = ReferenceMarker.from_ruleset(options.get("ruleset"))

    def view(self, text: str) -> str:
        """What the features are computed from: references marked, then `prepare`d."""
        return prepare(self.references.mark(text))

    def _fitted(self, matrix: sp.csr_matrix, labels: np.ndarray) -> LogisticRegression:
        """A model fitted in single precision, which halves the time of every step, with its
        weights widened back to double so that predicting is the same as before."""
        model = LogisticRegression(
            C=self.c, class_weight=self.class_weight, solver="newton-cg", max_iter=1000
        )
        model.fit(matrix.astype(np.float32), labels)
        model.coef_ = model.coef_.astype(np.float64)
        model.intercept_ = model.intercept_.astype(np.float64)
        return model

    def fit(self, data: TrainingSet) -> NgramBackend:
        # One thread: the problem is small, and BLAS/OpenMP threads fighting over a busy
        # machine's cores made fitting several times slower, not faster.
        with threadpool_limits(limits=1):
            return self._fit(data)

    def _fit(self, data: TrainingSet) -> NgramBackend:
        texts = [self.view(t) for t in data.texts]
        labels = np.array(data.labels)
        matrix = self.features.fit_transform(texts).tocsr()
        self.model = self._fitted(matrix, labels)
        self.intents = tuple(str(c) for c in self.model.classes_)
        if self.calibrate:
            self.temperature = self._fit_temperature(matrix, labels)
        return self

    def _fit_temperature(self, matrix: sp.csr_matrix, labels: np.ndarray) -> float:
        def fold_model(train: np.ndarray, test: np.ndarray) -> tuple[LogisticRegression, Any]:
            fold = _Fold.of(matrix[train], self.features)
            return self._fitted(fold.rows(matrix[train]), labels[train]), fold.rows(matrix[test])

        return fitted_temperature(labels, self.intents, fold_model)

    def probabilities(self, texts: Sequence[str]) -> np.ndarray:
        if len(texts) <= _SMALL_BATCH:
            logits = np.vstack([self._single_logits(self.view(t)) for t in texts])
        else:
            logits = _logits(self.model, self.features.transform([self.view(t) for t in texts]))
        return _softmax(logits / self.temperature)

    def _single_logits(self, prepared: str) -> np.ndarray:
        """The logits of one text without sklearn's per-call overhead (same arithmetic).

        The loops over a text's n-grams run in C (`map`, `compress`, numpy); a Python loop
        over them was most of a decision's time.
        """
        columns: list[np.ndarray] = []
        weights: list[np.ndarray] = []
        offset = 0
        for analyze, vocabulary, idf in self._fast_parts():
            counts = Counter(analyze(prepared))
            indexes = list(map(vocabulary.get, counts))
            known = [index is not None for index in indexes]
            found = np.fromiter(compress(indexes, known), dtype=np.intp)
            if found.size:
                tf = np.fromiter(compress(counts.values(), known), dtype=np.float64)
                weight = (1.0 + np.log(tf)) * idf[found]
                weights.append(weight / (math.sqrt(float(weight @ weight)) or 1.0))
                columns.append(found + offset)
            offset += len(vocabulary)
        if columns:
            rows = np.concatenate(columns)
            logits = np.concatenate(weights) @ self._coef_rows()[rows] + self.model.intercept_
        else:
            logits = np.array(self.model.intercept_, dtype=np.float64)
        if logits.shape[0] == 1:
            logits = np.array([0.0, logits[0]])
        return logits

    def _fast_parts(self) -> list[tuple[Any, dict[str, int], np.ndarray]]:
        parts = self.__dict__.get("_parts")
        if parts is None:
            parts = [
                (vec.build_analyzer(), vec.vocabulary_, vec.idf_)
                for _, vec in self.features.transformer_list
            ]
            self.__dict__["_parts"] = parts
        return parts

    def _coef_rows(self) -> np.ndarray:
        rows = self.__dict__.get("_rows")
        if rows is None:
            rows = self.__dict__["_rows"] = np.ascontiguousarray(self.model.coef_.T)
        return rows

    def __getstate__(self) -> dict[str, Any]:
        state = dict(self.__dict__)
        state.pop("_parts", None)  # derived from the vectorizers and the model after loading
        state.pop("_rows", None)
        return state

    def predict(self, text: str) -> Prediction:
        return self.predict_many([text])[0]

    def predict_many(self, texts: Sequence[str]) -> list[Prediction]:
        if not texts:
            return []
        result = []
        for row in self.probabilities(texts):
            order = np.argsort(-row)
            scores = [(self.intents[i], float(row[i])) for i in order]
            result.append(Prediction(scores[0][0], scores[0][1], scores))
        return result


def fit_backend(data: TrainingSet, options: Mapping[str, Any]) -> NgramBackend:
    if len(set(data.labels)) < 2:
        raise ValueError("the classifier needs phrases for at least two intents")
    return NgramBackend(options).fit(data)
