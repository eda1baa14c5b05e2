"""The Qdrant store: builds, atomic switches, the embedding cache, locks and errors."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from careguide.index.embedder import HashingEmbedder
from careguide.index.retrieve import retrieve
from careguide.index.settings import IndexSettings
from careguide.index.store import Store
from careguide.ingest.errors import IndexBusyError, IndexMissingError
from careguide.ingest.models import Passage

MakeStore = Callable[..., Store]


def test_index_then_count_and_get(
    store: Store, corpus: list[Passage], embedder: HashingEmbedder
) -> None:
    stats = store.index(corpus, embedder)
    assert (stats.passages, stats.embedded, stats.reused) == (len(corpus), len(corpus), 0)
    assert stats.collection.startswith("careguide_")
    assert store.live_collection() == stats.collection
    assert store.count() == len(corpus)
    assert store.get(corpus[0].id) == corpus[0]
    assert store.get("no-such-passage") is None


def test_repeated_passage_ids_are_stored_once(
    store: Store, corpus: list[Passage], embedder: HashingEmbedder
) -> None:
    stats = store.index([*corpus, corpus[0]], embedder)
    assert stats.passages == store.count() == len(corpus)


def test_progress_reports_every_batch(
    make_store: MakeStore, corpus: list[Passage], embedder: HashingEmbedder
) -> None:
    store = make_store(batch_size=4)
    seen: list[tuple[int, int]] = []
    store.index(corpus, embedder, progress=lambda done, total: seen.append((done, total)))
    assert seen == [(4, 6), (6, 6)]


def test_no_index_yet(store: Store) -> None:
    with pytest.raises(IndexMissingError) as error:
        store.count()
    assert str(error.value) == f"no index in {store.where} yet; run `careguide ingest` first"


def test_missing_message_names_the_data_dir(tmp_path: Path) -> None:
    store = Store(IndexSettings(), tmp_path / "data")
    with pytest.raises(IndexMissingError) as error:
        retrieve("kinship", embedder=HashingEmbedder(), store=store)
    assert str(error.value) == (
        f"no index in {tmp_path / 'data' / 'index'} yet; run `careguide ingest` first"
    )
    assert not (tmp_path / "data").exists()  # reading does not create an empty index


def test_unchanged_reindex_embeds_nothing(
    store: Store, corpus: list[Passage], counting: Callable[..., Any]
) -> None:
    first = counting()
    store.index(corpus, first)
    assert first.texts == len(corpus)

    again = counting()
    stats = store.index(corpus, again)
    assert (again.calls, again.texts) == (0, 0)
    assert (stats.embedded, stats.reused) == (0, len(corpus))
    assert store.count() == len(corpus)

    changed = [*corpus[:-1], corpus[-1].model_copy(update={"text": "Homes must keep logs."})]
    once_more = counting()
    stats = store.index(changed, once_more)
    assert (once_more.texts, stats.embedded, stats.reused) == (1, 1, len(corpus) - 1)


def test_reused_vectors_search_like_fresh_ones(
    store: Store, corpus: list[Passage], embedder: HashingEmbedder
) -> None:
    store.index(corpus, embedder)
    before = retrieve("kinship carer support", embedder=embedder, store=store)
    store.index(corpus, embedder)
    after = retrieve("kinship carer support", embedder=embedder, store=store)
    assert [(h.passage.id, round(h.score, 9)) for h in after] == [
        (h.passage.id, round(h.score, 9)) for h in before
    ]


def test_a_failed_build_leaves_the_previous_index_live(
    make_store: MakeStore, corpus: list[Passage], counting: Callable[..., Any]
) -> None:
    store = make_store(batch_size=2)
    first = store.index(corpus[3:], counting())
    failing = counting(fail_after=2)
    rewritten = [p.model_copy(update={"text": p.text + " Updated."}) for p in corpus]
    with pytest.raises(RuntimeError, match="embedder failed midway"):
        store.index(rewritten, failing)
    assert failing.texts == 2  # it failed midway: one batch stored, the next refused

    assert store.live_collection() == first.collection
    assert store.count() == 3
    hits = retrieve("restraint records", embedder=HashingEmbedder(256), store=store, k=1)
    assert hits[0].passage.doc_id == "childrens-homes-regs-2015"
    client = store._open(create=False)
    assert [c.name for c in client.get_collections().collections] == [first.collection]


def test_a_killed_build_is_cleaned_at_the_next_build(
    store: Store, corpus: list[Passage], embedder: HashingEmbedder
) -> None:
    first = store.index(corpus, embedder)
    client = store._open(create=False)
    # what a build killed mid-way leaves behind: a collection the alias does not point to
    client.create_collection("careguide_19990101000000_dead00")
    second = store.index(corpus, embedder)
    assert sorted(second.removed_collections) == sorted(
        ["careguide_19990101000000_dead00", first.collection]
    )
    assert [c.name for c in client.get_collections().collections] == [second.collection]


def test_disk_index_survives_reopening(
    tmp_path: Path, corpus: list[Passage], embedder: HashingEmbedder
) -> None:
    with Store(IndexSettings(), tmp_path) as store:
        store.index(corpus, embedder)
    with Store(IndexSettings(), tmp_path) as reopened:
        assert reopened.count() == len(corpus)
        hits = retrieve("restraint records", embedder=embedder, store=reopened, k=1)
        assert hits[0].passage.doc_id == "childrens-homes-regs-2015"


def test_a_second_process_gets_index_busy(
    tmp_path: Path, corpus: list[Passage], embedder: HashingEmbedder
) -> None:
    script = textwrap.dedent(
        f"""
        from careguide.index.settings import IndexSettings
        from careguide.index.store import Store
        from careguide.ingest.errors import CareguideError
        try:
            Store(IndexSettings(), {str(tmp_path)!r}).count()
        except CareguideError as e:
            print(f"{{type(e).__name__}}: {{e}}")
        """
    )
    with Store(IndexSettings(), tmp_path) as store:
        store.index(corpus, embedder)
        result = subprocess.run(
            [sys.executable, "-c", script], capture_output=True, text=True, timeout=120
        )
    assert result.stdout.strip() == (
        f"IndexBusyError: the index in {tmp_path / 'index'} is open in another careguide "
        "process; stop it, or use a Qdrant server (set CAREGUIDE_QDRANT_URL)"
    )
    assert issubclass(IndexBusyError, Exception)


def test_a_build_killed_mid_way_leaves_the_disk_index_usable(
    tmp_path: Path, corpus: list[Passage], embedder: HashingEmbedder
) -> None:
    with Store(IndexSettings(), tmp_path) as store:
        first = store.index(corpus[:2], embedder)
    jsonl = tmp_path / "passages.jsonl"
    jsonl.write_text("".join(p.model_dump_json() + "\n" for p in corpus))
    script = textwrap.dedent(
        f"""
        import os
        from careguide.index.embedder import HashingEmbedder
        from careguide.index.settings import IndexSettings
        from careguide.index.store import Store
        from careguide.ingest.models import Passage

        class Dies(HashingEmbedder):
            def embed(self, texts):
                os._exit(9)  # no cleanup runs, as when the process is killed

        lines = open({str(jsonl)!r}).read().splitlines()
        passages = [Passage.model_validate_json(line) for line in lines]
        Store(IndexSettings(), {str(tmp_path)!r}).index(passages, Dies(256))
        """
    )
    result = subprocess.run([sys.executable, "-c", script], timeout=120)
    assert result.returncode == 9

    with Store(IndexSettings(), tmp_path) as store:
        assert store.live_collection() == first.collection
        assert store.count() == 2
        second = store.index(corpus, embedder)
        assert len(second.removed_collections) == 2  # the half-built one and the old one
        assert store.count() == len(corpus)


class _NoModel(HashingEmbedder):
    """Computes the same vectors as HashingEmbedder(256), but must not be asked for any."""

    def __init__(self) -> None:
        super().__init__(dim=256)

    def __getattribute__(self, name: str) -> Any:
        if name in ("dim", "embed"):
            raise AssertionError(f"the model was used: {name}")
        return super().__getattribute__(name)


def test_unchanged_reindex_does_not_load_the_model(
    store: Store, corpus: list[Passage], embedder: HashingEmbedder
) -> None:
    store.index(corpus, embedder)
    stats = store.index(corpus, _NoModel())
    assert stats.reused == store.count() == len(corpus)
