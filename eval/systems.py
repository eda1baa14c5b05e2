"""The retrieval systems an eval compares: careguide, and what a team would otherwise pick.

Each system has one required method, ``rank(question, k) -> list[Retrieved]``. All of
them read the same corpus (the library of the data directory) and use the same
embedding model, so only the retrieval design differs:

- ``careguide``: the product's search (``Engine.search``): glossary expansion, dense +
  sparse fusion, document priors, de-duplication.
- ``BM25 (bm25s)``: the ``bm25s`` package's BM25 over careguide's passages, with its
  default tokenizer and English stop words (no stemmer: PyStemmer is not installed).
- ``dense alone``: the question's embedding against the passage vectors already in the
  index (nearest first; no expansion, priors or de-duplication).
- ``llama-index default``: ``VectorStoreIndex.from_documents`` over the library's
  documents (the same cleaned text careguide cut into passages), chunked by llama-index's
  default ``SentenceSplitter`` (1024 tokens, overlap 200), embedded with the same model
  through ``CareguideEmbedding``, searched with the default retriever.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from careguide.api.engine import Engine
from careguide.index.embedder import Embedder
from careguide.index.store import PassageStore
from careguide.ingest.models import Passage
from careguide.ingest.storage import StoredDocument

CAREGUIDE = "careguide"
BM25 = "BM25 (bm25s)"
DENSE = "dense alone"
LLAMA = "llama-index default"
BASELINES = (BM25, DENSE, LLAMA)


@dataclass(frozen=True)
class Retrieved:
    """One ranked passage (or chunk) as the eval sees it."""

    text: str
    label: str
    """How a person finds it: the citation, or the file and chunk number for baselines."""
    source: str


class Ranker(Protocol):
    """A retrieval system under test."""

    name: str

    def rank(self, question: str, k: int) -> list[Retrieved]:
        """The ``k`` best passages for ``question``, best first."""
        ...


def _retrieved(p: Passage) -> Retrieved:
    return Retrieved(text=p.text, label=p.citation, source=p.source)


class CareguideRanker:
    """careguide's own search, exactly as the CLI and the service run it."""

    name = CAREGUIDE

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def rank(self, question: str, k: int) -> list[Retrieved]:
        return [_retrieved(h.passage) for h in self.engine.search(question, k=k)]


class DenseRanker:
    """Nearest passage vectors to the question's embedding, nothing else."""

    name = DENSE

    def __init__(self, embedder: Embedder, store: PassageStore) -> None:
        self.embedder = embedder
        self.store = store

    def rank(self, question: str, k: int) -> list[Retrieved]:
        vector = self.embedder.embed([question])[0]
        return [_retrieved(p) for p, _ in self.store.search("dense", vector, limit=k)]


class BM25Ranker:
    """BM25 from the ``bm25s`` package over the same passages, its defaults throughout."""

    name = BM25

    def __init__(self, passages: Sequence[Passage]) -> None:
        import bm25s

        self._bm25s = bm25s
        self.passages = list(passages)
        self.model = bm25s.BM25()
        corpus = bm25s.tokenize(
            [p.text for p in self.passages], stopwords="en", show_progress=False
        )
        self.model.index(corpus, show_progress=False)

    def rank(self, question: str, k: int) -> list[Retrieved]:
        query = self._bm25s.tokenize([question], stopwords="en", show_progress=False)
        if not any(query.ids):  # only stop words: bm25s refuses an empty query
            return []
        ids, scores = self.model.retrieve(
            query, k=min(k, len(self.passages)), show_progress=False, n_threads=1
        )
        return [
            _retrieved(self.passages[int(i)])
            for i, s in zip(ids[0], scores[0], strict=True)
            if s > 0
        ]


def llama_embedding(embedder: Embedder) -> Any:
    """careguide's embedder as a llama-index ``BaseEmbedding`` (one model in memory)."""
    from llama_index.core.base.embeddings.base import BaseEmbedding
    from pydantic import PrivateAttr

    class CareguideEmbedding(BaseEmbedding):
        """Adapter: llama-index asks, careguide's ``Embedder.embed`` answers."""

        _embedder: Any = PrivateAttr()

        def __init__(self, inner: Embedder) -> None:
            super().__init__(model_name=inner.name, embed_batch_size=32)
            self._embedder = inner

        def _get_query_embedding(self, query: str) -> list[float]:
            return [float(x) for x in self._embedder.embed([query])[0]]

        async def _aget_query_embedding(self, query: str) -> list[float]:
            return self._get_query_embedding(query)

        def _get_text_embedding(self, text: str) -> list[float]:
            return self._get_query_embedding(text)

        def _get_text_embeddings(self, texts: list[str]) -> list[list[float]]:
            return [[float(x) for x in row] for row in self._embedder.embed(texts)]

    return CareguideEmbedding(embedder)


class LlamaIndexRanker:
    """llama-index's default pipeline: SentenceSplitter chunks in a VectorStoreIndex."""

    name = LLAMA

    def __init__(self, documents: Sequence[StoredDocument], embedder: Embedder) -> None:
        from llama_index.core import Document, VectorStoreIndex

        docs = [
            Document(text=d.text, metadata={"file_name": d.source}, id_=d.meta.doc_id)
            for d in documents
            if d.text.strip()
        ]
        self.index = VectorStoreIndex.from_documents(
            docs, embed_model=llama_embedding(embedder), show_progress=False
        )
        self.chunks = len(self.index.docstore.docs)

    def rank(self, question: str, k: int) -> list[Retrieved]:
        nodes = self.index.as_retriever(similarity_top_k=k).retrieve(question)
        out = []
        for n in nodes:
            source = str(n.node.metadata.get("file_name", ""))
            out.append(Retrieved(text=n.node.get_content(), label=f"{source} chunk", source=source))
        return out
