"""The Qdrant Edge store: the same behaviour as the qdrant-client store, on Qdrant's engine.

The backend-neutral tests of test_retrieve.py, test_llama_retriever.py and test_store.py
are imported below and run here a second time, with ``make_store`` overridden to build
``EdgeStore``s (conftest's ``store`` and ``indexed`` fixtures build on it). The tests that
look inside qdrant-client (collections, aliases) have edge counterparts further down.
"""

from __future__ import annotations

import subprocess
import sys
import textwrap
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

# pytest puts this folder on sys.path (rootdir-relative "prepend" imports), so the sibling
# test modules import by name; imported here, they run with this module's fixtures
from test_llama_retriever import (  # noqa: F401  # collected again, on edge
    test_plugs_into_a_llama_index_query_engine,
    test_retriever_passes_filters,
    test_retriever_returns_cited_nodes,
)
from test_retrieve import (  # noqa: F401  # collected again, on edge
    test_current_guidance_outranks_outdated_unless_asked_about_the_past as test_current_first,
)
from test_retrieve import (  # noqa: F401  # collected again, on edge
    test_dense_weight_decides_score_fusion,
    test_filters,
    test_finds_the_passage,
    test_footnotes_rank_slightly_below,
    test_k_and_empty_queries,
    test_query_expansion,
    test_score_fusion_normalisations,
    test_status_and_passage_kind_filters,
    test_summary_documents_rank_below,
    test_the_same_paragraph_never_appears_twice,
)
from test_store import (  # noqa: F401  # collected again, on edge
    test_index_then_count_and_get,
    test_no_index_yet,
    test_progress_reports_every_batch,
    test_repeated_passage_ids_are_stored_once,
    test_reused_vectors_search_like_fresh_ones,
    test_unchanged_reindex_does_not_load_the_model,
    test_unchanged_reindex_embeds_nothing,
)

from careguide.index.edge_store import LOCK, POINTER, EdgeStore
from careguide.index.embedder import HashingEmbedder
from careguide.index.models import Hit
from careguide.index.retrieve import retrieve
from careguide.index.settings import IndexSettings
from careguide.index.store import Store
from careguide.ingest.errors import IndexBusyError, IndexMissingError
from careguide.ingest.models import Passage

MakeEdgeStore = Callable[..., EdgeStore]


@pytest.fixture
def make_store(tmp_path: Path) -> Iterator[MakeEdgeStore]:
    """Overrides conftest's: every store in this module is an EdgeStore on disk."""
    stores: list[EdgeStore] = []

    def build(**settings: Any) -> EdgeStore:
        store = EdgeStore(IndexSettings(**settings), tmp_path / "data")
        stores.append(store)
        return store

    yield build
    for store in stores:
        store.close()


QUERIES = [
    "special guardianship order",
    "SGOs",
    "£200m for family help",
    "kinship carer support",
    "restraint and use of force",
    "what is the",
    "children",
]


def _scores(hits: list[Hit]) -> dict[str, float]:
    """Every score of every hit, keyed by passage id and kind of score (None as -1)."""
    found: dict[str, float] = {}
    for h in hits:
        for kind, score in (("dense", h.dense_score), ("sparse", h.sparse_score)):
            found[f"{h.passage.id} {kind}"] = -1.0 if score is None else score
    return found


@pytest.mark.parametrize("fusion", ["rrf", "score"])
def test_edge_and_qdrant_client_give_the_same_hits(
    tmp_path: Path, corpus: list[Passage], embedder: HashingEmbedder, fusion: str
) -> None:
    with (
        Store(IndexSettings(fusion=fusion), location=":memory:") as local,
        EdgeStore(IndexSettings(fusion=fusion), tmp_path) as edge,
    ):
        local.index(corpus, embedder)
        edge.index(corpus, embedder)
        for query in QUERIES:
            want = retrieve(query, embedder=embedder, store=local, k=6)
            got = retrieve(query, embedder=embedder, store=edge, k=6)
            # equal raw scores may come in another order (so RRF ranks among them differ):
            # raw scores are compared by passage, and the winner where it is clear
            assert _scores(got) == pytest.approx(_scores(want), rel=1e-5), query
            if want[0].score > want[1].score * (1 + 1e-6):
                assert got[0].passage.id == want[0].passage.id, query
            if fusion == "score":
                fused = {h.passage.id: h.score for h in got}
                assert fused == pytest.approx({h.passage.id: h.score for h in want}), query


def test_a_failed_build_leaves_the_previous_index_live(
    make_store: MakeEdgeStore, corpus: list[Passage], counting: Callable[..., Any]
) -> None:
    store = make_store(batch_size=2)
    first = store.index(corpus[3:], counting())
    failing = counting(fail_after=2)
    rewritten = [p.model_copy(update={"text": p.text + " Updated."}) for p in corpus]
    with pytest.raises(RuntimeError, match="embedder failed midway"):
        store.index(rewritten, failing)
    assert failing.texts == 2

    assert store.live_collection() == first.collection
    assert store.count() == 3
    hits = retrieve("restraint records", embedder=HashingEmbedder(256), store=store, k=1)
    assert hits[0].passage.doc_id == "childrens-homes-regs-2015"
    assert store.builds() == [first.collection]


