"""End-to-end ingest of the sample corpus: the acceptance points of the ingest issue."""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

import pytest

from careguide.ingest.models import Passage, PassageKind
from careguide.ingest.pipeline import ingest_paths
from careguide.ingest.settings import IngestSettings


@pytest.fixture(scope="module")
def passages(corpus_dir: Path) -> list[Passage]:
    result = ingest_paths([corpus_dir], IngestSettings())
    assert not result.failed
    return result.passages


def _by_source(passages: list[Passage], prefix: str) -> list[Passage]:
    return [p for p in passages if p.source.startswith(prefix)]


def test_every_numbered_paragraph_of_003_once_with_its_chapter(passages: list[Passage]) -> None:
    main = [p for p in _by_source(passages, "003") if not p.part and p.kind != PassageKind.footnote]
    counts = Counter(n for p in main for n in p.paragraphs)
    assert [n for n in range(1, 376) if counts[str(n)] != 1] == []
    for p in main:
        if p.paragraphs:
            assert any(h.startswith("Chapter ") for h in p.heading_path), p.citation
    para_133 = next(p for p in main if p.paragraphs == ["133"])
    assert "ch. 4" in para_133.citation and para_133.citation.endswith("para 133")


def test_002_numbering_schemes_are_told_apart(passages: list[Passage]) -> None:
    p002 = [p for p in _by_source(passages, "002") if p.kind != PassageKind.footnote]
    parts_with_para_1 = {p.part for p in p002 if p.paragraphs == ["1"]}
    assert len(parts_with_para_1) >= 3
    para_1 = [p.citation for p in p002 if p.paragraphs == ["1"]]
    assert len(set(para_1)) == len(para_1)  # the same number never cites the same way twice
    assert any(p.part == "Cover report" and p.paragraphs == ["1.1"] for p in p002)
    for scheme in (
        "Ofsted inspection of Croydon",
        "re-inspection handbook",
        "Putting children first",
    ):
        assert any(c.startswith(scheme) or scheme in c for c in para_1), scheme


def test_no_passages_from_contents_footers_or_place_names(passages: list[Passage]) -> None:
    for p in passages:
        assert not re.search(r"\t\s*\d+\s*$|\.{4,}\s*\d+", p.text), p.citation
        assert "Submit an enquiry" not in p.text
    p002 = " ".join(p.text for p in _by_source(passages, "002"))
    # the flattened adoption-agency map: long runs of bare place names never survive
    assert not re.search(r"(?:\b[A-Z][a-z]+\b\s*\n){10,}", p002)


def test_no_extraction_debris(passages: list[Passage]) -> None:
    for p in passages:
        for debris in ("**", "](#)", "<p>", "data-bbox", "<ul"):
            assert debris not in p.text, (debris, p.citation)
        assert not re.search(r"\b[a-z]{3,}\d{1,3}\b", p.text), p.citation
        assert not re.search(r"[a-z][¹²³⁴⁵⁶⁷⁸⁹⁰]", p.text), p.citation


def test_near_copy_collapses_to_one_passage_with_alternative_location(
    passages: list[Passage],
) -> None:
    with_alts = [p for p in passages if any(a.source.startswith("000") for a in p.alt_locations)]
    assert len(with_alts) > 50
    assert all(p.source.startswith("002") for p in with_alts)


def test_passages_are_whole_and_sized(passages: list[Passage]) -> None:
    body = [p for p in passages if p.kind == PassageKind.body]
    words = sorted(len(p.text.split()) for p in body)
    assert words[-1] <= 380
    assert words[len(words) // 2] >= 40


def test_parse_only_ingest_is_quick(corpus_dir: Path) -> None:
    result = ingest_paths([corpus_dir], IngestSettings())
    assert result.seconds < 30  # generous bound: the figure for the note comes from the CLI
