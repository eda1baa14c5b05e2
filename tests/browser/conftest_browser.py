"""Helpers for the browser tests: a small library, the real app on loopback, headless
Chromium through Playwright, axe-core, and screenshots kept under artifacts/screenshots.

Imported explicitly by the test modules (``from conftest_browser import ...``). The app is
the real ``create_app`` over a library built in a temporary folder: two sample files plus
one made-up document whose passage holds HTML, so the tests can prove the page shows
passage text as text. The packaged embedding model is used (not the hashing one) so that
answers are grounded and carry citations, as they do for users.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from loopback import running_server

from careguide.api.app import create_app
from careguide.api.engine import Engine
from careguide.api.server_settings import ServerSettings
from careguide.api.settings import Settings
from careguide.index.embedder import Embedder
from careguide.ingest.models import DocKind, DocStatus
from careguide.ingest.pipeline import ingest_paths
from careguide.ingest.storage import LibraryStore

PROJECT = Path(__file__).resolve().parents[2]
CORPUS = Path(os.environ.get("CAREGUIDE_TEST_CORPUS", PROJECT.parent / "shared" / "corpus"))
SAMPLE_FILES = ("004_80413ab7c43692f4.txt",)
CHROMIUM = Path(os.environ.get("CAREGUIDE_CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
AXE = Path(__file__).resolve().parent / "node_modules" / "axe-core" / "axe.min.js"
SCREENSHOTS = PROJECT / "artifacts" / "screenshots"
AXE_REPORTS = PROJECT / "artifacts" / "axe"

SCRIPT = "<script>alert(1)</script>"
BOLD = "<b>bold</b>"
MARMALADE = """Marmalade grants for kinship carers

1. Marmalade grants help kinship carers pay for school uniform and travel. SCRIPT_HERE The BOLD_HERE rule is that a marmalade grant must be paid every month.

2. A council should explain marmalade grants to every kinship carer in writing, and say how to apply.

