"""The catalogue of sources: loading, validation messages, matching files, inferred metadata."""

from __future__ import annotations

import hashlib
import re
import textwrap
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from careguide.ingest.catalogue import (
    Catalogue,
    CatalogueEntry,
    citation_prefix,
    meta_for,
    shorten,
    slugify,
)
from careguide.ingest.errors import CatalogueError
from careguide.ingest.models import DocKind, DocStatus, Document, DocumentMeta, PageText

CORPUS = Path(__file__).resolve().parents[3] / "shared" / "corpus"

SAMPLE_FILES = {
    "000_61f4a2b2d467ed73.txt": "putting-children-first-2016",
    "001_af527735ee4a1082.txt": "vision-for-change-2016",
    "002_20ebd25bc5df8aa3.txt": "croydon-cabinet-ofsted-2017",
    "003_91663a67e31fcc36.txt": "stable-homes-2023",
    "004_80413ab7c43692f4.txt": "nspcc-putting-children-first-summary-2016",
}

VALID_ENTRY = """\
  - id: {id}
    title: Working together to safeguard children
    short_title: Working Together
    publisher: DfE
    date: "{date}"
    kind: {kind}
    status: {status}
    superseded_by: {superseded_by}
    audience: [practitioner]
    url: null
"""


def catalogue_text(**fields: str) -> str:
    values = {
        "id": "wt-2023",
        "date": "2023-12",
        "kind": "statutory guidance",
        "status": "current",
        "superseded_by": "null",
        **fields,
    }
    return "documents:\n" + VALID_ENTRY.format(**values)


def load_text(tmp_path: Path, text: str) -> Catalogue:
    path = tmp_path / "catalogue.yaml"
    path.write_text(text, encoding="utf-8")
    return Catalogue.load(path)


def document(source: str, text: str, *, sha256: str | None = None, path: str = "") -> Document:
    return Document(
        source=source,
        path=path or source,
        format="txt",
        sha256=sha256 or hashlib.sha256(text.encode()).hexdigest(),
        pages=[PageText(number=None, text=text)],
    )


# ---- the bundled catalogue ---------------------------------------------------------------------


def test_bundled_catalogue_loads_with_the_chosen_ids() -> None:
    catalogue = Catalogue.load()

    assert [entry.id for entry in catalogue] == [
        *SAMPLE_FILES.values(),
        "working-together-2023",
        "working-together-2018",
        "kinship-care-guidance-2024",
        "ilacs-framework",
    ]
    assert catalogue.get("working-together-2018").superseded_by == "working-together-2023"
    assert catalogue.get("working-together-2018").status is DocStatus.superseded
    assert catalogue.get("stable-homes-2023").status is DocStatus.current
    assert "ilacs-framework" in catalogue and len(catalogue) == 9


def test_official_addresses_are_https_and_gov_uk_where_the_publisher_is_government() -> None:
    for entry in Catalogue.load():
        if entry.url is not None:
            assert entry.url.startswith("https://")
        if entry.url and entry.publisher in {"DfE", "Ofsted"}:
            assert entry.url.startswith("https://www.gov.uk/")


def test_unknown_id_names_the_known_ones() -> None:
    catalogue = Catalogue.parse(catalogue_text())

    with pytest.raises(CatalogueError) as error:
        catalogue.get("wt-2099")

    assert str(error.value) == "no document 'wt-2099' in catalogue.yaml; known ids: wt-2023"


# ---- validation messages -----------------------------------------------------------------------


def test_bad_yaml_names_the_file_and_line(tmp_path: Path) -> None:
    with pytest.raises(CatalogueError) as error:
        load_text(tmp_path, "documents:\n  - id: a\n   title: x\n")

    assert str(error.value) == (
        "catalogue.yaml: not valid YAML at line 3:"
        " expected <block end>, but found '<block mapping start>'"
    )


def test_bad_status_names_the_entry_and_field(tmp_path: Path) -> None:
    with pytest.raises(CatalogueError) as error:
        load_text(tmp_path, catalogue_text(status="old"))

    assert str(error.value) == (
        "catalogue.yaml: entry 'wt-2023':"
        " status 'old' is not one of current, superseded, historical"
    )


