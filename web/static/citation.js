// The source panel: a modal dialog showing one cited passage, its document and its status,
// with "show in context" loading the passages either side of it.

import { getJSON } from "./api.js";
import { append, clear, dutyBadge, dutyMeaning, el, formatDate, statusBadge } from "./dom.js";

function paragraphsOf(text) {
  return String(text ?? "")
    .split(/\n\s*\n/)
    .map((part) => part.trim())
    .filter(Boolean)
    .map((part) => el("p", {}, part));
}

function metaRow(list, term, ...value) {
  append(list, el("div", { class: "meta__row" }, el("dt", {}, term), el("dd", {}, ...value)));
}

function plural(items, one, many) {
  return items.length > 1 ? many : one;
}

export class CitationPanel {
  constructor(dialog) {
    this.dialog = dialog;
    this.opener = null;
    this.citation = null;
    this.kicker = dialog.querySelector("#citation-kicker");
    this.title = dialog.querySelector("#citation-title");
    this.ref = dialog.querySelector("#citation-ref");
    this.meta = dialog.querySelector("#citation-meta");
    this.text = dialog.querySelector("#citation-text");
    this.contextButton = dialog.querySelector("#citation-context-button");
    this.context = dialog.querySelector("#citation-context");
    dialog.querySelector("#citation-close").addEventListener("click", () => this.close());
    this.contextButton.addEventListener("click", () => this.toggleContext());
    dialog.addEventListener("close", () => {
      if (this.opener && this.opener.isConnected) this.opener.focus();
      this.opener = null;
    });
    dialog.addEventListener("click", (event) => {
      // A click on the dimmed backdrop lands on the dialog element itself.
      if (event.target !== dialog) return;
      const box = dialog.getBoundingClientRect();
      const inside = event.clientX >= box.left && event.clientX <= box.right
        && event.clientY >= box.top && event.clientY <= box.bottom;
      if (!inside) this.close();
    });
  }

  open(citation, opener) {
    this.citation = citation;
    this.opener = opener ?? document.activeElement;
    this.kicker.textContent = `Source ${citation.n}`;
    this.title.textContent = citation.title || citation.source || "Untitled document";
    this.ref.textContent = citation.citation || "";

    clear(this.meta);
    metaRow(this.meta, "Published", formatDate(citation.date));
    metaRow(this.meta, "Status", statusBadge(citation.status));
    const paragraphs = citation.paragraphs ?? [];
    if (paragraphs.length) {
      metaRow(this.meta, plural(paragraphs, "Paragraph", "Paragraphs"), paragraphs.join(", "));
    }
    const pages = citation.pages ?? [];
    if (pages.length) metaRow(this.meta, plural(pages, "Page", "Pages"), pages.join(", "));
    metaRow(this.meta, "Strength", dutyBadge(citation.duty), " ", el("span", { class: "hint" }, dutyMeaning(citation.duty)));
    if (citation.source) metaRow(this.meta, "File", citation.source);

    this.text.replaceChildren(...paragraphsOf(citation.text));
    clear(this.context);
    this.contextButton.setAttribute("aria-expanded", "false");
    this.contextButton.textContent = "Show in context";
    this.contextButton.hidden = !citation.passage_id;

    if (!this.dialog.open) this.dialog.showModal();
    this.dialog.querySelector("#citation-close").focus();
  }

  close() {
    if (this.dialog.open) this.dialog.close();
  }

  async toggleContext() {
    if (this.contextButton.getAttribute("aria-expanded") === "true") {
      clear(this.context);
      this.contextButton.setAttribute("aria-expanded", "false");
      this.contextButton.textContent = "Show in context";
      return;
    }
    const citation = this.citation;
    this.contextButton.setAttribute("aria-expanded", "true");
    this.contextButton.textContent = "Hide context";
    this.context.replaceChildren(el("p", { class: "hint" }, "Loading the passages around it…"));
    try {
      const data = await getJSON(`/api/passages/${encodeURIComponent(citation.passage_id)}`);
      if (this.citation !== citation) return;
      const block = (passage, cited) => el(
        "section",
        { class: cited ? "context__passage context__passage--cited" : "context__passage" },
        el("h4", { class: "context__ref" }, cited ? `Cited: ${passage.citation ?? ""}` : (passage.citation ?? "")),
        ...paragraphsOf(passage.text),
      );
      const before = data.before ?? [];
      const after = data.after ?? [];
      this.context.replaceChildren(
        el("h3", { class: "heading-xs" }, "In context"),
        ...before.map((p) => block(p, false)),
        block(data.passage ?? citation, true),
        ...after.map((p) => block(p, false)),
      );
      if (!before.length && !after.length) {
        append(this.context, el("p", { class: "hint" }, "There are no passages either side of this one."));
      }
    } catch (error) {
      if (this.citation !== citation) return;
      this.context.replaceChildren(el("p", { class: "error-message" }, `The context could not be loaded: ${error.message}`));
    }
  }
}
