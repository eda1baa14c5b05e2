"""Fixtures for the index tests: small passages, a fake embedder, stores on every backend."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from passages import build_passage

from careguide.index.embedder import HashingEmbedder
from careguide.index.settings import IndexSettings
from careguide.index.store import Store
from careguide.ingest.models import DocKind, DocStatus, Passage, PassageKind


def _make_passage(
    text: str,
    *,
    doc_id: str = "working-together-2023",
    kind: DocKind = DocKind.statutory_guidance,
    status: DocStatus = DocStatus.current,
    date: str = "2023-12",
    audience: Sequence[str] = ("Social workers",),
    passage_kind: PassageKind = PassageKind.body,
    paragraph: str = "1",
    heading_path: Sequence[str] = ("Chapter 1",),
    short_title: str | None = None,
) -> Passage:
    return build_passage(
        text,
        doc_id=doc_id,
        kind=kind,
        status=status,
        date=date,
        audience=audience,
        passage_kind=passage_kind,
        paragraph=paragraph,
        heading_path=heading_path,
        short_title=short_title,
        pages=(1,),
    )


@pytest.fixture
def make_passage() -> Callable[..., Passage]:
    """Builds a Passage with sensible defaults; override what a test is about."""
    return _make_passage


@pytest.fixture
def corpus() -> list[Passage]:
    """A handful of passages from different kinds of document, topics apart."""
    p = _make_passage
    return [
        p(
            "A special guardianship order (SGO) appoints one or more people as the child's "
            "special guardian until the child is 18.",
            doc_id="sgo-guidance-2017",
            paragraph="12",
            audience=("Local authorities", "Courts"),
            date="2017-01",
        ),
        p(
            "The local authority must assess a kinship carer's needs for support services.",
            doc_id="sgo-guidance-2017",
            paragraph="40",
            date="2017-01",
        ),
        p(
            "Safeguarding partners must co-operate to identify and respond to the needs of "
            "children in their area.",
            paragraph="3.12",
        ),
        p(
            "The government will invest £200 million in family help services over three years.",
            doc_id="stable-homes-2023",
            kind=DocKind.policy,
            paragraph="5",
            audience=("Local authorities",),
        ),
        p(
            "Ofsted inspects how well looked after children (LAC) are supported to "
            "thrive in their placements.",
            doc_id="ilacs-framework-2023",
            kind=DocKind.inspection_framework,
            paragraph="22",
            audience=("Inspectors",),
        ),
        p(
            "Children's homes must keep records of restraint and the use of force.",
            doc_id="childrens-homes-regs-2015",
            paragraph="9",
            date="2015-04",
            audience=("Providers",),
        ),
    ]


@pytest.fixture
def embedder() -> HashingEmbedder:
    return HashingEmbedder(dim=256)


class CountingEmbedder:
    """Wraps an embedder and counts the texts it is asked to embed."""

    def __init__(self, inner: HashingEmbedder, fail_after: int | None = None):
        self.inner = inner
        self.name = inner.name
        self.dim = inner.dim
        self.calls = 0
        self.texts = 0
        self.fail_after = fail_after

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        if self.fail_after is not None and self.texts >= self.fail_after:
            raise RuntimeError("embedder failed midway")
        self.calls += 1
        self.texts += len(texts)
        return self.inner.embed(texts)


@pytest.fixture
def counting() -> Callable[..., CountingEmbedder]:
    def build(fail_after: int | None = None) -> CountingEmbedder:
        return CountingEmbedder(HashingEmbedder(dim=256), fail_after=fail_after)

    return build


MakeStore = Callable[..., Store]


@pytest.fixture(params=["memory", "disk"])
def make_store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[MakeStore]:
    """Builds stores on one backend: QdrantClient(":memory:") or local mode on disk."""
    stores: list[Store] = []

    def build(**settings: Any) -> Store:
        store = Store(
            IndexSettings(**settings),
            tmp_path / "data",
            location=":memory:" if request.param == "memory" else None,
        )
        stores.append(store)
        return store

    yield build
    for store in stores:
        store.close()


@pytest.fixture
def store(make_store: MakeStore) -> Store:
    return make_store()


@pytest.fixture
def indexed(store: Store, corpus: list[Passage], embedder: HashingEmbedder) -> Store:
    """The corpus, indexed with the fake embedder."""
    store.index(corpus, embedder)
    return store