def test_unknown_superseded_by_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(CatalogueError) as error:
        load_text(
            tmp_path, catalogue_text(id="wt-2018", status="superseded", superseded_by="wt-2099")
        )

    assert str(error.value) == (
        "catalogue.yaml: entry 'wt-2018': superseded_by 'wt-2099' is not an id in the catalogue"
    )


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            catalogue_text(kind="guidance"),
            "catalogue.yaml: entry 'wt-2023': kind 'guidance' is not one of statutory guidance,"
            " inspection framework or handbook, inspection report, practice guide,"
            " policy or strategy, consultation, summary, local report",
        ),
        (
            catalogue_text(date="Dec 2023"),
            "catalogue.yaml: entry 'wt-2023': date 'Dec 2023' is not YYYY-MM or YYYY-MM-DD",
        ),
        (
            catalogue_text(date="2023-13"),
            "catalogue.yaml: entry 'wt-2023': date '2023-13' is not YYYY-MM or YYYY-MM-DD",
        ),
        (
            catalogue_text(id="WT 2023"),
            "catalogue.yaml: entry 'WT 2023': id 'WT 2023' must be lower-case letters,"
            " digits and single hyphens",
        ),
        (
            catalogue_text().replace("    title:", "    titel:"),
            "catalogue.yaml: entry 'wt-2023': unknown field 'titel'",
        ),
        (
            catalogue_text().replace("    publisher: DfE\n", ""),
            "catalogue.yaml: entry 'wt-2023': missing field 'publisher'",
        ),
        (
            catalogue_text().replace("[practitioner]", "[practitioner, parent]"),
            "catalogue.yaml: entry 'wt-2023': audience 'parent' is not one of practitioner,"
            " carer, child, trainer, manager",
        ),
        (
            catalogue_text() + catalogue_text().removeprefix("documents:\n"),
            "catalogue.yaml: entry 'wt-2023': id is used by another entry",
        ),
        (
            catalogue_text().replace("    title: Working", "    title: ''\n    x: Working"),
            "catalogue.yaml: entry 'wt-2023': unknown field 'x'",
        ),
        (
            catalogue_text().replace("    title: Working together", "    title: ' '\n    #"),
            "catalogue.yaml: entry 'wt-2023': title must not be empty",
        ),
        (
            catalogue_text(id="a").replace("url: null", "files: [{name: f.txt}]")
            + catalogue_text(id="b")
            .replace("url: null", "files: [{name: F.txt}]")
            .removeprefix("documents:\n"),
            "catalogue.yaml: entry 'b': file 'F.txt' is already listed under 'a'",
        ),
        (
            catalogue_text().replace("url: null", "files: [{sha256: ABC}]"),
            "catalogue.yaml: entry 'wt-2023': files: sha256 'ABC' is not 64 lower-case hex digits",
        ),
        ("documents:\n  - 3\n", "catalogue.yaml: entry 1: expected a mapping of fields"),
        ("- id: a\n", "catalogue.yaml: expected a top-level 'documents:' list of entries"),
    ],
)
def test_validation_errors_are_one_line_naming_entry_and_field(
    tmp_path: Path, text: str, message: str
) -> None:
    with pytest.raises(CatalogueError) as error:
        load_text(tmp_path, text)

    assert str(error.value) == message


def test_missing_catalogue_file_says_what_to_do(tmp_path: Path) -> None:
    with pytest.raises(CatalogueError, match="no such file; check catalogue_path"):
        Catalogue.load(tmp_path / "nowhere.yaml")


# ---- matching files ----------------------------------------------------------------------------


@pytest.mark.parametrize(("name", "doc_id"), SAMPLE_FILES.items())
def test_each_sample_file_matches_its_entry_by_name(name: str, doc_id: str) -> None:
    text = (CORPUS / name).read_text(encoding="utf-8")
    doc = document(name, text, sha256="0" * 64, path=str(CORPUS / name))

    entry = Catalogue.load().match(doc)

    assert entry is not None and entry.id == doc_id


@pytest.mark.parametrize(("name", "doc_id"), SAMPLE_FILES.items())
def test_each_sample_file_matches_its_entry_by_checksum_when_renamed(
    name: str, doc_id: str
) -> None:
    data = (CORPUS / name).read_bytes()
    doc = document("renamed.txt", data.decode("utf-8"), sha256=hashlib.sha256(data).hexdigest())

    entry = Catalogue.load().match(doc)

    assert entry is not None and entry.id == doc_id


def test_checksum_wins_over_file_name() -> None:
    data = (CORPUS / "003_91663a67e31fcc36.txt").read_bytes()
    doc = document("000_61f4a2b2d467ed73.txt", "x", sha256=hashlib.sha256(data).hexdigest())

    entry = Catalogue.load().match(doc)

    assert entry is not None and entry.id == "stable-homes-2023"


def test_a_fetched_file_named_after_its_id_matches() -> None:
    entry = Catalogue.load().match(document("working-together-2023.html", "<html></html>"))

    assert entry is not None and entry.id == "working-together-2023"


def test_catalogued_metadata_comes_from_the_entry() -> None:
    text = (CORPUS / "003_91663a67e31fcc36.txt").read_text(encoding="utf-8")

    meta = meta_for(document("003_91663a67e31fcc36.txt", text), Catalogue.load())

    assert meta.doc_id == "stable-homes-2023"
    assert meta.inferred is False
    assert meta.kind is DocKind.policy
    assert citation_prefix(meta) == "Stable Homes, Built on Love (DfE, Feb 2023)"


