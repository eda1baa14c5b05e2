"""The sample corpus ingested once with the real model, and the bundled guides built on it.

Session-scoped: indexing the five sample files takes a couple of minutes on a small
machine, so every guide test shares one library and one open engine (the embedded index
admits one client per folder).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest_guides import GuideLibrary

from careguide.api.engine import Engine
from careguide.api.settings import Settings
from careguide.guides.build import build_guide
from careguide.guides.spec import bundled_spec_paths, load_spec
from careguide.ingest.pipeline import ingest_paths
from careguide.ingest.storage import LibraryStore


@pytest.fixture(scope="session")
def library(tmp_path_factory: pytest.TempPathFactory, corpus_dir: Path) -> Iterator[GuideLibrary]:
    data_dir = tmp_path_factory.mktemp("guides-data")
    settings = Settings(data_dir=data_dir)
    result = ingest_paths([corpus_dir], settings.ingest, library=LibraryStore(data_dir))
    engine = Engine(settings)
    engine.index(result.passages)
    passages = LibraryStore(data_dir).passages()
    guides = {}
    for path in bundled_spec_paths():
        spec = load_spec(path)
        guides[spec.id] = build_guide(
            spec, engine=engine, spec_text=path.read_text(encoding="utf-8"), passages=passages
        )
    try:
        yield GuideLibrary(settings, engine, passages, guides)
    finally:
        engine.close()
