// The Guides page: the list of guides, one guide read on screen, and its "find the paragraph"
// exercises. A trainer opens an exercise, learners search the guidance, then the trainer
// reveals the answer key with the cited paragraphs. Text only ever enters as text nodes.

import { getJSON, postJSON } from "./api.js";
import { clear, el, formatDate, sentenceCase, statusBadge, uid } from "./dom.js";

const summary = document.getElementById("guides-summary");
const list = document.getElementById("guide-list");
const status = document.getElementById("guide-status");
const view = document.getElementById("guide");

const READERS = {
  practitioner: "Practitioners",
  carer: "Kinship carers",
  child: "Children and young people",
  trainer: "Trainers",
};

const NOT_COVERED = "Not covered by the guidance in this library.";

/** Answer text with each [n] marker a link to reference n of the guide. */
function cited(text, count, prefix) {
  const parts = [];
  let last = 0;
  for (const m of text.matchAll(/\[(\d+)\]/g)) {
    const n = Number(m[1]);
    if (n < 1 || n > count) continue;
    parts.push(text.slice(last, m.index));
    parts.push(el("a", { class: "guide-cite", href: `#${prefix}-ref-${n}` }, `[${n}]`));
    last = m.index + m[0].length;
  }
  parts.push(text.slice(last));
  return parts;
}

function paragraphs(text, count, prefix) {
  return text.split("\n\n").filter((p) => p.trim()).map((p) => el("p", {}, cited(p.trim(), count, prefix)));
}

function toggle(button, panel, { open, closed }) {
  const expanded = button.getAttribute("aria-expanded") === "true";
  button.setAttribute("aria-expanded", String(!expanded));
  button.textContent = expanded ? closed : open;
  panel.hidden = expanded;
}

function searchBox(exercise) {
  const id = uid("exercise-search");
  const input = el("input", { id, type: "search", class: "input guide-search__input", autocomplete: "off", maxlength: "500" });
  const results = el("ol", { class: "guide-search__results" });
  const note = el("p", { class: "hint", role: "status" });
  const form = el(
    "form",
    { class: "guide-search", role: "search", "aria-label": `Search for ${exercise.title}` },
    el("label", { for: id }, "Search the guidance"),
    el("div", { class: "guide-search__row" }, input, el("button", { type: "submit", class: "button button--secondary" }, "Search")),
    note,
    results,
  );
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const question = input.value.trim();
    if (!question) {
      note.textContent = "Type what you are looking for, then search.";
      input.focus();
      return;
    }
    note.textContent = "Searching…";
    clear(results);
    try {
      const { hits } = await postJSON("/api/search", { question, k: 5 });
      note.textContent = hits.length ? `${hits.length} paragraphs found.` : "Nothing found: try other words.";
      for (const hit of hits) {
        results.append(el(
          "li",
          { class: "guide-search__hit" },
          el("span", { class: "guide-search__ref" }, hit.citation),
          " ",
          statusBadge(hit.status),
          el("span", { class: "guide-search__text" }, hit.text.length > 320 ? `${hit.text.slice(0, 320)}…` : hit.text),
        ));
      }
    } catch (error) {
      note.textContent = `The search did not work: ${error.message}`;
    }
  });
  return form;
}

function exerciseBlock(guide, exercise, index, prefix) {
  const bodyId = `${prefix}-exercise-${index}`;
  const keyId = `${bodyId}-key`;
  const key = el(
    "div",
    { id: keyId, class: "guide-key", hidden: true },
    el("h4", { class: "heading-xs" }, "Answer key"),
    exercise.key.length
      ? el("ul", { class: "guide-key__list" }, exercise.key.map((n) => {
        const ref = guide.references[n - 1];
        return el(
          "li",
          { class: "guide-key__item" },
          el("p", { class: "guide-key__ref" }, el("a", { class: "guide-cite", href: `#${prefix}-ref-${n}` }, `[${n}]`), " ", ref.citation, " ", statusBadge(ref.status)),
          el("blockquote", { class: "passage" }, ref.text),
        );
      }))
      : el("p", {}, "careguide's search found no paragraph for this exercise."),
  );
  const reveal = el("button", { type: "button", class: "button button--secondary", "aria-expanded": "false", "aria-controls": keyId }, "Show the answer key");
  reveal.addEventListener("click", () => toggle(reveal, key, { open: "Hide the answer key", closed: "Show the answer key" }));
  const body = el(
    "div",
    { id: bodyId, class: "guide-exercise__body", hidden: true },
    el("p", {}, el("strong", {}, "Scenario: "), exercise.scenario),
    el("p", {}, el("strong", {}, "Your task: "), exercise.task),
    searchBox(exercise),
    reveal,
    key,
  );
  const open = el("button", { type: "button", class: "button", "aria-expanded": "false", "aria-controls": bodyId }, "Open the exercise");
  open.addEventListener("click", () => toggle(open, body, { open: "Close the exercise", closed: "Open the exercise" }));
  return el("section", { class: "guide-exercise", "aria-labelledby": `${bodyId}-title` },
    el("h3", { id: `${bodyId}-title`, class: "heading-s" }, exercise.title), open, body);
}