# ---- inferred metadata -------------------------------------------------------------------------

UNCATALOGUED = textwrap.dedent(
    """\
    Department for Education

    Contents

    Fostering placements: a practice guide for supervising social workers

    Updated 3 June 2024

    Published: 14 March 2022

    © Crown copyright 2022

    1. Introduction

    1.1 This guide is for supervising social workers. It covers the first year of a
    placement, and what to record at each review.
    """
)


def test_uncatalogued_text_gets_inferred_metadata() -> None:
    doc = document("Fostering Guide (final) v2.txt", UNCATALOGUED)

    meta = meta_for(doc, Catalogue.load())

    assert meta == DocumentMeta(
        doc_id="fostering-guide-final-v2",
        title="Fostering placements: a practice guide for supervising social workers",
        short_title="Fostering placements: a practice guide for supervising…",
        publisher="DfE",
        date="2022-03-14",
        kind=DocKind.practice_guide,
        status=DocStatus.unknown,
        inferred=True,
    )


def test_title_hint_wins_and_the_first_date_is_used_without_published() -> None:
    text = "Council report\n\nOn 5 May 2021 the panel met; it met again in June 2021.\n"
    doc = document("panel.txt", text).model_copy(update={"title_hint": "Panel minutes"})

    meta = meta_for(doc, Catalogue.load())

    assert (meta.title, meta.short_title, meta.date, meta.inferred) == (
        "Panel minutes",
        "Panel minutes",
        "2021-05-05",
        True,
    )


def test_a_council_report_is_recognised() -> None:
    text = (
        "REPORT TO:\tCabinet 9 March 2020\nSUBJECT:\tFostering sufficiency\n\n"
        "The London Borough of Sutton's plan.\n"
    )

    meta = meta_for(document("cab-item-7.txt", text), Catalogue.load())

    assert (meta.title, meta.publisher, meta.date, meta.kind) == (
        "Fostering sufficiency",
        "Sutton Council",
        "2020-03-09",
        DocKind.local_report,
    )


def test_text_with_nothing_recognisable_falls_back_to_the_file_name() -> None:
    meta = meta_for(document("notes_from_visit.txt", "ok\n\n12\n"), Catalogue.load())

    assert (meta.doc_id, meta.title, meta.publisher, meta.date, meta.kind) == (
        "notes-from-visit",
        "Notes from visit",
        "",
        "",
        DocKind.unknown,
    )


# ---- citations, slugs, short titles ------------------------------------------------------------


@pytest.mark.parametrize(
    ("publisher", "date", "expected"),
    [
        ("DfE", "2023-02", "Stable Homes, Built on Love (DfE, Feb 2023)"),
        ("Department for Education", "2023-02-02", "Stable Homes, Built on Love (DfE, Feb 2023)"),
        ("NSPCC", "2016", "Stable Homes, Built on Love (NSPCC, 2016)"),
        ("", "2023-09", "Stable Homes, Built on Love (Sep 2023)"),
        ("London Borough of Croydon", "", "Stable Homes, Built on Love (Croydon Council)"),
        ("", "", "Stable Homes, Built on Love"),
    ],
)
def test_citation_prefix(publisher: str, date: str, expected: str) -> None:
    meta = DocumentMeta(
        doc_id="x",
        title="t",
        short_title="Stable Homes, Built on Love",
        publisher=publisher,
        date=date,
    )

    assert citation_prefix(meta) == expected


def test_every_bundled_entry_has_a_citation_with_publisher_and_date() -> None:
    for entry in Catalogue.load():
        prefix = citation_prefix(entry.to_meta())
        assert re.fullmatch(r".+ \((DfE|Ofsted|NSPCC|Croydon Council), (\w{3} )?\d{4}\)", prefix)


def test_entry_to_meta_keeps_every_field() -> None:
    entry = Catalogue.load().get("working-together-2018")

    meta = entry.to_meta()

    assert isinstance(entry, CatalogueEntry)
    assert (meta.doc_id, meta.status, meta.superseded_by, meta.inferred) == (
        "working-together-2018",
        DocStatus.superseded,
        "working-together-2023",
        False,
    )


@given(st.text())
def test_slugs_are_safe_and_short(text: str) -> None:
    slug = slugify(text)

    assert re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", slug)
    assert len(slug) <= 60


@given(st.text(min_size=1))
def test_short_titles_are_prefixes_cut_at_words(title: str) -> None:
    short = shorten(title)
    plain = " ".join(title.split())

    assert len(short) <= 61
    assert plain.startswith(short.removesuffix("…").rstrip(" ,;:–-"))
