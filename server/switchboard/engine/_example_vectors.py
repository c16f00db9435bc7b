"""The taxonomy's phrases as vectors, cached on disk.

Embedding every phrase takes seconds, so the vectors are kept in the cache directory under
a name made of the model's digest and the phrases' digest. The name is content-addressed:
any change to a phrase, its intent or the model gives a new name, so a stale file is never
read; a revision that leaves the phrases alone reuses the file of the one before. Files are
plain NumPy archives read without pickle, and a file that does not fit is rebuilt.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from switchboard.engine._onnx_model import Encoder
from switchboard.engine.text import message_core

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class ExampleSet:
    """Every intent's example phrases and keywords, all locales, in a fixed order.

    All of them train the model; only examples (`anchor`) count as the nearest phrase of the
    out-of-scope gate, because a single keyword ("invoice") is close to too much.
    """

    texts: tuple[str, ...]
    labels: tuple[str, ...]
    anchor: tuple[bool, ...]

    def digest(self) -> str:
        payload = json.dumps([self.texts, self.labels], ensure_ascii=False)
        return hashlib.sha256(payload.encode()).hexdigest()


def examples_of(ruleset: Any) -> ExampleSet:
    """Phrases as the classifier sees inquiries: greeting and signature left out."""
    texts: list[str] = []
    labels: list[str] = []
    anchor: list[bool] = []
    for intent_id in sorted(ruleset.intents):
        intent = ruleset.intents[intent_id]
        for source, is_anchor in ((intent.examples, True), (intent.keywords, False)):
            for locale in sorted(source):
                for phrase in source[locale]:
                    texts.append(message_core(phrase))
                    labels.append(intent_id)
                    anchor.append(is_anchor)
    return ExampleSet(tuple(texts), tuple(labels), tuple(anchor))


def cache_file(cache_dir: Path, encoder: Encoder, examples: ExampleSet) -> Path:
    return cache_dir / f"embeddings-{encoder.digest[:16]}-{examples.digest()[:32]}.npz"


def example_vectors(
    examples: ExampleSet, encoder: Encoder, cache_dir: str | Path | None = None
) -> np.ndarray:
    """One unit vector per phrase, from the cache when it holds them."""
    path = cache_file(Path(cache_dir), encoder, examples) if cache_dir is not None else None
    if path is not None:
        cached = _read(path, examples, encoder)
        if cached is not None:
            return cached
    vectors = encoder.encode_many(list(examples.texts))
    if path is not None:
        _write(path, vectors, examples, encoder)
    return vectors


def _read(path: Path, examples: ExampleSet, encoder: Encoder) -> np.ndarray | None:
    try:
        with np.load(path, allow_pickle=False) as archive:
            vectors = np.array(archive["vectors"], dtype=np.float32)
            digests = (str(archive["examples_digest"]), str(archive["model_digest"]))
    except FileNotFoundError:
        return None
    except Exception as exc:  # truncated, foreign or hand-edited: rebuild and overwrite
        log.warning("ignoring unreadable embedding cache %s: %s", path, exc)
        return None
    if digests != (examples.digest(), encoder.digest) or vectors.shape != (
        len(examples.texts),
        encoder.spec.dimension,
    ):
        log.warning("ignoring embedding cache %s: made for other examples or model", path)
        return None
    return vectors


def _write(path: Path, vectors: np.ndarray, examples: ExampleSet, encoder: Encoder) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".embeddings-", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as handle:
            np.savez(
                handle,
                vectors=vectors,
                examples_digest=np.array(examples.digest()),
                model_digest=np.array(encoder.digest),
            )
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
