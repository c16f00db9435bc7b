"""The classifier: training, calibration, batching, the on-disk cache, the backend registry,
language detection and quoted replies."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import pytest

from engine_support import EXAMPLES, ScriptedBackend, demo_ruleset, mini_ruleset
from switchboard.engine.classifier import (
    Classifier,
    Prediction,
    TrainingSet,
    backend_names,
    register_backend,
    train,
    training_set,
)
from switchboard.engine.language import detect_language
from switchboard.engine.ngram import prepare
from switchboard.engine.text import message_core, strip_quoted
from switchboard.rules.model import Ruleset


@pytest.fixture(scope="module")
def ruleset() -> Ruleset:
    return mini_ruleset()


@pytest.mark.parametrize(
    ("text", "intent"),
    [
        ("Has order SO4598765 been shipped already?", "order_status"),
        ("Ist der Auftrag SO4598765 schon versendet?", "order_status"),
        ("Can you send me a copy of invoice INV26009876?", "invoice"),
        ("We are really unhappy, the delivery was late again.", "complaint"),
        ("Please take me off your newsletter list", "out_of_scope"),
    ],
)
def test_predicts_the_intent_with_probabilities_for_every_intent(
    ruleset: Ruleset, text: str, intent: str
) -> None:
    prediction = ruleset.classifier.predict(text)
    assert prediction.intent == intent
    assert prediction.confidence == prediction.scores[0][1]
    assert {name for name, _ in prediction.scores} == set(ruleset.intents)
    assert sum(p for _, p in prediction.scores) == pytest.approx(1.0)
    assert [p for _, p in prediction.scores] == sorted(
        (p for _, p in prediction.scores), reverse=True
    )


def test_batch_and_single_predictions_agree(ruleset: Ruleset) -> None:
    texts = [t for phrases in EXAMPLES["invoice"].values() for t in phrases] + ["", "?"] * 5
    single = [ruleset.classifier.predict(t) for t in texts]
    batch = ruleset.classifier.predict_many(texts)
    assert len(batch) > 8  # large enough for the vectorised path
    for one, many in zip(single, batch, strict=True):
        assert one.intent == many.intent
        assert one.confidence == pytest.approx(many.confidence, abs=1e-9)


def test_numbers_do_not_become_features() -> None:
    assert prepare("Order SO4500123 and SO 4599-999, 12 Stück") == "order so0 and so 0-0, 0 stuck"
    assert prepare("Rückgabe") == prepare("Rueckgabe") == "ruckgabe"


def test_training_set_holds_examples_and_keywords_of_every_locale(ruleset: Ruleset) -> None:
    data = training_set(ruleset)
    assert "Auftragsstatus" in data.texts and "Is invoice INV26002222 already paid?" in data.texts
    assert set(data.labels) == set(ruleset.intents)
    assert data.intents == tuple(sorted(ruleset.intents))


def test_cache_is_reused_for_the_same_phrases_across_revisions(ruleset: Ruleset, tmp_path: Path):
    first = train(ruleset, tmp_path)
    files = list(tmp_path.glob("classifier-*.pickle"))
    assert len(files) == 1
    stamp = files[0].stat().st_mtime_ns
    second = train(dataclasses.replace(ruleset, revision="f" * 40), tmp_path)
    assert files[0].stat().st_mtime_ns == stamp
    assert list(tmp_path.glob("classifier-*.pickle")) == files
    text = "where is SO4500123"
    assert first.predict(text) == second.predict(text)

    changed = dict(ruleset.intents)
    changed["invoice"] = dataclasses.replace(
        changed["invoice"], examples={"en": ("Invoice copy please",)}
    )
    train(dataclasses.replace(ruleset, intents=changed), tmp_path)
    assert len(list(tmp_path.glob("classifier-*.pickle"))) == 2


def test_unreadable_cache_file_is_replaced(ruleset: Ruleset, tmp_path: Path) -> None:
    train(ruleset, tmp_path)
    (path,) = tmp_path.glob("classifier-*.pickle")
    path.write_bytes(b"not a model")
    retrained = train(ruleset, tmp_path)
    assert retrained.predict("Is invoice INV26001234 paid?").intent == "invoice"
    assert path.read_bytes() != b"not a model"


class KeywordBackend:
    """A second backend, as a plug-in would register one."""

    name = "keywords"

    def __init__(self, data: TrainingSet) -> None:
        self.intents = data.intents

    def predict(self, text: str) -> Prediction:
        return self.predict_many([text])[0]

    def predict_many(self, texts: Sequence[str]) -> list[Prediction]:
        result = []
        for text in texts:
            intent = "invoice" if "invoice" in text.lower() else "out_of_scope"
            rest = [(i, 0.0) for i in self.intents if i != intent]
            result.append(Prediction(intent, 1.0, [(intent, 1.0), *rest]))
        return result


def test_backends_are_chosen_by_name(ruleset: Ruleset) -> None:
    def factory(data: TrainingSet, options: Mapping[str, Any]) -> KeywordBackend:
        assert options["strict"] is True and "min_margin" not in options
        return KeywordBackend(data)

    register_backend("keywords", factory)
    assert {"ngram", "keywords"} <= set(backend_names())
    model = train(ruleset, options={"backend": "keywords", "strict": True, "min_margin": 0.5})
    assert model.min_margin == 0.5
    prediction = model.predict("Wo ist die invoice?")
    assert prediction.intent == "invoice" and prediction.language == "de"
    with pytest.raises(ValueError, match="unknown classifier backend 'nope'"):
        train(ruleset, options={"backend": "nope"})


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("Where is my order SO4500123?", "en"),
        ("Wo bleibt unsere Bestellung?", "de"),
        ("Guten Tag, wann kommt die Ware?", "de"),
        ("Bonjour, où en est notre commande SO4500123 ? Merci", "fr"),
        ("Buenos días, ¿cuándo llega el pedido?", "es"),
        ("Goedemorgen, wanneer wordt de bestelling geleverd?", "nl"),
        ("SO4500123", None),
        ("Hello, this is Sanne de Wit from Van Dijk, where is our order?", "en"),
    ],
)
def test_language(text: str, language: str | None) -> None:
    assert detect_language(text) == language


def test_quoted_earlier_messages_are_not_classified(ruleset: Ruleset) -> None:
    reply = "Thanks, all good!\n\n> Your order SO4500123 has been shipped.\n> Order status: shipped"
    assert strip_quoted(reply) == "Thanks, all good!"
    header = "Danke!\nAm 01.12.2026 um 10:00 schrieb Auftragsservice <a@nordwerk.example>:\nalt"
    assert strip_quoted(header) == "Danke!"
    assert strip_quoted("> only a quote") == "> only a quote"
    assert ruleset.classifier.predict(reply).intent != "order_status"


@pytest.mark.parametrize(
    ("text", "core"),
    [
        (
            "Hello order desk,\n\nhas SO4500871 shipped?\n\nKind regards\nMartin Hollis\nCalder",
            "has SO4500871 shipped?",
        ),
        (
            "Sehr geehrte Damen und Herren,\nwann kommt SO4500123?\nMit freundlichen Grüßen\nK. M.",
            "wann kommt SO4500123?",
        ),
        ("Wann kommt SO4500123?\n\nVon meinem iPhone gesendet", "Wann kommt SO4500123?"),
        ("Thanks!", "Thanks!"),  # nothing would remain: the text as it is
        ("Hi, where is SO4500123? Best, Ann", "Hi, where is SO4500123? Best, Ann"),  # one line
        (
            "Status of SO4500123 please.\n--\nJane Miller | Purchasing\nProblems? Call us",
            "Status of SO4500123 please.",
        ),
        (
            "when will SO4500123 be delivered?\nTom\n\nCONFIDENTIALITY NOTICE: This e-mail may "
            "contain confidential information. If received in error, delete it.",
            "when will SO4500123 be delivered?\nTom",
        ),
        (
            "wann wird SO4500123 geliefert?\nDiese E-Mail enthält vertrauliche Informationen. "
            "Wenn Sie sie irrtümlich erhalten haben, löschen Sie sie.",
            "wann wird SO4500123 geliefert?",
        ),
        (
            "Is INV26004512 paid?\nThis message is intended only for the addressee.",
            "Is INV26004512 paid?",
        ),
        (  # a notice-like phrase inside the question itself is kept
            "Is this message about SO4500123 confidential? We were told so.",
            "Is this message about SO4500123 confidential? We were told so.",
        ),
    ],
)
def test_greeting_and_signature_are_not_classified(text: str, core: str) -> None:
    assert message_core(text) == core


def test_the_signature_does_not_change_the_classification(ruleset: Ruleset) -> None:
    plain = ruleset.classifier.predict("has SO4500871 shipped?")
    signed = ruleset.classifier.predict(
        "Hello,\nhas SO4500871 shipped?\nRegards\nDr. Jane Smith\nHead of Claims and Returns"
    )
    assert signed.scores == plain.scores


@pytest.mark.parametrize(
    "text",
    [
        "Bonjour, où en est notre commande SO4500123 ? Merci beaucoup",
        "Buongiorno, quando arriva l'ordine SO4512877? Grazie",
        "Goedemorgen, wanneer wordt de bestelling SO4503355 geleverd?",
    ],
)
def test_text_in_a_language_without_locale_is_out_of_scope(ruleset: Ruleset, text: str) -> None:
    prediction = ruleset.classifier.predict(text)
    assert prediction.intent == "out_of_scope" and prediction.confidence == 1.0
    assert prediction.language not in {"en", "de", None}
    assert [p for _, p in prediction.scores] == [1.0, 0.0, 0.0, 0.0]
    assert ruleset.classifier.predict_many([text] * 9)[0] == prediction


def scripted(scores: Sequence[tuple[str, float]], confidence: float | None = None) -> Classifier:
    return Classifier(
        ScriptedBackend(scores, confidence),
        "r",
        min_margin=0.2,
        also_answers={"delivery_date": frozenset({"order_status"})},
        floors={"delivery_date": 0.7, "order_status": 0.7, "complaint": 0.7},
    )


@pytest.mark.parametrize(
    "scores",
    [
        [("order_status", 0.45), ("delivery_date", 0.41), ("complaint", 0.14)],
        [("delivery_date", 0.50), ("order_status", 0.40), ("complaint", 0.10)],
    ],
)
def test_two_close_intents_join_under_the_one_whose_answer_answers_both(
    scores: list[tuple[str, float]],
) -> None:
    prediction = scripted(scores).predict("when is it coming?")
    assert (prediction.intent, prediction.joined) == ("delivery_date", "order_status")
    assert prediction.confidence == pytest.approx(0.86 if scores[0][1] == 0.45 else 0.90)
    assert prediction.margin == pytest.approx(prediction.confidence - scores[2][1])
    assert prediction.scores == scores  # what the backend said stays on record


@pytest.mark.parametrize(
    ("scores", "confidence"),
    [
        ([("order_status", 0.90), ("delivery_date", 0.06), ("complaint", 0.04)], None),
        ([("order_status", 0.45), ("complaint", 0.41), ("delivery_date", 0.14)], None),
        ([("order_status", 0.45), ("delivery_date", 0.41), ("complaint", 0.14)], 0.0),
    ],
    ids=["trusted alone", "runner-up unrelated", "a gate set the confidence"],
)
def test_other_predictions_are_not_joined(
    scores: list[tuple[str, float]], confidence: float | None
) -> None:
    prediction = scripted(scores, confidence).predict("when is it coming?")
    assert prediction.joined is None and prediction.intent == scores[0][0]
    assert prediction.confidence == (scores[0][1] if confidence is None else confidence)


def test_training_reads_also_answers_and_floors_from_the_taxonomy() -> None:
    demo = demo_ruleset()
    assert demo.intents["delivery_date"].also_answers == ("order_status",)
    model = demo.classifier
    assert isinstance(model, Classifier)
    assert model.also_answers == {"delivery_date": frozenset({"order_status"})}
    assert model.floors["order_status"] == demo.settings.confidence_floor