def test_a_killed_build_is_cleaned_at_the_next_build(
    store: EdgeStore, corpus: list[Passage], embedder: HashingEmbedder
) -> None:
    first = store.index(corpus, embedder)
    (store.path / "careguide_19990101000000_dead00" / "segments").mkdir(parents=True)
    second = store.index(corpus, embedder)
    assert sorted(second.removed_collections) == sorted(
        ["careguide_19990101000000_dead00", first.collection]
    )
    assert store.builds() == [second.collection]


def test_reading_creates_nothing(tmp_path: Path) -> None:
    store = EdgeStore(IndexSettings(), tmp_path / "data")
    with pytest.raises(IndexMissingError) as error:
        retrieve("kinship", embedder=HashingEmbedder(), store=store)
    assert str(error.value) == (
        f"no index in {tmp_path / 'data' / 'index'} yet; run `careguide ingest` first"
    )
    assert not (tmp_path / "data").exists()


def test_disk_index_survives_reopening(
    tmp_path: Path, corpus: list[Passage], embedder: HashingEmbedder
) -> None:
    with EdgeStore(IndexSettings(), tmp_path) as store:
        store.index(corpus, embedder)
    assert sorted(p.name for p in (tmp_path / "index").iterdir() if p.is_file()) == sorted(
        [LOCK, POINTER]
    )
    with EdgeStore(IndexSettings(), tmp_path) as reopened:
        assert reopened.count() == len(corpus)
        hits = retrieve("restraint records", embedder=embedder, store=reopened, k=1)
        assert hits[0].passage.doc_id == "childrens-homes-regs-2015"


def test_a_second_process_gets_index_busy(
    tmp_path: Path, corpus: list[Passage], embedder: HashingEmbedder
) -> None:
    script = textwrap.dedent(
        f"""
        from careguide.index.edge_store import EdgeStore
        from careguide.index.settings import IndexSettings
        from careguide.ingest.errors import CareguideError
        try:
            EdgeStore(IndexSettings(), {str(tmp_path)!r}).count()
        except CareguideError as e:
            print(f"{{type(e).__name__}}: {{e}}")
        """
    )
    with EdgeStore(IndexSettings(), tmp_path) as store:
        store.index(corpus, embedder)
        result = subprocess.run(
            [sys.executable, "-c", script], capture_output=True, text=True, timeout=120
        )
    assert result.stdout.strip() == (
        f"IndexBusyError: the index in {tmp_path / 'index'} is open in another careguide "
        "process; stop it, or use a Qdrant server (set CAREGUIDE_QDRANT_URL)"
    )
    # once the first process lets go, the index opens again
    with EdgeStore(IndexSettings(), tmp_path) as again:
        assert again.count() == len(corpus)


def test_a_second_store_in_one_process_is_busy_too(
    tmp_path: Path, corpus: list[Passage], embedder: HashingEmbedder
) -> None:
    with EdgeStore(IndexSettings(), tmp_path) as store:
        store.index(corpus, embedder)
        with pytest.raises(IndexBusyError):
            EdgeStore(IndexSettings(), tmp_path).count()


def test_a_build_killed_mid_way_leaves_the_disk_index_usable(
    tmp_path: Path, corpus: list[Passage], embedder: HashingEmbedder
) -> None:
    with EdgeStore(IndexSettings(), tmp_path) as store:
        first = store.index(corpus[:2], embedder)
    jsonl = tmp_path / "passages.jsonl"
    jsonl.write_text("".join(p.model_dump_json() + "\n" for p in corpus))
    script = textwrap.dedent(
        f"""
        import os
        from careguide.index.edge_store import EdgeStore
        from careguide.index.embedder import HashingEmbedder
        from careguide.index.settings import IndexSettings
        from careguide.ingest.models import Passage

        class Dies(HashingEmbedder):
            def embed(self, texts):
                os._exit(9)  # no cleanup runs, as when the process is killed

        lines = open({str(jsonl)!r}).read().splitlines()
        passages = [Passage.model_validate_json(line) for line in lines]
        EdgeStore(IndexSettings(), {str(tmp_path)!r}).index(passages, Dies(256))
        """
    )
    result = subprocess.run([sys.executable, "-c", script], timeout=120)
    assert result.returncode == 9

    with EdgeStore(IndexSettings(), tmp_path) as store:
        assert store.live_collection() == first.collection
        assert store.count() == 2
        second = store.index(corpus, embedder)
        assert len(second.removed_collections) == 2  # the half-built one and the old one
        assert store.count() == len(corpus)
