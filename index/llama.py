"""careguide's hybrid retrieval as a llama-index retriever.

``CareguideRetriever`` plugs ``retrieve`` into llama-index query engines and agents:
each hit becomes a ``TextNode`` whose id is the passage id and whose metadata carries
the citation, so whatever llama-index builds on top can still cite its sources.
"""

from __future__ import annotations

from typing import Any

from llama_index.core.retrievers import BaseRetriever
from llama_index.core.schema import NodeWithScore, QueryBundle, TextNode

from careguide.index.embedder import Embedder
from careguide.index.models import Hit, SearchFilters
from careguide.index.retrieve import Expander, Fusion, retrieve
from careguide.index.sentences import SentenceVectors
from careguide.index.store import PassageStore

_LLM_METADATA = ("citation", "title")
"""Metadata the LLM sees next to each passage; the rest is for the caller."""


def hit_to_node(hit: Hit) -> NodeWithScore:
    """A hit as a llama-index node: the passage text, its citation and where it came from."""
    p = hit.passage
    metadata: dict[str, Any] = {
        "citation": p.citation,
        "title": p.meta.short_title or p.title,
        "source": p.source,
        "doc_id": p.doc_id,
        "passage_id": p.id,
        "paragraphs": ", ".join(p.paragraphs),
        "pages": ", ".join(str(n) for n in p.pages),
        "heading": " > ".join(p.heading_path),
        "kind": p.meta.kind.value,
        "status": p.meta.status.value,
        "year": p.meta.year,
        "url": p.meta.url,
        "rank": hit.rank,
    }
    node = TextNode(
        id_=p.id,
        text=p.text,
        metadata=metadata,
        excluded_llm_metadata_keys=[key for key in metadata if key not in _LLM_METADATA],
        excluded_embed_metadata_keys=list(metadata),
    )
    return NodeWithScore(node=node, score=hit.score)


class CareguideRetriever(BaseRetriever):
    """Hybrid dense + sparse retrieval over the careguide index, for llama-index."""

    def __init__(
        self,
        *,
        embedder: Embedder,
        store: PassageStore,
        k: int = 10,
        filters: SearchFilters | None = None,
        fusion: Fusion | None = None,
        expand: Expander | None = None,
        sentences: SentenceVectors | None = None,
        **kwargs: Any,
    ):
        super().__init__(**kwargs)
        self.embedder = embedder
        self.store = store
        self.k = k
        self.filters = filters
        self.fusion = fusion
        self.expand = expand
        self.sentences = sentences

    def _retrieve(self, query_bundle: QueryBundle) -> list[NodeWithScore]:
        hits = retrieve(
            query_bundle.query_str,
            embedder=self.embedder,
            store=self.store,
            k=self.k,
            filters=self.filters,
            fusion=self.fusion,
            expand=self.expand,
            sentences=self.sentences,
        )
        return [hit_to_node(hit) for hit in hits]
