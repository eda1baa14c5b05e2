"""The shared Engine: an unchanged passage set is not re-indexed; a change is."""

from __future__ import annotations

from pathlib import Path

from passages import build_passage

from careguide.api.engine import Engine
from careguide.api.settings import Settings
from careguide.index.embedder import HashingEmbedder
from careguide.ingest.models import Passage


def _passage(i: int, text: str) -> Passage:
    return build_passage(
        text,
        doc_id="d",
        paragraph=str(i),
        passage_id=f"d:{i}",
        source="d.txt",
        short_title="Guide",
        citation=f"Guide, para {i}",
        date="2024-01",
    )


def test_unchanged_passages_skip_the_build_and_changes_rebuild(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path)
    passages = [
        _passage(1, "Kinship carers can ask the council for support."),
        _passage(2, "Special guardians may receive an allowance."),
    ]
    with Engine(settings, embedder=HashingEmbedder(dim=32)) as engine:
        first = engine.index(passages)
        assert not first.skipped and first.passages == 2
        again = engine.index(passages)
        assert again.skipped and again.collection == first.collection
        changed = engine.index(
            [*passages[:1], _passage(2, "Special guardians may get a monthly allowance.")]
        )
        assert not changed.skipped and changed.collection != first.collection
        hits = engine.search("monthly allowance for special guardians", k=1)
        assert hits[0].passage.text.startswith("Special guardians may get")
        forced = engine.index(passages, force=True)
        assert not forced.skipped
