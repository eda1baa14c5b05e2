"""Fixtures for the browser tests; the helpers live in conftest_browser.py."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from conftest_browser import PageProblems, axe_path, build_library, chromium, running_site

from careguide.index.embedder import Embedder, build_embedder
from careguide.index.settings import IndexSettings


@pytest.fixture(scope="session")
def embedder() -> Embedder:
    return build_embedder(IndexSettings())


@pytest.fixture(scope="session")
def site(tmp_path_factory: pytest.TempPathFactory, embedder: Embedder) -> Iterator[str]:
    """Base URL of the real app over a small library, served on loopback."""
    settings = build_library(tmp_path_factory.mktemp("browser-data"), embedder)
    with running_site(settings, embedder) as url:
        yield url


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    with chromium() as b:
        yield b


@pytest.fixture
def problems() -> PageProblems:
    return PageProblems()


def _page(browser: Any, site: str, problems: PageProblems, **context: Any) -> Any:
    ctx = browser.new_context(base_url=site, **context)
    ctx.add_init_script(path=str(axe_path()))
    ctx.grant_permissions(["clipboard-read", "clipboard-write"], origin=site)
    page = ctx.new_page()
    page.set_default_timeout(15_000)
    page.on(
        "console",
        lambda msg: problems.console.append(msg.text) if msg.type == "error" else None,
    )

    def on_dialog(dialog: Any) -> None:
        problems.alerts.append(dialog.message)
        dialog.dismiss()

    page.on("dialog", on_dialog)
    return page


@pytest.fixture
def page(browser: Any, site: str, problems: PageProblems) -> Iterator[Any]:
    """A fresh desktop-sized page (1280 x 900) with axe-core loaded on every document."""
    p = _page(browser, site, problems, viewport={"width": 1280, "height": 900})
    yield p
    p.context.close()


@pytest.fixture
def phone(browser: Any, site: str, problems: PageProblems) -> Iterator[Any]:
    """A fresh phone-sized page, 360 px wide."""
    p = _page(
        browser,
        site,
        problems,
        viewport={"width": 360, "height": 740},
        device_scale_factor=2,
        is_mobile=True,
        has_touch=True,
    )
    yield p
    p.context.close()


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "browser: drives the web page in headless Chromium")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if Path(str(item.fspath)).parent == Path(__file__).parent:
            item.add_marker(pytest.mark.browser)
