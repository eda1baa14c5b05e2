"""The chat page in real headless Chromium against the real app: streaming, citations,
modes and the help panel, a keyboard-only pass, copy and feedback, axe, and a phone width."""

from __future__ import annotations

import re
from typing import Any

import pytest
from conftest_browser import (
    BOLD,
    MARMALADE_QUESTION,
    SCRIPT,
    PageProblems,
    focus_is_visible,
    no_horizontal_scroll,
    no_page_errors,
    run_axe,
    screenshot,
    serious,
)

from careguide.api.feedback import FeedbackRecord, FeedbackStore

QUESTION = "What does Putting children first say about accrediting social workers?"
DISCLOSURE = "my stepdad hits me and I'm scared to go home tonight"

# Records every text the streaming answer shows, including the ones replaced a moment later.
WATCH_STREAM = """() => {
  window.__streamed = [];
  new MutationObserver((records) => {
    for (const r of records) {
      const box = r.target.closest ? r.target.closest('.answer-text') : null;
      if (!box || !box.classList.contains('answer-text--streaming')) continue;
      for (const n of r.addedNodes) if (n.nodeType === 3) window.__streamed.push(n.data);
    }
  }).observe(document.getElementById('conversation'), {childList: true, subtree: true});
}"""

TEXT_OUTSIDE_BUTTONS = """el => {
  const walk = document.createTreeWalker(el, NodeFilter.SHOW_TEXT);
  let text = '';
  while (walk.nextNode()) if (!walk.currentNode.parentElement.closest('button')) text += walk.currentNode.data;
  return text;
}"""


def ask(page: Any, question: str) -> Any:
    """Type a question, press Enter, and wait until its answer is complete."""
    before = page.locator("article.turn").count()
    page.locator("#question").fill(question)
    page.locator("#question").press("Enter")
    turn = page.locator("article.turn").nth(before)
    turn.locator('.answer-text[aria-busy="false"]').wait_for()
    return turn


def test_answer_streams_in_and_a_citation_opens_with_its_context(
    page: Any, problems: PageProblems
) -> None:
    page.goto("/")
    page.evaluate(WATCH_STREAM)
    turn = ask(page, QUESTION)

    streamed = page.evaluate("window.__streamed")
    lengths = [len(t) for t in streamed]
    assert len(set(lengths)) >= 2, f"the answer did not grow as it streamed: {lengths}"
    assert lengths == sorted(lengths), "streamed text shrank before the answer was complete"

    answer = turn.locator(".answer-text")
    assert turn.locator("button.cite").count() >= 1
    loose_text = answer.evaluate(TEXT_OUTSIDE_BUTTONS)
    assert not re.search(r"\[\d+\]", loose_text), "a [n] marker was left as text, not a button"
    assert turn.locator(".sources .source").count() >= 1

    turn.locator("button.cite").first.click()
    dialog = page.locator("dialog#citation")
    assert dialog.is_visible()
    assert page.locator("#citation-kicker").inner_text().startswith("Source ")
    assert page.locator("#citation-title").inner_text().strip()
    meta = page.locator("#citation-meta").inner_text()
    assert "Published" in meta and "Status" in meta and "Strength" in meta
    badge = page.locator("#citation-meta .badge").first.inner_text()
    assert badge in {"Current", "Superseded", "Historical", "Status not known"}
    assert page.locator("#citation-text").inner_text().strip()
    screenshot(page, "chat-citation-open", full_page=False)

    page.locator("#citation-context-button").click()
    page.locator(".context__passage--cited").wait_for()
    assert page.locator(".context__passage").count() >= 2, "no neighbouring passages shown"
    assert page.locator("#citation-context-button").get_attribute("aria-expanded") == "true"

    screenshot(page, "chat-citation-context", full_page=False)
    violations = run_axe(page, name="chat-citation-open")
    assert not serious(violations), serious(violations)

    page.keyboard.press("Escape")
    assert not dialog.is_visible()
    screenshot(page, "chat-answer")
    no_page_errors(problems)


def test_passage_html_is_shown_as_text_never_run(page: Any, problems: PageProblems) -> None:
    page.goto("/")
    turn = ask(page, MARMALADE_QUESTION)
    cites = turn.locator("button.cite")
    assert cites.count() >= 1
    cites.first.click()
    passage = page.locator("#citation-text")
    text = passage.inner_text()
    assert SCRIPT in text and BOLD in text, text
    assert page.locator("dialog#citation b, dialog#citation script").count() == 0
    assert page.locator("#conversation b, #conversation script").count() == 0
    assert "Current" in page.locator("#citation-meta").inner_text()
    page.locator("#citation-context-button").click()
    page.locator(".context__passage--cited").wait_for()
    assert SCRIPT in page.locator("#citation-context").inner_text()
    assert page.locator("#citation-context b, #citation-context script").count() == 0
    page.wait_for_timeout(200)  # an injected script would have run by now
    no_page_errors(problems)


