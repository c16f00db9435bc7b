"""The `classifier:` block of switchboard.yaml, and the n-gram backend's quicker training.

The block is checked (schema, inquiry type names, options the chosen method ignores),
compiled into `Settings.classifier` and read by `classifier.train`. Training the n-gram
backend reuses the full feature matrix for the calibration folds; that must give exactly
the features, and so the temperature, that vectorisers of the folds' own would give.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from scipy.special import log_softmax
from sklearn.model_selection import StratifiedKFold

from engine_support import mini_ruleset
from repo_helpers import BASE, edit, write_files
from switchboard.engine import ngram
from switchboard.engine.classifier import classifier_settings, train, training_set
from switchboard.engine.embedding import CALIBRATED_THRESHOLD, CALIBRATED_WEIGHT
from switchboard.rules import load_ruleset
from switchboard.rules.model import Ruleset

SETTINGS = "switchboard.yaml"
ANCHOR = 'fri: "07:30-15:00"\n'


def with_block(block: str) -> dict[str, str]:
    return edit(SETTINGS, ANCHOR, ANCHOR + block)


def load(tmp_path: Path, files: dict[str, str], build_engine: bool = False) -> Ruleset:
    write_files(tmp_path, files)
    result = load_ruleset(tmp_path, build_engine=build_engine)
    assert result.ruleset is not None, result.errors
    return result.ruleset


def test_without_a_block_the_blend_of_embedding_and_ngram_is_trained(tmp_path: Path) -> None:
    ruleset = load(tmp_path, dict(BASE), build_engine=True)
    assert dict(ruleset.settings.classifier) == {}
    backend = ruleset.classifier.backend
    assert backend.name == "embedding"
    assert backend.ngram is not None and backend.ngram.name == "ngram"
    assert (backend.ngram_weight, backend.threshold) == (CALIBRATED_WEIGHT, CALIBRATED_THRESHOLD)
    assert ruleset.classifier.min_margin == 0.2


def test_the_block_is_compiled_as_written_and_trained_with(tmp_path: Path) -> None:
    block = "classifier:\n  backend: ngram\n  min_margin: 0.35\n"
    ruleset = load(tmp_path, with_block(block), build_engine=True)
    assert dict(ruleset.settings.classifier) == {"backend": "ngram", "min_margin": 0.35}
    assert ruleset.classifier.min_margin == 0.35
    assert ruleset.classifier.backend.name == "ngram"


def test_numbers_become_floats_and_nested_options_plain_data(tmp_path: Path) -> None:
    block = (
        "classifier:\n  backend: embedding\n  strict: true\n  threshold: 1\n"
        "  intent_thresholds: {order_status: 0}\n  min_margin: 0\n"
    )
    ruleset = load(tmp_path, with_block(block))
    options = classifier_settings(ruleset)
    assert options == {
        "backend": "embedding",
        "strict": True,
        "threshold": 1.0,
        "intent_thresholds": {"order_status": 0.0},
        "min_margin": 0.0,
    }
    assert type(options["intent_thresholds"]) is dict and type(options["threshold"]) is float


@pytest.mark.parametrize(
    ("block", "code", "pointer"),
    [
        ("classifier:\n  backend: bert\n", "not_allowed", "/classifier/backend"),
        ("classifier:\n  colour: blue\n", "unknown_field", "/classifier/colour"),
        ("classifier:\n  min_margin: -0.1\n", "out_of_range", "/classifier/min_margin"),
        ("classifier:\n  backend: embedding\n  threshold: 1.5\n", "out_of_range", None),
        ("classifier:\n  backend: embedding\n  strict: 1\n", "wrong_type", None),
        ("classifier: fast\n", "wrong_type", "/classifier"),
        (
            "classifier:\n  backend: embedding\n  intent_thresholds: {order_staus: 0.8}\n",
            "unknown_intent",
            "/classifier/intent_thresholds/order_staus",
        ),
        (
            "classifier:\n  backend: embedding\n  intent_thresholds: {Order-Status: 0.8}\n",
            "bad_name",
            "/classifier/intent_thresholds/Order-Status",
        ),
    ],
)
def test_a_bad_block_is_refused_with_a_clear_problem(
    tmp_path: Path, block: str, code: str, pointer: str | None
) -> None:
    write_files(tmp_path, with_block(block))
    result = load_ruleset(tmp_path, build_engine=False)
    assert result.ruleset is None
    (problem,) = result.errors
    assert problem.code == code and problem.file == SETTINGS
    assert problem.pointer == pointer or pointer is None
    assert problem.line > 1 and "classifier" in problem.message + problem.pointer


@pytest.mark.parametrize(
    ("block", "pointers"),
    [
        (
            "classifier:\n  backend: ngram\n  threshold: 0.8\n  strict: true\n"
            "  ngram_weight: 0.5\n",
            ["/threshold", "/strict", "/ngram_weight"],
        ),
        ("classifier:\n  threshold: 0.8\n  strict: true\n", []),  # the default embedding
        (
            "classifier:\n  backend: embedding\n  intent_thresholds: {complaint: 0.8}\n",
            ["/intent_thresholds/complaint"],
        ),
    ],
)
def test_options_that_change_nothing_are_warned_about(
    tmp_path: Path, block: str, pointers: list[str]
) -> None:
    write_files(tmp_path, with_block(block))
    result = load_ruleset(tmp_path, build_engine=False)
    assert result.ruleset is not None
    warnings = [p for p in result.problems if p.code == "unused_setting"]
    assert sorted(p.pointer for p in warnings) == sorted(f"/classifier{p}" for p in pointers)
    assert all(p.severity == "warning" for p in warnings)


# -- the n-gram backend's calibration folds --------------------------------------------


@pytest.fixture(scope="module")
def fitted() -> tuple[ngram.NgramBackend, list[str], np.ndarray]:
    ruleset = mini_ruleset()
    data = training_set(ruleset)
    backend = ngram.fit_backend(data, {"ruleset": ruleset})
    return backend, [backend.view(t) for t in data.texts], np.array(data.labels)


def folds(labels: np.ndarray) -> list[tuple[np.ndarray, np.ndarray]]:
    _, counts = np.unique(labels, return_counts=True)
    n = min(ngram._FOLDS, int(counts.min()))
    splitter = StratifiedKFold(n_splits=n, shuffle=True, random_state=7)
    return list(splitter.split(np.zeros(len(labels)), labels))


def test_fold_features_are_exactly_those_of_the_folds_own_vectorisers(
    fitted: tuple[ngram.NgramBackend, list[str], np.ndarray],
) -> None:
    backend, texts, labels = fitted
    matrix = backend.features.transform(texts).tocsr()
    names = list(backend.features.get_feature_names_out())
    for train_index, test_index in folds(labels):
        own = ngram._features().fit([texts[i] for i in train_index])
        column = {name: n for n, name in enumerate(names)}
        mapped = [column[name] for name in own.get_feature_names_out()]
        fold = ngram._Fold.of(matrix[train_index], backend.features)
        for index in (train_index, test_index):
            expected = own.transform([texts[i] for i in index]).toarray()
            got = fold.rows(matrix[index]).toarray()
            assert np.allclose(got[:, mapped], expected, atol=1e-12)
            rest = np.delete(got, mapped, axis=1)
            assert not rest.any()  # n-grams the fold never saw are left out


def test_the_temperature_is_the_one_separate_folds_would_give(
    fitted: tuple[ngram.NgramBackend, list[str], np.ndarray],
) -> None:
    backend, texts, labels = fitted
    logits = np.zeros((len(texts), len(backend.intents)))
    for train_index, test_index in folds(labels):
        own = ngram._features()
        matrix = own.fit_transform([texts[i] for i in train_index]).tocsr()
        model = backend._fitted(matrix, labels[train_index])
        logits[test_index] = ngram._logits(model, own.transform([texts[i] for i in test_index]))
    truth = np.array([backend.intents.index(label) for label in labels])
    losses = [
        -log_softmax(logits / t, axis=1)[np.arange(len(truth)), truth].mean()
        for t in ngram._TEMPERATURES
    ]
    assert backend.temperature == pytest.approx(ngram._TEMPERATURES[int(np.argmin(losses))])
    assert backend.temperature != 1.0  # calibrated, not the uncalibrated default


def test_the_widened_model_predicts_in_double_precision(
    fitted: tuple[ngram.NgramBackend, list[str], np.ndarray],
) -> None:
    backend, _, _ = fitted
    assert backend.model.coef_.dtype == np.float64
    assert backend.model.intercept_.dtype == np.float64
    ruleset = mini_ruleset()
    assert train(ruleset).predict("Has order SO4598765 shipped?").intent == "order_status"
