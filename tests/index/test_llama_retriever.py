"""careguide's retrieval inside llama-index."""

from __future__ import annotations

from llama_index.core.llms import MockLLM
from llama_index.core.query_engine import RetrieverQueryEngine
from llama_index.core.schema import MetadataMode, QueryBundle

from careguide.index.embedder import HashingEmbedder
from careguide.index.llama import CareguideRetriever
from careguide.index.models import SearchFilters
from careguide.index.store import Store
from careguide.ingest.models import DocKind, Passage


def test_retriever_returns_cited_nodes(
    indexed: Store, embedder: HashingEmbedder, corpus: list[Passage]
) -> None:
    retriever = CareguideRetriever(embedder=embedder, store=indexed, k=2)
    nodes = retriever.retrieve("special guardianship order")
    assert len(nodes) == 2
    top = nodes[0]
    sgo = corpus[0]
    assert top.node.node_id == sgo.id
    assert top.node.get_content() == sgo.text
    assert top.node.metadata["citation"] == sgo.citation
    assert top.node.metadata["doc_id"] == sgo.doc_id
    assert top.node.metadata["source"] == sgo.source
    assert top.score is not None and top.score > 0
    llm_view = top.node.get_content(metadata_mode=MetadataMode.LLM)
    assert sgo.citation in llm_view and "passage_id" not in llm_view


def test_retriever_passes_filters(indexed: Store, embedder: HashingEmbedder) -> None:
    retriever = CareguideRetriever(
        embedder=embedder, store=indexed, filters=SearchFilters(kinds=[DocKind.policy])
    )
    nodes = retriever.retrieve(QueryBundle("children"))
    assert {n.node.metadata["doc_id"] for n in nodes} == {"stable-homes-2023"}


def test_plugs_into_a_llama_index_query_engine(indexed: Store, embedder: HashingEmbedder) -> None:
    retriever = CareguideRetriever(embedder=embedder, store=indexed, k=3)
    engine = RetrieverQueryEngine.from_args(retriever, llm=MockLLM())
    response = engine.query("What must children's homes record about restraint?")
    assert response.source_nodes
    top = response.source_nodes[0]
    assert top.node.metadata["doc_id"] == "childrens-homes-regs-2015"
    assert top.node.metadata["citation"] == "Childrens Homes Regs 2015, paragraph 9"
    assert all(n.node.metadata["citation"] for n in response.source_nodes)
