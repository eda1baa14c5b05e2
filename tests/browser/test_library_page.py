"""The Library page in headless Chromium: every document with its status; axe; phone width."""

from __future__ import annotations

from typing import Any

from conftest_browser import (
    PageProblems,
    no_horizontal_scroll,
    no_page_errors,
    run_axe,
    screenshot,
    serious,
)


def test_library_lists_documents_with_their_status(page: Any, problems: PageProblems) -> None:
    page.goto("/library.html")
    table = page.locator("table.library").first
    table.wait_for()
    rows = table.locator("tbody tr")
    assert rows.count() == 2
    text = table.inner_text()
    assert "Marmalade grants for kinship carers" in text
    assert "Summary of key points from Putting children first" in text
    badges = table.locator(".badge").all_inner_texts()
    assert sorted(badges) == ["Current", "Historical"]
    assert "2 documents in the library" in page.locator("#library-summary").inner_text()
    assert page.locator('nav a[aria-current="page"]').inner_text() == "Library"
    screenshot(page, "library")
    violations = run_axe(page, name="library")
    assert not serious(violations), serious(violations)
    no_page_errors(problems)


def test_library_fits_a_phone(phone: Any, problems: PageProblems) -> None:
    phone.goto("/library.html")
    phone.locator("table.library").first.wait_for()
    no_horizontal_scroll(phone)
    screenshot(phone, "library-phone")
    violations = run_axe(phone, name="library-phone")
    assert not serious(violations), serious(violations)
    no_page_errors(problems)
