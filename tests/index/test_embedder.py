"""The embedder seam: the hashing fake, the real model, and what gets embedded."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pytest

from careguide.index.embedder import (
    Embedder,
    HashingEmbedder,
    SentenceTransformerEmbedder,
    build_embedder,
    passage_text_for_embedding,
)
from careguide.index.settings import IndexSettings
from careguide.ingest.models import Passage


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
