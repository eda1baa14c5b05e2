"""Hostile markup in the library and in questions shows as text in the page, and never runs.

A document whose passages and title hold the usual cross-site scripting payloads (an
``<img onerror>``, a ``javascript:`` link, ``<svg onload>``, an ``<iframe>``, a script that
closes an attribute first, a Markdown link to ``javascript:``) is ingested into a library
of its own; the app is served over it (this module's ``site`` overrides the shared one) and
driven in headless Chromium: the answer, the citation dialog, its context, the library page
and a question typed with markup must show the payloads as text, add no such elements, open
no alert and break no Content Security Policy rule.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from conftest_browser import PageProblems, no_page_errors, running_site

from careguide.api.engine import Engine
from careguide.api.server_settings import ServerSettings
from careguide.api.settings import Settings
from careguide.index.embedder import Embedder
from careguide.ingest.models import DocKind, DocStatus
from careguide.ingest.pipeline import ingest_paths
from careguide.ingest.storage import LibraryStore

PAYLOADS = {
    "IMGMARK": "<img src=x onerror=alert(1)>",
    "LINKMARK": '<a href="javascript:alert(2)">claim now</a>',
    "SVGMARK": "<svg onload=alert(3)>",
    "FRAMEMARK": '<iframe src="javascript:alert(4)"></iframe>',
    "QUOTEMARK": '"><script>alert(5)</script>',
    "MDMARK": "[apply here](javascript:alert(6))",
}
TITLE = 'Damson grants <img src=x onerror=alert("title")>'
DAMSON = """Damson grants for kinship carers

1. A damson grant must be paid to each kinship carer every month. IMGMARK The grant LINKMARK helps with school uniform SVGMARK and travel to family time.

2. The council should explain damson grants in writing FRAMEMARK and say how to apply QUOTEMARK for one MDMARK before the first review.
"""
QUESTION = "How often must a damson grant be paid?"
HOSTILE_QUESTION = 'Is a damson grant paid monthly? <img src=x onerror=alert("question")>'
ELEMENTS = "img, svg, iframe, script, a[href^='javascript']"


def build_hostile_library(data_dir: Path, embedder: Embedder) -> Settings:
    """The damson document, with its markup put back after ingest (the cleaner strips tags
    from text files, but a library may still hold them: an HTML page quoting code, say)."""
    corpus = data_dir / "corpus"
    corpus.mkdir(parents=True)
    (corpus / "damson-grants.txt").write_text(DAMSON, encoding="utf-8")
    settings = Settings(
        data_dir=data_dir,
        server=ServerSettings(search_per_minute=0, ask_per_minute=0, feedback_per_minute=0),
    )
    library = LibraryStore(data_dir)
    result = ingest_paths([corpus], settings.ingest, library=library)

    def unmark(text: str) -> str:
        for mark, html in PAYLOADS.items():
            text = text.replace(mark, html)
        return text

    (doc,) = result.documents
    doc.meta = doc.meta.model_copy(
        update={
            "title": TITLE,
            "short_title": TITLE,
            "date": "2024-05",
            "kind": DocKind.statutory_guidance,
            "status": DocStatus.current,
        }
    )
    doc.text = unmark(doc.text)
    doc.passages = [
        p.model_copy(update={"text": unmark(p.text), "meta": doc.meta, "title": TITLE})
        for p in doc.passages
    ]
    library.save(doc)
    library.save_passages(doc.passages)
    with Engine(settings, embedder=embedder) as engine:
        engine.index(doc.passages)
    return settings


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory, embedder: Embedder) -> Iterator[str]:
    """Overrides the shared site: the app over the hostile library only."""
    settings = build_hostile_library(tmp_path_factory.mktemp("hostile-data"), embedder)
    with running_site(settings, embedder) as url:
        yield url


def ask(page: Any, question: str) -> Any:
    before = page.locator("article.turn").count()
    page.locator("#question").fill(question)
    page.locator("#question").press("Enter")
    turn = page.locator("article.turn").nth(before)
    turn.locator('.answer-text[aria-busy="false"]').wait_for()
    return turn


def no_injected_elements(page: Any, *scopes: str) -> None:
    for scope in scopes:
        found = page.locator(f"{scope} :is({ELEMENTS})").count()
        assert found == 0, f"{found} injected element(s) in {scope}"


def test_markup_in_passages_shows_as_text_in_answer_citation_and_context(
    page: Any, problems: PageProblems
) -> None:
    page.goto("/")
    turn = ask(page, QUESTION)
    assert turn.locator("button.cite").count() >= 1
    shown = turn.inner_text()

    turn.locator("button.cite").first.click()
    cited = page.locator("#citation-text").inner_text()
    page.locator("#citation-context-button").click()
    page.locator(".context__passage--cited").wait_for()
    context = page.locator("#citation-context").inner_text()

    everything = "\n".join([shown, cited, context, page.locator("dialog#citation").inner_text()])
    for payload in PAYLOADS.values():
        assert payload in everything, f"{payload!r} is not shown as text"
    assert TITLE in page.locator("dialog#citation").inner_text()
    no_injected_elements(page, "#conversation", "dialog#citation")
    page.wait_for_timeout(300)  # an injected handler would have fired by now
    no_page_errors(problems)


def test_markup_typed_in_a_question_shows_as_text(page: Any, problems: PageProblems) -> None:
    page.goto("/")
    turn = ask(page, HOSTILE_QUESTION)

    assert HOSTILE_QUESTION in turn.locator(".turn__q").inner_text()
    no_injected_elements(page, "#conversation")
    page.wait_for_timeout(300)
    no_page_errors(problems)


def test_markup_in_a_document_title_shows_as_text_in_the_library(
    page: Any, problems: PageProblems
) -> None:
    page.goto("/library.html")
    table = page.locator("table.library").first
    table.wait_for()

    assert TITLE in table.inner_text()
    no_injected_elements(page, "table.library")
    page.wait_for_timeout(300)
    no_page_errors(problems)