function render(guide) {
  const prefix = `g-${guide.id}`;
  const count = guide.references.length;
  clear(view);
  view.append(
    el("p", { class: "guide-view__kicker" }, `For ${guide.readers || READERS[guide.audience] || guide.audience}`),
    el("h2", { id: "guide-title", class: "guide-view__title", tabindex: "-1" }, guide.title),
    el("p", { class: "guide-view__links" },
      el("a", { href: `/api/guides/${encodeURIComponent(guide.id)}` }, "Printable page"),
      " · ",
      el("a", { href: `/api/guides/${encodeURIComponent(guide.id)}?format=md` }, "Markdown"),
    ),
    el("p", { class: "hint" }, `Built ${formatDate(guide.built_at.slice(0, 10))} from library version ${guide.library.fingerprint.slice(0, 12)}.`),
  );
  if (guide.stale) {
    view.append(el("div", { class: "notes", role: "note" },
      el("h3", { class: "heading-xs" }, "The library has changed since this guide was built"),
      el("ul", {}, guide.problems.map((p) => el("li", {}, `[${p.n}] ${p.citation}: ${p.detail}.`)))));
  }
  view.append(...guide.introduction.split("\n\n").map((p) => el("p", {}, p)));
  for (const section of guide.sections) {
    const block = el("section", { class: "guide-section" }, el("h3", { class: "heading-s" }, section.heading));
    if (section.heading !== section.question) block.append(el("p", { class: "guide-section__question" }, `Question asked: ${section.question}`));
    if (!section.grounded) block.append(el("p", { class: "guide-section__gap" }, NOT_COVERED));
    else block.append(el("div", { class: "guide-section__answer answer-text" }, paragraphs(section.answer, count, prefix)));
    if (section.notes.length) {
      block.append(el("div", { class: "notes" }, el("h4", { class: "heading-xs" }, "Check before relying on this"),
        el("ul", {}, section.notes.map((n) => el("li", {}, cited(n, count, prefix))))));
    }
    view.append(block);
  }
  if (guide.exercises.length) {
    view.append(
      el("h3", { class: "heading-m" }, "Exercises: find the paragraph"),
      el("p", { class: "hint" }, "Open an exercise, let the group search, then show the answer key."),
      ...guide.exercises.map((ex, i) => exerciseBlock(guide, ex, i + 1, prefix)),
    );
  }
  view.append(
    el("h3", { class: "heading-m" }, "References"),
    el("ol", { class: "guide-refs" }, guide.references.map((r) => el(
      "li",
      { id: `${prefix}-ref-${r.n}` },
      el("span", { class: "doc__title" }, r.citation),
      el("span", { class: "guide-refs__meta" }, `${r.title}. Published ${formatDate(r.date)}. Paragraph: ${r.location || r.paragraphs.join(", ") || "whole passage"}. `, statusBadge(r.status)),
    ))),
  );
  view.hidden = false;
}

async function open(id, { focus = true } = {}) {
  status.textContent = "Loading the guide… a guide not built yet takes a few seconds.";
  try {
    const guide = await getJSON(`/api/guides/${encodeURIComponent(id)}?format=json`);
    render(guide);
    status.textContent = "";
    for (const button of list.querySelectorAll("[data-guide]")) {
      button.setAttribute("aria-pressed", String(button.dataset.guide === id));
    }
    if (focus) document.getElementById("guide-title").focus();
  } catch (error) {
    status.textContent = `The guide could not be loaded: ${error.message}`;
  }
}

async function load() {
  let guides;
  try {
    ({ guides } = await getJSON("/api/guides"));
  } catch (error) {
    summary.textContent = `The guides could not be loaded: ${error.message}`;
    summary.classList.add("error-message");
    return;
  }
  summary.textContent = guides.length ? `${guides.length} ${guides.length === 1 ? "guide" : "guides"}.` : "No guides yet.";
  clear(list);
  for (const g of guides) {
    const openButton = el("button", { type: "button", class: "button button--secondary", "data-guide": g.id, "aria-pressed": "false" }, `Read ${g.title}`);
    openButton.addEventListener("click", () => {
      history.replaceState(null, "", `#${g.id}`);
      open(g.id);
    });
    const facts = [
      `For ${g.readers || READERS[g.audience] || g.audience}`,
      `${g.sections} sections`,
      g.exercises ? `${g.exercises} exercises` : null,
      g.built ? `built ${formatDate((g.built_at || "").slice(0, 10))}` : "built when first opened",
    ].filter(Boolean);
    list.append(el(
      "li",
      { class: "guide-card" },
      el("h2", { class: "heading-s guide-card__title" }, g.title),
      el("p", { class: "guide-card__facts" }, sentenceCase(facts.join(" · "))),
      g.stale ? el("p", { class: "guide-card__stale" }, "Sources have changed since it was built.") : null,
      openButton,
    ));
  }
  const wanted = decodeURIComponent(location.hash.slice(1));
  if (wanted && guides.some((g) => g.id === wanted)) open(wanted, { focus: false });
}

load();
