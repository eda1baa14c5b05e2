"""Fixtures for the eval tests: the sample corpus indexed once with the real model, and a
small library of made-up passages indexed with the hashing embedder.

The API tests' ``llm_server`` (the scripted OpenAI-compatible server) stands in for a ragas
judge here too, so their folder goes on the import path.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from careguide.api.engine import Engine
from careguide.api.settings import Settings
from careguide.index.embedder import HashingEmbedder
from careguide.index.settings import IndexSettings
from careguide.index.store import Store
from careguide.ingest.pipeline import ingest_paths
from careguide.ingest.storage import LibraryStore

API_TESTS = str(Path(__file__).resolve().parent.parent / "api")
if API_TESTS not in sys.path:
    sys.path.insert(0, API_TESTS)


@pytest.fixture(scope="session")
def sample_library(corpus_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A data directory holding the sample corpus, ingested and indexed with the real model.

    The engine is closed again: the embedded index admits one client at a time, and each
    test opens its own (often through the CLI).
    """
    data_dir = tmp_path_factory.mktemp("eval-data")
    settings = Settings(data_dir=data_dir)
    result = ingest_paths([corpus_dir], settings.ingest, library=LibraryStore(data_dir))
    with Engine(settings) as engine:
        engine.index(result.passages)
    return data_dir


TOPICS = {
    "kinship": [
        "A kinship carer is a relative or friend who raises a child when the parents cannot.",
        "The local authority must assess a kinship carer for financial support within 28 days.",
        "Special guardianship allowance is paid by the council at a rate set by local policy.",
    ],
    "inspection": [
        "Inspectors judge the experiences and progress of children in care in every visit.",
        "An inspection report is published within twenty working days of the final visit.",
    ],
    "safeguarding": [
        "Safeguarding partners are the local authority, the integrated care board and police.",
        "Each partner must publish arrangements describing how they work together locally.",
    ],
}


def write_corpus(folder: Path) -> Path:
    """A few made-up documents (not the sample corpus), one file per topic."""
    folder.mkdir(parents=True, exist_ok=True)
    for topic, paras in TOPICS.items():
        body = "\n\n".join(f"{n}. " + f"{p} " * 3 for n, p in enumerate(paras, start=1))
        (folder / f"{topic}.txt").write_text(
            f"Guidance on {topic}\n\n1 Introduction\n\n{body}\n", encoding="utf-8"
        )
    return folder


@pytest.fixture
def made_up_corpus(tmp_path: Path) -> Path:
    """The made-up documents in a folder of their own."""
    return write_corpus(tmp_path / "made-up")


@pytest.fixture
def small_engine(tmp_path: Path) -> Iterator[tuple[Engine, LibraryStore]]:
    """An engine over the made-up corpus: hashing embedder, in-memory Qdrant."""
    corpus = write_corpus(tmp_path / "corpus")
    settings = Settings(data_dir=tmp_path / "data")
    library = LibraryStore(settings.data_dir)
    result = ingest_paths([corpus], settings.ingest, library=library)
    engine = Engine(
        settings,
        embedder=HashingEmbedder(dim=128),
        store=Store(IndexSettings(), location=":memory:"),
    )
    engine.index(result.passages)
    yield engine, library
    engine.close()
