// One turn of the conversation: the question, the answer as it streams in, then its sources,
// notes, follow-up questions, "copy with references" and feedback.

import { postJSON } from "./api.js";
import { append, clear, el, formatDate, statusBadge, statusLabel, uid } from "./dom.js";

const MARKER = /\[(\d+(?:\s*,\s*\d+)*)\]/g;
const PHONE = /(\b0\d{2,4}(?: \d{3,4}){1,2}\b|\b116 123\b|\b999\b|\b101\b)/g;

/** Childline and 999, as guides/signposts.yaml words them for a child: shown before any answer. */
export const CHILD_SIGNPOSTS = [
  {
    name: "Childline",
    contact: "0800 1111 (free, any time) or childline.org.uk",
    when: "For children and young people, about anything that is worrying you.",
  },
  {
    name: "Emergency services",
    contact: "999",
    when: "Someone is in danger right now, or badly hurt.",
  },
];

/** Contact text with phone numbers as tel: links (useful on a phone). */
function contactNodes(contact) {
  const nodes = [];
  let last = 0;
  for (const match of contact.matchAll(PHONE)) {
    if (match.index > last) nodes.push(contact.slice(last, match.index));
    nodes.push(el("a", { href: `tel:${match[0].replace(/\s+/g, "")}`, class: "phone" }, match[0]));
    last = match.index + match[0].length;
  }
  if (last < contact.length) nodes.push(contact.slice(last));
  return nodes;
}

/** The "need help now?" panel; urgent after a disclosure. */
export function helpPanel(signposts, { urgent = false, intro = "", landmark = true } = {}) {
  const titleId = uid("help-title");
  const panel = el(
    landmark ? "section" : "div",
    { class: urgent ? "help help--urgent" : "help", "aria-labelledby": landmark ? titleId : null, "data-help": urgent ? "urgent" : "calm" },
    el("h2", { class: "help__title", id: titleId, tabindex: "-1" }, urgent ? "You can get help now" : "Need help now?"),
  );
  if (intro) append(panel, el("p", { class: "help__intro" }, intro));
  const list = el("ul", { class: "help__list" });
  for (const s of signposts) {
    append(list, el(
      "li",
      { class: "help__item" },
      el("strong", { class: "help__name" }, s.name),
      el("span", { class: "help__contact" }, ...contactNodes(s.contact ?? "")),
      s.when ? el("span", { class: "help__when" }, s.when) : null,
    ));
  }
  append(panel, list);
  return panel;
}

/** Answer text -> paragraphs (and lists) with [n] markers as buttons that open the source. */
export function renderMarked(text, citations, onCite) {
  const byNumber = new Map((citations ?? []).map((c) => [Number(c.n), c]));
  const inline = (line) => {
    const nodes = [];
    let last = 0;
    for (const match of line.matchAll(MARKER)) {
      if (match.index > last) nodes.push(line.slice(last, match.index));
      for (const n of match[1].split(/\s*,\s*/).map(Number)) {
        const citation = byNumber.get(n);
        if (!citation) {
          nodes.push(`[${n}]`);
          continue;
        }
        nodes.push(el(
          "button",
          {
            type: "button",
            class: "cite",
            "data-n": n,
            onclick: (event) => onCite(citation, event.currentTarget),
          },
          el("span", { class: "visually-hidden" }, "Source "),
          `[${n}]`,
        ));
      }
      last = match.index + match[0].length;
    }
    if (last < line.length) nodes.push(line.slice(last));
    return nodes;
  };
  const blocks = [];
  for (const block of String(text ?? "").split(/\n\s*\n/)) {
    const lines = block.split("\n").map((l) => l.trim()).filter(Boolean);
    if (!lines.length) continue;
    if (lines.every((l) => /^([-•*]|\d+[.)])\s+/.test(l))) {
      const ordered = /^\d/.test(lines[0]);
      blocks.push(el(ordered ? "ol" : "ul", {},
        lines.map((l) => el("li", {}, inline(l.replace(/^([-•*]|\d+[.)])\s+/, ""))))));
    } else {
      const p = el("p");
      lines.forEach((l, i) => {
        if (i) p.append(el("br"));
        append(p, inline(l));
      });
      blocks.push(p);
    }
  }
  return blocks;
}

function referenceLine(c) {
  const where = [];
  if (c.pages?.length) where.push(`${c.pages.length > 1 ? "pages" : "page"} ${c.pages.join(", ")}`);
  const parts = [c.citation || c.title];
  if (c.title && c.citation && !c.citation.startsWith(c.title)) parts.push(c.title);
  return `[${c.n}] ${parts.join(". ")}${where.length ? `, ${where.join(", ")}` : ""}. ${formatDate(c.date)}. ${statusLabel(c.status)}.`;
}

