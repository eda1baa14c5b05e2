"""The embedder seam: the hashing fake, the real model, and what gets embedded."""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable

import numpy as np
import pytest

from careguide.index.embedder import (
    Coalescer,
    Embedder,
    HashingEmbedder,
    SentenceTransformerEmbedder,
    build_embedder,
    passage_text_for_embedding,
)
from careguide.index.settings import IndexSettings
from careguide.ingest.models import Passage, PassageKind


def test_hashing_embedder_is_deterministic_and_normalised() -> None:
    embedder = HashingEmbedder(dim=64)
    texts = ["kinship carers need support", "Ofsted inspects children's homes", ""]
    first, again = embedder.embed(texts), HashingEmbedder(dim=64).embed(texts)
    assert first.shape == (3, 64)
    assert first.dtype == np.float32
    np.testing.assert_array_equal(first, again)
    np.testing.assert_allclose(np.linalg.norm(first, axis=1), 1.0, rtol=1e-6)
    assert embedder.embed([]).shape == (0, 64)


def test_hashing_embedder_puts_shared_words_closer() -> None:
    a, b, c = HashingEmbedder(dim=256).embed(
        ["support for kinship carers", "kinship carers and their support", "restraint in homes"]
    )
    assert float(a @ b) > float(a @ c)


def test_embedders_satisfy_the_protocol() -> None:
    embedders: list[Embedder] = [HashingEmbedder(), SentenceTransformerEmbedder()]  # mypy checks
    assert [e.name for e in embedders] == ["hashing-64", "all-MiniLM-L6-v2"]


def test_build_embedder_does_not_load_the_model() -> None:
    embedder = build_embedder(IndexSettings(model="some/other-model", batch_size=8))
    assert isinstance(embedder, SentenceTransformerEmbedder)
    assert (embedder.name, embedder.batch_size) == ("some/other-model", 8)
    assert embedder._model is None


def test_embedding_text_has_a_context_header(make_passage: Callable[..., Passage]) -> None:
    passage = make_passage(
        "The local authority must assess.",
        doc_id="sgo-guidance",
        heading_path=["Assessment", "Timescales"],
    )
    assert passage_text_for_embedding(passage) == (
        "Sgo Guidance > Assessment > Timescales\nThe local authority must assess."
    )


def test_a_footnote_is_embedded_with_the_sentence_that_points_to_it(
    make_passage: Callable[..., Passage],
) -> None:
    note = make_passage("The seven themes are: a clear framework; a whole family focus.")
    note = note.model_copy(
        update={"kind": PassageKind.footnote, "cited_in": "It found seven features of practice."}
    )
    assert passage_text_for_embedding(note).split("\n")[1:] == [
        "It found seven features of practice.",
        "The seven themes are: a clear framework; a whole family focus.",
    ]


@pytest.mark.slow
def test_real_model_embeds_normalised_384_dim_rows() -> None:
    embedder = build_embedder(IndexSettings())
    vectors = embedder.embed(
        [
            "special guardianship order",
            "an order appointing a special guardian for a child",
            "the annual budget for road maintenance",
        ]
    )
    assert embedder.dim == 384
    assert vectors.shape == (3, 384)
    assert vectors.dtype == np.float32
    np.testing.assert_allclose(np.linalg.norm(vectors, axis=1), 1.0, rtol=1e-5)
    assert float(vectors[0] @ vectors[1]) > float(vectors[0] @ vectors[2])


def test_coalescer_gives_each_caller_its_own_rows_from_shared_batches() -> None:
    batches: list[list[str]] = []
    first_running = threading.Event()
    release = threading.Event()

    def run(texts: list[str]) -> np.ndarray:
        batches.append(texts)
        if len(batches) == 1:
            first_running.set()
            release.wait(5)
        return np.array([[float(len(t))] for t in texts], dtype=np.float32)

    coalescer = Coalescer(run)
    results: dict[str, np.ndarray] = {}

    def call(texts: list[str]) -> None:
        results[texts[0]] = coalescer.embed(texts)

    first = threading.Thread(target=call, args=(["a"],))
    first.start()
    assert first_running.wait(5)
    waiting = [threading.Thread(target=call, args=([t, t + t],)) for t in ("bb", "ccc", "dddd")]
    for t in waiting:
        t.start()
    while sum(len(j.texts) for j in coalescer._queue) < 6:  # all three are queued
        time.sleep(0.01)
    release.set()
    for t in [first, *waiting]:
        t.join(5)

    assert batches[0] == ["a"]
    assert len(batches) == 2 and sorted(batches[1]) == sorted(
        ["bb", "bbbb", "ccc", "cccccc", "dddd", "dddddddd"]
    )
    assert results["a"].tolist() == [[1.0]]
    for t in ("bb", "ccc", "dddd"):
        assert results[t].tolist() == [[len(t)], [2 * len(t)]]


