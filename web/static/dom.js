// Small DOM helpers. Text from answers and passages only ever goes in as text nodes:
// there is no innerHTML anywhere in the page's scripts.

/** el("p", {class: "x"}, "text", child) -> element; attributes set with setAttribute. */
export function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) {
    if (value === null || value === undefined || value === false) continue;
    if (name === "text") node.textContent = String(value);
    else if (name.startsWith("on") && typeof value === "function") node.addEventListener(name.slice(2), value);
    else node.setAttribute(name, value === true ? "" : String(value));
  }
  append(node, ...children);
  return node;
}

export function append(node, ...children) {
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

export function clear(node) {
  node.replaceChildren();
  return node;
}

const MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August",
  "September", "October", "November", "December"];

/** "2023-02" -> "February 2023"; "2017-09-04" -> "4 September 2017"; "" -> "Date not known". */
export function formatDate(value) {
  if (!value) return "Date not known";
  const m = /^(\d{4})(?:-(\d{2}))?(?:-(\d{2}))?/.exec(value);
  if (!m) return value;
  const [, year, month, day] = m;
  if (!month) return year;
  const name = MONTHS[Number(month) - 1] ?? "";
  return day ? `${Number(day)} ${name} ${year}` : `${name} ${year}`;
}

const STATUS = {
  current: "Current",
  superseded: "Superseded",
  historical: "Historical",
  unknown: "Status not known",
};

export function statusLabel(status) {
  return STATUS[status] ?? STATUS.unknown;
}

export function statusBadge(status) {
  const key = STATUS[status] ? status : "unknown";
  return el("span", { class: `badge badge--${key}` }, statusLabel(key));
}

const DUTY = {
  requirement: ["Requirement", "a legal duty (must)"],
  guidance: ["Guidance", "what should normally happen (should)"],
  information: ["Information", "background, not a duty"],
};

/** What a duty strength means, in words: "a legal duty (must)". */
export function dutyMeaning(duty) {
  return (DUTY[duty] ?? DUTY.information)[1];
}

export function dutyBadge(duty) {
  const key = DUTY[duty] ? duty : "information";
  return el("span", { class: `badge badge--${key}` }, DUTY[key][0]);
}

export function sentenceCase(text) {
  return text ? text.charAt(0).toUpperCase() + text.slice(1) : text;
}

let counter = 0;
export function uid(prefix) {
  counter += 1;
  return `${prefix}-${counter}`;
}