/** The answer as plain text with numbered references, for pasting into a record or email. */
export function plainText(answer) {
  const lines = [`Question: ${answer.question}`, "", answer.answer.trim()];
  if (answer.notes?.length) lines.push("", "Notes:", ...answer.notes.map((n) => `- ${n}`));
  const refs = answer.citations?.length ? answer.citations : answer.closest ?? [];
  if (refs.length) {
    lines.push("", answer.citations?.length ? "References" : "Closest passages");
    for (const c of refs) lines.push(referenceLine(c));
  }
  lines.push("", "From careguide: quotes published guidance; check the source before relying on it.");
  return lines.join("\n");
}

async function copyText(text) {
  if (navigator.clipboard?.writeText) {
    await navigator.clipboard.writeText(text);
    return;
  }
  throw new Error("no clipboard");
}

function sourceList(citations, onCite) {
  return el("ol", { class: "sources__list" }, citations.map((c) => el(
    "li",
    { class: "source" },
    el("button", {
      type: "button",
      class: "source__open",
      "data-n": c.n,
      onclick: (event) => onCite(c, event.currentTarget),
    }, el("span", { class: "source__n" }, `[${c.n}]`), " ", c.title || c.source || "Untitled"),
    el("span", { class: "source__ref" }, c.citation || ""),
    el("span", { class: "source__meta" }, formatDate(c.date), " ", statusBadge(c.status)),
  )));
}

const MAX_QUESTION = 2000;
const MAX_CITED = 50;

/** What the feedback is about, sent with it so that a flagged answer can become a test question.
 *  A disclosure is never sent: it is not a question about the guidance. */
function rated(answer) {
  if (answer.safety?.disclosure) return {};
  return {
    question: (answer.resolved_question || answer.question || "").slice(0, MAX_QUESTION),
    mode: answer.mode ?? null,
    cited: [...(answer.citations ?? [])].sort((a, b) => a.n - b.n).map((c) => c.passage_id).slice(0, MAX_CITED),
  };
}

function feedbackForm(answer) {
  const helpfulName = uid("helpful");
  const ids = { yes: uid("fb-yes"), no: uid("fb-no"), wrong: uid("fb-wrong"), comment: uid("fb-comment"), kept: uid("fb-kept") };
  const kept = answer.safety?.disclosure
    ? "Your message is not saved with your feedback."
    : "Your question is saved with your feedback, with contact details, dates of birth and ID numbers removed.";
  const status = el("p", { class: "feedback__status", role: "status" });
  const wrong = el("select", { id: ids.wrong, class: "input select", name: "citation_wrong" },
    el("option", { value: "" }, "No, they look right"),
    (answer.citations ?? []).map((c) => el("option", { value: c.n }, `Source [${c.n}] is wrong`)));
  const comment = el("textarea", { id: ids.comment, class: "input textarea", name: "comment", rows: "2", maxlength: "2000" });
  const form = el(
    "form",
    { class: "feedback__form", novalidate: true },
    el("fieldset", { class: "feedback__helpful" },
      el("legend", {}, "Was this answer helpful?"),
      el("div", { class: "inline-choices" },
        el("label", { class: "check", for: ids.yes },
          el("input", { type: "radio", id: ids.yes, name: helpfulName, value: "yes" }), el("span", {}, "Yes")),
        el("label", { class: "check", for: ids.no },
          el("input", { type: "radio", id: ids.no, name: helpfulName, value: "no" }), el("span", {}, "No")))),
    (answer.citations ?? []).length
      ? el("div", { class: "field" }, el("label", { for: ids.wrong }, "Is a source wrong for what it is quoted for?"), wrong)
      : null,
    el("div", { class: "field" },
      el("label", { for: ids.comment }, "Comment (optional)"),
      el("p", { class: "hint" }, "Do not include names or details about a child."),
      comment),
    el("p", { class: "hint feedback__kept", id: ids.kept }, kept),
    el("button", { type: "submit", class: "button button--secondary", "aria-describedby": ids.kept }, "Send feedback"),
    status,
  );
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const choice = form.querySelector(`input[name="${helpfulName}"]:checked`);
    if (!choice) {
      status.textContent = "Choose yes or no first.";
      status.className = "feedback__status error-message";
      form.querySelector(`#${ids.yes}`).focus();
      return;
    }
    status.className = "feedback__status";
    status.textContent = "Sending…";
    try {
      await postJSON("/api/feedback", {
        answer_id: answer.id,
        helpful: choice.value === "yes",
        citation_wrong: wrong.value ? Number(wrong.value) : null,
        comment: comment.value.trim(),
        ...rated(answer),
      });
      status.textContent = "Thank you. Your feedback was sent.";
      form.querySelector("button[type=submit]").disabled = true;
    } catch (error) {
      status.className = "feedback__status error-message";
      status.textContent = `Your feedback could not be sent: ${error.message}`;
    }
  });
  return el("details", { class: "feedback" }, el("summary", {}, "Give feedback on this answer"), form);
}