3. Kinship carers can ask the council to review a decision about a marmalade grant.
"""
MARMALADE_QUESTION = "How often must a marmalade grant be paid?"


def build_library(data_dir: Path, embedder: Embedder) -> Settings:
    """Ingest a sample file and the marmalade document into ``data_dir``, and index them.

    The ingest cleaner strips tags from text files, so the marmalade passages get their
    markup back afterwards: literal HTML in a passage is what the page must survive.
    """
    corpus = data_dir / "corpus"
    corpus.mkdir(parents=True, exist_ok=True)
    for name in SAMPLE_FILES:
        shutil.copy(CORPUS / name, corpus / name)
    (corpus / "marmalade-grants.txt").write_text(
        MARMALADE.replace("SCRIPT_HERE", "SCRIPTMARK").replace("BOLD_HERE", "BOLDMARK"),
        encoding="utf-8",
    )
    settings = Settings(
        data_dir=data_dir,
        server=ServerSettings(search_per_minute=0, ask_per_minute=0, feedback_per_minute=0),
    )
    library = LibraryStore(data_dir)
    result = ingest_paths([corpus], settings.ingest, library=library)
    marked = {"SCRIPTMARK": SCRIPT, "BOLDMARK": BOLD}

    def unmark(text: str) -> str:
        for mark, html in marked.items():
            text = text.replace(mark, html)
        return text

    for doc in result.documents:
        if doc.source != "marmalade-grants.txt":
            continue
        meta = doc.meta.model_copy(
            update={
                "title": "Marmalade grants for kinship carers",
                "short_title": "Marmalade grants",
                "date": "2024-05",
                "kind": DocKind.statutory_guidance,
                "status": DocStatus.current,
            }
        )
        doc.meta = meta
        doc.text = unmark(doc.text)
        doc.passages = [
            p.model_copy(update={"text": unmark(p.text), "meta": meta, "title": meta.title})
            for p in doc.passages
        ]
        library.save(doc)
    fixed = {p.id: p for d in result.documents for p in d.passages}
    passages = [fixed.get(p.id, p) for p in result.passages]
    library.save_passages(passages)
    with Engine(settings, embedder=embedder) as engine:
        engine.index(passages)
    return settings


@contextlib.contextmanager
def running_site(settings: Settings, embedder: Embedder) -> Iterator[str]:
    """The real app over ``settings`` served by uvicorn on loopback; yields the base URL."""
    engine = Engine(settings, embedder=embedder)
    app = create_app(settings, engine=engine)
    try:
        with running_server(app, start_timeout=60) as url:
            yield url
    finally:
        engine.close()


@contextlib.contextmanager
def chromium() -> Iterator[Any]:
    """Debian's Chromium driven by Playwright (Playwright's own browser download is not used)."""
    if not CHROMIUM.exists():
        pytest.skip(
            f"no Chromium at {CHROMIUM}: install it with `apt-get install -y chromium` "
            "(CI's .ci/run does) or point CAREGUIDE_CHROMIUM at one"
        )
    if _open:  # Playwright's sync API runs one driver per thread: share the open browser
        yield _open[0]
        return
    playwright_api = pytest.importorskip("playwright.sync_api")
    with playwright_api.sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        _open.append(browser)
        try:
            yield browser
        finally:
            _open.clear()
            browser.close()


_open: list[Any] = []
"""The browser ``chromium()`` has open, if any (the session's, in a full run)."""


def axe_path() -> Path:
    if not AXE.exists():
        pytest.fail(f"axe-core missing at {AXE}: run `npm ci` in tests/browser (make does)")
    return AXE


def run_axe(page: Any, *, name: str | None = None) -> list[dict[str, Any]]:
    """axe-core's violations on the page (WCAG 2.0-2.2 A and AA plus best practice);
    with ``name``, a summary is kept in artifacts/axe/<name>.json.

    axe is loaded as an init script (see the ``page`` fixture): the page's CSP allows no
    inline script, so ``add_script_tag`` would be refused, and the CSP stays on in tests.
    """
    result: dict[str, Any] = page.evaluate(
        """async () => axe.run(document, {
            runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa',
                                            'wcag22aa', 'best-practice']},
            resultTypes: ['violations'],
        })"""
    )
    assert result["passes"], "axe checked nothing: is the page empty?"
    violations: list[dict[str, Any]] = result["violations"]
    if name:
        AXE_REPORTS.mkdir(parents=True, exist_ok=True)
        summary = [
            {"id": v["id"], "impact": v["impact"], "help": v["help"], "nodes": len(v["nodes"])}
            for v in violations
        ]
        (AXE_REPORTS / f"{name}.json").write_text(json.dumps(summary, indent=1), encoding="utf-8")
    return violations


def serious(violations: list[dict[str, Any]]) -> list[str]:
    """The serious and critical violations, one line each with the first offending node."""
    return [
        f"{v['impact']}: {v['id']} ({v['help']}) at {v['nodes'][0]['target'] if v['nodes'] else '?'}"
        for v in violations
        if v.get("impact") in {"serious", "critical"}
    ]


def screenshot(page: Any, name: str, *, full_page: bool = True) -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=full_page)
    return path


class PageProblems:
    """Console errors and CSP refusals seen while a test ran, and any alert() opened."""

    def __init__(self) -> None:
        self.console: list[str] = []
        self.alerts: list[str] = []


def no_page_errors(problems: PageProblems) -> None:
    assert not problems.alerts, f"an alert() ran: {problems.alerts}"
    csp = [m for m in problems.console if "Content Security Policy" in m]
    assert not csp, f"the CSP refused something: {csp}"
    assert not problems.console, f"console errors: {problems.console}"


def focus_is_visible(page: Any) -> bool:
    """The focused element, or the label wrapping a focused radio, draws a focus ring."""
    return bool(
        page.evaluate(
            """() => {
              const drawn = (el) => {
                const s = getComputedStyle(el);
                return (s.outlineStyle !== 'none' && s.outlineWidth !== '0px')
                  || (s.boxShadow !== 'none' && s.boxShadow !== '');
              };
              const el = document.activeElement;
              const label = el.closest('label');
              return drawn(el) || (label !== null && drawn(label));
            }"""
        )
    )


def no_horizontal_scroll(page: Any) -> None:
    widths = page.evaluate(
        "() => [document.documentElement.scrollWidth, document.documentElement.clientWidth]"
    )
    assert widths[0] <= widths[1], f"page is {widths[0]} px wide in a {widths[1]} px window"