def test_young_person_mode_shows_help_and_a_disclosure_puts_help_first(
    phone: Any, problems: PageProblems
) -> None:
    page = phone
    page.goto("/")
    assert page.locator("#help-region .help").count() == 0
    page.get_by_label("Young person").check()
    help_panel = page.locator("#help-region .help")
    help_panel.wait_for()
    text = help_panel.inner_text()
    assert "Need help now?" in text and "0800 1111" in text and "999" in text
    assert page.locator('#help-region a[href="tel:08001111"]').count() == 1
    first = page.evaluate("document.querySelector('main').firstElementChild.id")
    assert first == "help-region"
    screenshot(page, "young-person-mode")
    no_horizontal_scroll(page)

    turn = ask(page, DISCLOSURE)
    assert page.locator("#help-region").get_attribute("aria-live") == "assertive"
    urgent = page.locator("#help-region .help--urgent")
    assert urgent.is_visible()
    assert "0800 1111" in urgent.inner_text() and "999" in urgent.inner_text()
    # Help comes first: first on the page, first in the turn, and it has the focus.
    assert page.evaluate("document.querySelector('main').firstElementChild.id") == "help-region"
    order = turn.evaluate(
        """t => [...t.querySelectorAll('.turn__help .help, .answer-text')]
                 .map(n => n.classList.contains('help') ? 'help' : 'answer')"""
    )
    assert order == ["help", "answer"], order
    assert page.evaluate("document.activeElement.closest('#help-region') !== null")
    screenshot(page, "young-person-disclosure", full_page=False)
    violations = run_axe(page, name="young-person-disclosure")
    assert not serious(violations), serious(violations)
    no_horizontal_scroll(page)
    no_page_errors(problems)


def test_keyboard_alone_asks_opens_a_citation_and_closes_it(
    page: Any, problems: PageProblems
) -> None:
    page.goto("/")
    page.locator("#kind-options input").first.wait_for(state="attached")  # page scripts have run
    not_visible = []
    for _ in range(40):
        page.keyboard.press("Tab")
        if not focus_is_visible(page):
            not_visible.append(page.evaluate("document.activeElement.outerHTML.slice(0, 80)"))
        if page.evaluate("document.activeElement.id") == "question":
            break
    else:
        raise AssertionError("Tab never reached the question box")
    assert not not_visible, f"focus not visible on: {not_visible}"

    page.keyboard.type(QUESTION)
    page.keyboard.press("Enter")
    page.locator('.answer-text[aria-busy="false"]').first.wait_for()
    assert page.evaluate("document.activeElement.id") == "question"

    for _ in range(80):
        page.keyboard.press("Shift+Tab")
        if page.evaluate("document.activeElement.classList.contains('cite')"):
            break
    else:
        raise AssertionError("Shift+Tab never reached a citation")
    assert focus_is_visible(page)
    cite_n = page.evaluate("document.activeElement.dataset.n")
    screenshot(page, "keyboard-citation-focus", full_page=False)

    page.keyboard.press("Enter")
    dialog = page.locator("dialog#citation")
    assert dialog.is_visible()
    assert page.locator("#citation-kicker").inner_text() == f"Source {cite_n}"
    assert page.evaluate("document.activeElement.id") == "citation-close"
    assert focus_is_visible(page)
    page.keyboard.press("Escape")
    assert not dialog.is_visible()
    assert page.evaluate("document.activeElement.classList.contains('cite')"), (
        "focus did not return to the citation after closing"
    )
    assert page.evaluate("document.activeElement.dataset.n") == cite_n
    no_page_errors(problems)


def test_skip_link_goes_to_the_question_box(page: Any) -> None:
    page.goto("/")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.className") == "skip-link"
    assert page.locator(".skip-link").is_visible()
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "question"


def _stored_feedback(tmp_path_factory: pytest.TempPathFactory, answer_id: str) -> FeedbackRecord:
    """The record the site (the ``site`` fixture's data directory) stored for an answer."""
    base = tmp_path_factory.getbasetemp()
    files = sorted({f.resolve() for f in base.glob("browser-data*/feedback.sqlite3")})
    found = [r for f in files for r in FeedbackStore(f).records() if r.answer_id == answer_id]
    assert len(found) == 1, f"{len(found)} feedback records for {answer_id} in {files}"
    return found[0]