/** A turn in the conversation. */
export class Turn {
  constructor(question, { onCite, onAsk }) {
    this.onCite = onCite;
    this.onAsk = onAsk;
    this.text = "";
    const headingId = uid("turn");
    this.helpSlot = el("div", { class: "turn__help" });
    this.progress = el("p", { class: "turn__progress" }, "Finding the guidance…");
    this.body = el("div", { class: "answer-text", "aria-live": "polite", "aria-busy": "true" });
    this.after = el("div", { class: "turn__after" });
    this.element = el(
      "article",
      { class: "turn", "aria-labelledby": headingId },
      el("div", { class: "turn__question" },
        el("p", { class: "turn__kicker" }, "You asked"),
        el("h2", { class: "turn__q", id: headingId }, question)),
      el("div", { class: "turn__answer" }, this.helpSlot, this.progress, this.body, this.after),
    );
  }

  /** Streaming text: shown as plain text until the final answer arrives. */
  delta(piece) {
    this.text += piece;
    this.progress.hidden = true;
    this.body.classList.add("answer-text--streaming");
    this.body.textContent = this.text;
  }

  /** After a disclosure: help comes first in the turn, before the answer text. */
  safety(safety) {
    this.helpShown = true;
    this.element.classList.add("turn--disclosure");
    clear(this.helpSlot).append(helpPanel(safety.signposts?.length ? safety.signposts : CHILD_SIGNPOSTS, { urgent: true, landmark: false }));
  }

  fail(message) {
    this.progress.hidden = true;
    this.body.setAttribute("aria-busy", "false");
    this.body.replaceChildren(el("p", { class: "error-message" }, `Sorry, there is no answer: ${message}`));
  }

  finish(answer) {
    this.answer = answer;
    this.progress.hidden = true;
    this.body.classList.remove("answer-text--streaming");
    const safety = answer.safety ?? {};
    if (safety.disclosure && !this.helpShown) this.safety(safety);
    this.body.replaceChildren(...renderMarked(answer.answer, answer.citations, this.onCite));
    this.body.setAttribute("aria-busy", "false");

    clear(this.after);
    if (answer.notes?.length) {
      append(this.after, el("section", { class: "notes", "aria-label": "Please note" },
        el("h3", { class: "heading-xs" }, "Please note"),
        el("ul", {}, answer.notes.map((n) => el("li", {}, renderMarked(n, answer.citations, this.onCite).flatMap((b) => [...b.childNodes]))))));
    }
    if (answer.citations?.length) {
      append(this.after, el("section", { class: "sources", "aria-label": "Sources" },
        el("h3", { class: "heading-xs" }, "Sources"),
        sourceList(answer.citations, this.onCite)));
    } else if (answer.closest?.length) {
      append(this.after, el("section", { class: "sources", "aria-label": "Closest passages" },
        el("h3", { class: "heading-xs" }, "Closest passages in the library"),
        sourceList(answer.closest, this.onCite)));
    }
    if (answer.follow_ups?.length) {
      append(this.after, el("section", { class: "follow-ups", "aria-label": "You could also ask" },
        el("h3", { class: "heading-xs" }, "You could also ask"),
        el("ul", { class: "chips" }, answer.follow_ups.map((q) => el("li", {},
          el("button", { type: "button", class: "chip", onclick: () => this.onAsk(q) }, q))))));
    }
    if (!safety.disclosure) {
      const copied = el("span", { class: "actions__status", role: "status" });
      const copy = el("button", { type: "button", class: "button button--secondary copy" }, "Copy answer with references");
      copy.addEventListener("click", async () => {
        const text = plainText(answer);
        try {
          await copyText(text);
          copied.textContent = "Copied.";
        } catch {
          // No clipboard (an old browser, or permission refused): show the text to copy by hand.
          copied.textContent = "Copy the text below.";
          copy.after(el("textarea", { class: "input textarea copy__fallback", readonly: true, rows: "8", "aria-label": "Answer with references" }, text));
        }
      });
      append(this.after, el("div", { class: "actions" }, copy, copied));
    }
    append(this.after, feedbackForm(answer));
  }
}
