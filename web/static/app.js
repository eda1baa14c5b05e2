// The chat page: mode switch, filters, the conversation and the source panel.

import { askStream, getJSON } from "./api.js";
import { CHILD_SIGNPOSTS, Turn, helpPanel } from "./answer.js";
import { CitationPanel } from "./citation.js";
import { append, clear, el, sentenceCase } from "./dom.js";

const EXAMPLES = {
  practitioner: [
    "What is the Early Career Framework for child and family social workers?",
    "What happens after a council's children's services are judged inadequate?",
    "What are safeguarding partners responsible for?",
  ],
  carer: [
    "What support can kinship carers get?",
    "What is a special guardianship order?",
    "Can I get help with the cost of caring for my grandchild?",
  ],
  child: [
    "What is a care plan?",
    "Can I stay with my foster carers when I turn 18?",
    "Who can I talk to if I am not happy where I live?",
  ],
  trainer: [
    "How has policy on social worker accreditation changed since 2016?",
    "What did Stable Homes, Built on Love propose for family help?",
    "How does Ofsted monitor a council judged inadequate?",
  ],
};

const MODE_KEY = "careguide.mode";
const HISTORY_TURNS = 6;

const form = document.getElementById("ask-form");
const question = document.getElementById("question");
const askButton = document.getElementById("ask-button");
const askError = document.getElementById("ask-error");
const conversation = document.getElementById("conversation");
const empty = document.getElementById("empty");
const examples = document.getElementById("examples");
const helpRegion = document.getElementById("help-region");
const kindOptions = document.getElementById("kind-options");
const yearFrom = document.getElementById("year-from");
const yearTo = document.getElementById("year-to");
const currentOnly = document.getElementById("current-only");
const filterCount = document.getElementById("filter-count");
const filterError = document.getElementById("filter-error");
const panel = new CitationPanel(document.getElementById("citation"));

const history = [];
let busy = false;
let disclosed = false;

function mode() {
  return document.querySelector('input[name="mode"]:checked')?.value ?? "practitioner";
}

function showHelp() {
  if (disclosed) return;
  if (mode() === "child") {
    helpRegion.replaceChildren(helpPanel(CHILD_SIGNPOSTS, {
      intro: "If something is worrying you, you can talk to someone now.",
    }));
  } else {
    clear(helpRegion);
  }
}

function showExamples() {
  clear(examples);
  for (const text of EXAMPLES[mode()] ?? EXAMPLES.practitioner) {
    append(examples, el("li", {}, el("button", { type: "button", class: "chip", onclick: () => ask(text) }, text)));
  }
}

function onModeChange() {
  try {
    localStorage.setItem(MODE_KEY, mode());
  } catch {
    // storage switched off: the choice just isn't remembered
  }
  document.body.dataset.mode = mode();
  showHelp();
  showExamples();
}

function filters() {
  const result = {};
  const kinds = [...kindOptions.querySelectorAll("input:checked")].map((i) => i.value);
  if (kinds.length) result.kinds = kinds;
  const from = yearFrom.value ? Number(yearFrom.value) : null;
  const to = yearTo.value ? Number(yearTo.value) : null;
  if (from !== null) result.year_from = from;
  if (to !== null) result.year_to = to;
  if (currentOnly.checked) result.statuses = ["current"];
  return result;
}

function checkFilters() {
  const f = filters();
  const count = (f.kinds?.length ?? 0) + (f.year_from ? 1 : 0) + (f.year_to ? 1 : 0) + (f.statuses ? 1 : 0);
  filterCount.textContent = count ? `(${count} on)` : "";
  const bad = f.year_from && f.year_to && f.year_from > f.year_to;
  filterError.hidden = !bad;
  filterError.textContent = bad ? "The 'from' year must be the same as or before the 'to' year." : "";
  yearFrom.setAttribute("aria-invalid", bad ? "true" : "false");
  return !bad;
}

