"""The Guides page in headless Chromium: the list, a guide read on screen, an exercise run
(open it, search, reveal the answer key), the printable page under the CSP, and axe."""

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

PACK = "ecf-child-protection-2023"


def test_guides_page_lists_the_bundled_guides(page: Any, problems: PageProblems) -> None:
    page.goto("/guides.html")
    cards = page.locator(".guide-card")
    cards.first.wait_for()
    assert cards.count() >= 3
    titles = " ".join(cards.locator("h2").all_inner_texts())
    assert "Kinship care: what support is there?" in titles
    assert "Child protection reform 2023" in titles
    assert page.locator('nav a[aria-current="page"]').inner_text() == "Guides"
    violations = run_axe(page, name="guides-list")
    assert not serious(violations), serious(violations)
    no_page_errors(problems)


def test_a_trainer_runs_an_exercise(page: Any, problems: PageProblems) -> None:
    page.set_default_timeout(120_000)  # the pack is built on first request
    page.goto(f"/guides.html#{PACK}")
    view = page.locator("#guide")
    view.locator(".guide-exercise").first.wait_for()
    assert view.locator("#guide-title").inner_text() == "Child protection reform 2023"
    assert view.locator(".guide-section").count() == 6
    exercise = view.locator(".guide-exercise").first
    body = exercise.locator(".guide-exercise__body")
    assert body.is_hidden()
    opener = exercise.locator("button.button[aria-controls]").first
    assert opener.inner_text() == "Open the exercise"
    opener.click()
    assert body.is_visible() and opener.get_attribute("aria-expanded") == "true"

    exercise.get_by_label("Search the guidance").fill("who makes child protection decisions")
    exercise.get_by_role("button", name="Search").click()
    exercise.locator(".guide-search__hit").first.wait_for()

    key = exercise.locator(".guide-key")
    assert key.is_hidden()
    reveal = exercise.locator("button[aria-controls$='-key']")
    assert reveal.inner_text() == "Show the answer key"
    reveal.click()
    assert key.is_visible() and reveal.get_attribute("aria-expanded") == "true"
    assert reveal.inner_text() == "Hide the answer key"
    assert key.locator(".guide-key__item").count() >= 1
    assert key.locator("blockquote").first.inner_text().strip()
    screenshot(page, "guides-exercise")
    violations = run_axe(page, name="guides-exercise")
    assert not serious(violations), serious(violations)
    no_page_errors(problems)


def test_printable_guide_is_accessible_under_the_csp(page: Any, problems: PageProblems) -> None:
    page.set_default_timeout(120_000)
    page.goto(f"/api/guides/{PACK}")
    page.locator("h1").wait_for()
    assert page.locator("h1").inner_text() == "Child protection reform 2023"
    # the stylesheet is linked, so the CSP (no inline style) leaves it applied
    assert page.evaluate("getComputedStyle(document.querySelector('.guide')).maxWidth") != "none"
    violations = run_axe(page, name="guide-printable")
    assert not serious(violations), serious(violations)
    no_page_errors(problems)


def test_guides_page_fits_a_phone(phone: Any, problems: PageProblems) -> None:
    phone.set_default_timeout(120_000)
    phone.goto(f"/guides.html#{PACK}")
    phone.locator("#guide .guide-exercise").first.wait_for()
    no_horizontal_scroll(phone)
    violations = run_axe(phone, name="guides-phone")
    assert not serious(violations), serious(violations)
    no_page_errors(problems)
