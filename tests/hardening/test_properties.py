"""Property tests for the pure steps between a file and a cited answer: cleaning, chunking
and citation formatting. Each states an invariant and lets hypothesis hunt for a
counter-example (the existing ones: tests/ingest/test_clean.py, tests/api/test_llm.py)."""

from __future__ import annotations

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from careguide.api.llm import CheckedSentence, split_sentences
from careguide.index import sentences as index_sentences
from careguide.ingest import clean
from careguide.ingest.catalogue import citation_prefix
from careguide.ingest.chunk import ChunkedDocument, chunk, make_citation
from careguide.ingest.models import DocumentMeta, PageText
from careguide.ingest.structure import Block, lines_from_pages, parse_blocks

META = DocumentMeta(
    doc_id="t", title="Test guidance", short_title="Test guidance", publisher="DfE", date="2023-02"
)
WORDS = st.sampled_from(
    [
        "children",
        "council",
        "must",
        "should",
        "carers",
        "assessment",
        "plan",
        "review",
        "family",
        "support",
        "the",
        "a",
        "of",
        "local",
        "authority",
        "kinship",
        "placement",
        "£200",
        "2023",
        "25%",
        "section",
        "17",
        "co-operation",
    ]
)
SENTENCE = st.lists(WORDS, min_size=3, max_size=25).map(lambda w: " ".join(w).capitalize() + ".")
PARAGRAPH = st.lists(SENTENCE, min_size=1, max_size=12).map(" ".join)
HEADING = st.sampled_from(
    ["Assessment", "Family help", "Kinship care", "Leaving care", "Multi-agency working"]
)


@st.composite
def documents(draw: st.DrawFn) -> tuple[str, list[str], list[str]]:
    """Chapters of numbered paragraphs: the text, the numbers in order, the paragraph bodies."""
    chapters = draw(st.integers(1, 3))
    number = draw(st.integers(1, 400))
    parts, numbers, bodies = [], [], []
    for c in range(1, chapters + 1):
        parts.append(f"Chapter {c}: {draw(HEADING)}")
        for _ in range(draw(st.integers(1, 5))):
            body = draw(PARAGRAPH)
            parts.append(f"{number}. {body}")
            numbers.append(str(number))
            bodies.append(body)
            number += 1
    return "\n\n".join(parts) + "\n", numbers, bodies


def _chunked(text: str, min_words: int = 60, max_words: int = 350) -> ChunkedDocument:
    blocks = parse_blocks(lines_from_pages([PageText(number=None, text=text)]))
    prefix = citation_prefix(META)
    return chunk(
        blocks, META, "t.txt", citation_prefix=prefix, min_words=min_words, max_words=max_words
    )


@settings(max_examples=150, deadline=None)
@given(documents(), st.integers(20, 80), st.integers(100, 400))
def test_chunk_offsets_point_back_into_the_cleaned_text_in_order(
    document: tuple[str, list[str], list[str]], min_words: int, max_words: int
) -> None:
    text, _, _ = document
    chunked = _chunked(text, min_words, max_words)

    assert chunked.passages
    end = 0
    for passage in chunked.passages:
        assert chunked.text[passage.start : passage.end] == passage.text
        assert passage.start >= end  # in document order, never overlapping
        end = passage.end
    assert len({p.id for p in chunked.passages}) == len(chunked.passages)


@settings(max_examples=150, deadline=None)
@given(documents())
def test_every_numbered_paragraph_is_cited_once_and_keeps_its_numbers(
    document: tuple[str, list[str], list[str]],
) -> None:
    text, numbers, bodies = document
    passages = _chunked(text).passages

    cited = [n for p in passages for n in p.paragraphs]
    assert sorted(set(cited), key=int) == numbers
    for passage in passages:
        assert passage.citation.startswith("Test guidance (DfE, Feb 2023), ch. ")
        first, last = passage.paragraphs[0], passage.paragraphs[-1]
        shown = f"para {first}" if first == last else f"paras {first}-{last}"
        assert passage.citation.endswith(shown)
    # cleaning and cutting never lose a number written in the body
    joined = " ".join(p.text for p in passages)
    for number in re.findall(r"£?\d+%?", " ".join(bodies)):
        assert number in joined