async function loadKinds() {
  try {
    const { documents } = await getJSON("/api/documents");
    const counts = new Map();
    for (const d of documents.filter((doc) => doc.in_library !== false)) {
      const kind = d.kind || "unknown";
      counts.set(kind, (counts.get(kind) ?? 0) + 1);
    }
    clear(kindOptions);
    if (!counts.size) {
      append(kindOptions, el("p", { class: "hint" }, "The library is empty."));
      return;
    }
    [...counts.entries()].sort((a, b) => a[0].localeCompare(b[0])).forEach(([kind, n], i) => {
      const id = `kind-${i}`;
      append(kindOptions, el("label", { class: "check", for: id },
        el("input", { type: "checkbox", id, value: kind, onchange: checkFilters }),
        el("span", {}, `${sentenceCase(kind)} (${n})`)));
    });
  } catch (error) {
    kindOptions.replaceChildren(el("p", { class: "error-message" }, `The list of documents could not be loaded: ${error.message}`));
  }
}

/** After a disclosure, help goes first on the page (announced at once) and takes focus. */
function showDisclosureHelp(safety) {
  disclosed = true;
  helpRegion.setAttribute("aria-live", "assertive");
  const signposts = safety.signposts?.length ? safety.signposts : CHILD_SIGNPOSTS;
  helpRegion.replaceChildren(helpPanel(signposts, { urgent: true }));
  const heading = helpRegion.querySelector("h2");
  heading.focus();
  heading.scrollIntoView({ block: "start" });
}

function setBusy(on) {
  busy = on;
  askButton.setAttribute("aria-disabled", on ? "true" : "false");
  askButton.textContent = on ? "Asking…" : "Ask";
  conversation.setAttribute("aria-busy", on ? "true" : "false");
}

async function ask(text) {
  const q = text.trim();
  askError.hidden = true;
  if (busy) return;
  if (!q) {
    askError.textContent = "Type a question first.";
    askError.hidden = false;
    question.focus();
    return;
  }
  if (!checkFilters()) {
    document.getElementById("filters").open = true;
    yearFrom.focus();
    return;
  }
  empty.hidden = true;
  question.value = "";
  const turn = new Turn(q, {
    onCite: (citation, opener) => panel.open(citation, opener),
    onAsk: (next) => ask(next),
  });
  conversation.append(turn.element);
  turn.element.scrollIntoView({ block: "nearest" });
  setBusy(true);
  let helpShown = false;
  const body = { question: q, mode: mode(), history: history.slice(-HISTORY_TURNS * 2), filters: filters() };
  try {
    const answer = await askStream(body, {
      onDelta: (piece) => turn.delta(piece),
      onSafety: (safety) => {
        if (!safety?.disclosure) return;
        turn.safety(safety);
        showDisclosureHelp(safety);
        helpShown = true;
      },
    });
    turn.finish(answer);
    history.push({ role: "user", content: q }, { role: "assistant", content: answer.answer });
    if (answer.safety?.disclosure && !helpShown) showDisclosureHelp(answer.safety);
  } catch (error) {
    turn.fail(error.message);
  } finally {
    setBusy(false);
  }
}

form.addEventListener("submit", (event) => {
  event.preventDefault();
  ask(question.value);
});

question.addEventListener("keydown", (event) => {
  if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
    event.preventDefault();
    form.requestSubmit();
  }
});

for (const radio of document.querySelectorAll('input[name="mode"]')) {
  radio.addEventListener("change", onModeChange);
}
for (const input of [yearFrom, yearTo, currentOnly]) input.addEventListener("input", checkFilters);

let saved = null;
try {
  saved = localStorage.getItem(MODE_KEY);
} catch {
  // storage switched off
}
const savedRadio = saved && document.querySelector(`input[name="mode"][value="${CSS.escape(saved)}"]`);
if (savedRadio) savedRadio.checked = true;
onModeChange();
loadKinds();