def test_copy_answer_with_references_and_send_feedback(
    page: Any, problems: PageProblems, tmp_path_factory: pytest.TempPathFactory
) -> None:
    page.goto("/")
    turn = ask(page, QUESTION)
    turn.get_by_role("button", name="Copy answer with references").click()
    turn.get_by_text("Copied.").wait_for()
    copied = page.evaluate("navigator.clipboard.readText()")
    assert copied.startswith(f"Question: {QUESTION}")
    assert "\nReferences\n[1] " in copied
    assert "<" not in copied.split("References")[0] or SCRIPT in copied

    turn.locator(".feedback summary").click()
    assert (
        "Your question is saved with your feedback" in turn.locator(".feedback__kept").inner_text()
    )
    with page.expect_response("**/api/feedback") as response:
        turn.get_by_label("No").check()
        turn.get_by_label("Is a source wrong for what it is quoted for?").select_option("1")
        turn.get_by_label("Comment (optional)").fill("The first source is about something else.")
        turn.get_by_role("button", name="Send feedback").click()
    assert response.value.status == 201
    body = response.value.request.post_data_json
    assert body["helpful"] is False and body["citation_wrong"] == 1 and body["answer_id"]
    assert body["question"] == QUESTION and body["mode"] == "practitioner" and body["cited"]
    turn.get_by_text("Thank you. Your feedback was sent.").wait_for()
    sources = turn.locator(".sources .source").count()
    stored = _stored_feedback(tmp_path_factory, body["answer_id"])
    assert stored.question == QUESTION and stored.mode == "practitioner"
    assert len(stored.cited) == sources >= 1 and all(":" in c for c in stored.cited)
    assert stored.comment == "The first source is about something else."
    no_page_errors(problems)


def test_feedback_on_a_disclosure_does_not_send_the_message(
    page: Any, problems: PageProblems, tmp_path_factory: pytest.TempPathFactory
) -> None:
    page.goto("/")
    turn = ask(page, DISCLOSURE)
    turn.locator(".feedback summary").click()
    assert turn.locator(".feedback__kept").inner_text() == (
        "Your message is not saved with your feedback."
    )
    with page.expect_response("**/api/feedback") as response:
        turn.get_by_label("Yes").check()
        turn.get_by_role("button", name="Send feedback").click()
    assert response.value.status == 201
    body = response.value.request.post_data_json
    assert "question" not in body and "cited" not in body
    stored = _stored_feedback(tmp_path_factory, body["answer_id"])
    assert stored.question == "" and stored.helpful is True
    no_page_errors(problems)


def test_filters_are_sent_with_the_question(page: Any, problems: PageProblems) -> None:
    page.goto("/")
    page.locator("#filters summary").click()
    kinds = page.locator("#kind-options input")
    kinds.first.wait_for()
    assert kinds.count() >= 2
    kinds.first.check()
    page.get_by_label("From year").fill("2016")
    page.get_by_label("Current documents only").check()
    assert page.locator("#filter-count").inner_text() == "(3 on)"
    with page.expect_request("**/api/ask/stream") as request:
        page.locator("#question").fill(QUESTION)
        page.locator("#question").press("Enter")
    filters = request.value.post_data_json["filters"]
    assert filters["year_from"] == 2016 and filters["statuses"] == ["current"]
    assert len(filters["kinds"]) == 1
    page.locator('.answer-text[aria-busy="false"]').wait_for()

    page.get_by_label("To year").fill("2010")
    page.locator("#question").fill(QUESTION)
    page.locator("#question").press("Enter")
    assert page.locator("#filter-error").is_visible()
    assert page.locator("article.turn").count() == 1, "a question was sent with impossible years"
    no_page_errors(problems)


def test_chat_page_has_no_serious_axe_violations(page: Any, problems: PageProblems) -> None:
    page.goto("/")
    page.locator("#kind-options input").first.wait_for(state="attached")
    screenshot(page, "chat-empty")
    violations = run_axe(page, name="chat-empty")
    assert not serious(violations), serious(violations)
    page.locator("#filters summary").click()
    page.get_by_label("Young person").check()
    violations = run_axe(page, name="chat-young-person-filters-open")
    assert not serious(violations), serious(violations)
    no_page_errors(problems)


def test_phone_width_has_no_horizontal_scroll(phone: Any, problems: PageProblems) -> None:
    page = phone
    page.goto("/")
    no_horizontal_scroll(page)
    page.locator("#filters summary").click()
    no_horizontal_scroll(page)
    turn = ask(page, QUESTION)
    no_horizontal_scroll(page)
    screenshot(page, "phone-answer")
    turn.locator("button.cite").first.click()
    page.locator("#citation-context-button").click()
    page.locator(".context__passage--cited").wait_for()
    no_horizontal_scroll(page)
    box = page.locator("dialog#citation").bounding_box()
    assert box is not None and box["width"] <= 360
    screenshot(page, "phone-citation", full_page=False)
    no_page_errors(problems)