@settings(max_examples=200, deadline=None)
@given(st.text(st.characters(codec="utf-8"), max_size=200))
def test_inline_cleaning_is_stable_and_one_line(line: str) -> None:
    once = clean.clean_inline(line.replace("\n", " "))
    assert "\n" not in once
    assert clean.clean_inline(once) == once


MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]


@given(
    st.text(st.characters(categories=("L", "N", "Zs", "P")), min_size=1, max_size=60).filter(
        str.strip
    ),
    st.sampled_from(["", "DfE", "Department for Education", "Ofsted", "NSPCC"]),
    st.integers(1990, 2030),
    st.one_of(st.none(), st.integers(1, 12)),
)
def test_citation_prefix_names_the_title_publisher_and_date(
    title: str, publisher: str, year: int, month: int | None
) -> None:
    date = f"{year}-{month:02d}" if month else str(year)
    meta = DocumentMeta(doc_id="d", title=title, short_title=title, publisher=publisher, date=date)

    prefix = citation_prefix(meta)

    assert prefix.startswith(title)
    when = f"{MONTHS[month - 1]} {year}" if month else str(year)
    assert prefix.endswith(f"{when})")
    assert "\n" not in prefix


@given(
    st.lists(st.integers(1, 999).map(str), min_size=0, max_size=4, unique=True),
    st.lists(st.integers(1, 300), min_size=0, max_size=3, unique=True).map(sorted),
    st.sampled_from(["Chapter 4: Assessment", "Annex A: Glossary", "Introduction"]),
)
def test_make_citation_says_paragraphs_or_else_pages(
    numbers: list[str], pages: list[int], heading: str
) -> None:
    block = Block(kind="para", text="Text.", heading_path=[heading], pages=pages)

    cited = make_citation("Guide (DfE, 2023)", [block], numbers, pages)

    assert cited.startswith("Guide (DfE, 2023)")
    if numbers:
        assert ("para " + numbers[0]) in cited or f"paras {numbers[0]}-{numbers[-1]}" in cited
        assert "p. " not in cited
    elif pages:
        assert cited.endswith(
            f"p. {pages[0]}" if len(pages) == 1 else f"pp. {pages[0]}-{pages[-1]}"
        )


@given(
    SENTENCE,
    st.lists(st.integers(1, 9), min_size=1, max_size=3, unique=True),
    st.permutations(list(range(1, 10))),
)
def test_a_rendered_answer_sentence_reads_back_with_its_renumbered_markers(
    text: str, cites: list[int], order: list[int]
) -> None:
    renumber = {old: new for new, old in enumerate(order, 1)}
    sentence = CheckedSentence(text=text, cites=cites)

    rendered = sentence.render(renumber)

    assert re.search(r"(\[\d+\])+\.$", rendered)
    ((read_text, read_cites),) = split_sentences(rendered)
    assert read_text == text
    assert sorted(read_cites) == sorted(renumber[c] for c in cites)


ITEM = st.lists(WORDS, min_size=1, max_size=8).map(
    lambda w: " ".join(w) + ("" if len(w) % 3 else ";")
)


@st.composite
def passages_with_lists(draw: st.DrawFn) -> str:
    """Passage text of sentences, lead-ins ending in a colon and bulleted lists, in any order."""
    lines: list[str] = []
    for _ in range(draw(st.integers(1, 6))):
        kind = draw(st.sampled_from(["sentence", "lead-in", "item", "blank"]))
        if kind == "sentence":
            lines.append(draw(PARAGRAPH))
        elif kind == "lead-in":
            lines.append(draw(SENTENCE)[:-1] + ":")
        elif kind == "item":
            lines.append(f"{draw(st.sampled_from(['-', '•', '*']))} {draw(ITEM)}")
        else:
            lines.append("")
    return "\n".join(lines)


@settings(max_examples=200, deadline=None)
@given(passages_with_lists())
def test_every_sentence_traces_to_its_passage_and_no_number_is_lost(text: str) -> None:
    units = index_sentences.split_sentences(text)
    whole = index_sentences.trace_normalise(text)
    for unit, _ in units:
        assert index_sentences.trace_normalise(unit) in whole, unit
    said = " ".join(unit for unit, _ in units)
    for number in re.findall(r"\d+", text):
        assert number in said