def test_coalescer_passes_a_model_failure_to_every_caller() -> None:
    def run(texts: list[str]) -> np.ndarray:
        raise RuntimeError("model broke")

    coalescer = Coalescer(run)
    with pytest.raises(RuntimeError, match="model broke"):
        coalescer.embed(["x"])
    assert not coalescer._busy  # the next caller is not left waiting


@pytest.mark.slow
def test_real_model_gives_the_same_vector_alone_cached_or_in_a_crowd() -> None:
    embedder = build_embedder(IndexSettings())
    questions = [f"how long can a child stay in care placement {n}" for n in range(6)]
    alone = [embedder.embed([q])[0] for q in questions]
    crowd: dict[int, np.ndarray] = {}
    fresh = build_embedder(IndexSettings())
    threads = [
        threading.Thread(target=lambda n=n: crowd.__setitem__(n, fresh.embed([questions[n]])[0]))
        for n in range(6)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    for n in range(6):
        np.testing.assert_allclose(crowd[n], alone[n], atol=1e-4)
        np.testing.assert_allclose(embedder.embed([questions[n]])[0], alone[n], atol=0)


@pytest.mark.slow
def test_questions_through_onnx_runtime_match_pytorch() -> None:
    questions = ["can my nan get money for looking after me", "SGO allowance", "what is NAAS"]
    onnx = SentenceTransformerEmbedder(runtime="onnx", threads=1)
    torch_only = SentenceTransformerEmbedder(runtime="torch", threads=1)
    fast = np.stack([onnx.embed([q])[0] for q in questions])
    assert onnx._onnx is not None  # the ONNX path really ran
    slow = np.stack([torch_only.embed([q])[0] for q in questions])
    assert torch_only._onnx is None
    np.testing.assert_allclose(fast, slow, atol=1e-4)
    # passages (bulk calls) stay on PyTorch, so an index built before is searched as before
    np.testing.assert_allclose(onnx.embed(questions * 3)[:3], slow, atol=1e-4)


@pytest.mark.slow
def test_a_model_not_mean_pooled_stays_on_pytorch() -> None:
    from sentence_transformers import SentenceTransformer
    from sentence_transformers.models import Pooling

    from careguide.index.onnx_runtime import load_onnx

    base = SentenceTransformerEmbedder()._load()
    transformer = next(iter(base))
    cls_pooled = SentenceTransformer(
        modules=[transformer, Pooling(SentenceTransformerEmbedder().dim, "cls")]
    )
    assert load_onnx(cls_pooled, threads=1) is None
    assert load_onnx(base, threads=1) is not None


def test_each_call_gets_a_lane_per_core_when_calls_are_held_to_fewer_threads() -> None:
    assert SentenceTransformerEmbedder(threads=0)._coalescer.lanes == 1
    one_each = SentenceTransformerEmbedder(threads=1)._coalescer.lanes
    assert one_each == max(1, os.cpu_count() or 1)


def test_two_lanes_never_leave_a_caller_waiting_or_give_it_another_callers_rows() -> None:
    def run(texts: list[str]) -> np.ndarray:
        time.sleep(0.005)
        return np.array([[float(t)] for t in texts], dtype=np.float32)

    coalescer = Coalescer(run, lanes=2)
    results: dict[int, float] = {}

    def call(n: int) -> None:
        results[n] = float(coalescer.embed([str(n)])[0][0])

    threads = [threading.Thread(target=call, args=(n,)) for n in range(40)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(10)
    assert not any(t.is_alive() for t in threads)
    assert results == {n: float(n) for n in range(40)}
