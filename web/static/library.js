// The Library page: every document careguide answers from, with its kind, date, status and
// size; then catalogued documents that have not been ingested yet.

import { getJSON } from "./api.js";
import { clear, el, formatDate, sentenceCase, statusBadge } from "./dom.js";

const summary = document.getElementById("library-summary");
const holder = document.getElementById("library");

function byStatusThenDate(a, b) {
  const order = { current: 0, superseded: 1, historical: 2, unknown: 3 };
  return (order[a.status] ?? 3) - (order[b.status] ?? 3) || String(b.date).localeCompare(String(a.date));
}

function table(caption, documents, titles, { counts, hideCaption = false }) {
  const headings = ["Document", "Kind", "Published", "Status", ...(counts ? ["Passages"] : [])];
  const rows = [...documents].sort(byStatusThenDate).map((d) => el(
    "tr",
    {},
    el("td", { "data-label": "Document" },
      el("span", { class: "doc__title" }, d.title || d.short_title || d.id),
      d.publisher ? el("span", { class: "doc__short" }, d.publisher) : null,
      d.superseded_by ? el("span", { class: "doc__short" }, `Replaced by: ${titles.get(d.superseded_by) ?? d.superseded_by}`) : null),
    el("td", { "data-label": "Kind" }, sentenceCase(d.kind || "unknown")),
    el("td", { "data-label": "Published" }, formatDate(d.date)),
    el("td", { "data-label": "Status" }, statusBadge(d.status)),
    counts ? el("td", { "data-label": "Passages", class: "num" }, String(d.indexed ?? d.passages ?? "")) : null,
  ));
  return el(
    "table",
    { class: "library" },
    el("caption", { class: hideCaption ? "visually-hidden" : "library__caption" }, caption),
    el("thead", {}, el("tr", {},
      headings.map((h) => el("th", { scope: "col", class: h === "Passages" ? "num" : null }, h)))),
    el("tbody", {}, rows),
  );
}

async function load() {
  let documents;
  try {
    ({ documents } = await getJSON("/api/documents"));
  } catch (error) {
    summary.textContent = `The library could not be loaded: ${error.message}`;
    summary.classList.add("error-message");
    return;
  }
  const titles = new Map(documents.map((d) => [d.id, d.short_title || d.title]));
  const inLibrary = documents.filter((d) => d.in_library !== false);
  const waiting = documents.filter((d) => d.in_library === false);
  const passages = inLibrary.reduce((sum, d) => sum + (Number(d.indexed ?? d.passages) || 0), 0);
  summary.textContent = inLibrary.length
    ? `${inLibrary.length} ${inLibrary.length === 1 ? "document" : "documents"} in the library, ${passages.toLocaleString("en-GB")} passages searched.`
    : "The library is empty. Documents appear here once they have been ingested.";
  clear(holder);
  if (inLibrary.length) {
    holder.append(table("Documents answers can cite", inLibrary, titles, { counts: true }));
  }
  if (waiting.length) {
    holder.append(
      el("h2", { class: "heading-m" }, "Listed but not yet in the library"),
      el("p", { class: "hint" }, "These are catalogued, so careguide knows their status, but answers cannot cite them until they are ingested."),
      table("Catalogued documents not yet ingested", waiting, titles, { counts: false, hideCaption: true }),
    );
  }
}

load();
