// The HTTP API, and nothing else: JSON calls and the Server-Sent Events stream of /api/ask/stream.

export class ApiError extends Error {
  constructor(message, status) {
    super(message);
    this.status = status;
  }
}

async function failure(response) {
  let detail = "";
  try {
    const body = await response.json();
    detail = typeof body.detail === "string" ? body.detail : "";
  } catch {
    // not JSON: fall back to the status text below
  }
  if (response.status === 429) {
    detail = detail || "Too many questions in a short time. Please wait a minute and try again.";
  }
  return new ApiError(detail || `The service answered ${response.status} ${response.statusText}.`, response.status);
}

export async function getJSON(url) {
  const response = await fetch(url, { headers: { Accept: "application/json" } });
  if (!response.ok) throw await failure(response);
  return response.json();
}

export async function postJSON(url, body) {
  const response = await fetch(url, {
    method: "POST",
    headers: { "Content-Type": "application/json", Accept: "application/json" },
    body: JSON.stringify(body),
  });
  if (!response.ok) throw await failure(response);
  return response.json();
}

/** Split an SSE buffer into complete events; returns [events, rest]. */
export function parseEvents(buffer) {
  const events = [];
  const blocks = buffer.replace(/\r\n?/g, "\n").split("\n\n");
  const rest = blocks.pop();
  for (const block of blocks) {
    let event = "message";
    const data = [];
    for (const line of block.split("\n")) {
      if (!line || line.startsWith(":")) continue;
      const colon = line.indexOf(":");
      const field = colon === -1 ? line : line.slice(0, colon);
      let value = colon === -1 ? "" : line.slice(colon + 1);
      if (value.startsWith(" ")) value = value.slice(1);
      if (field === "event") event = value;
      else if (field === "data") data.push(value);
    }
    if (data.length) events.push({ event, data: data.join("\n") });
  }
  return [events, rest];
}

/**
 * Ask with the answer streamed: handlers.onDelta(text) for each piece of answer text,
 * handlers.onSafety(safety) first after a disclosure, handlers.onCitations({citations, closest}),
 * then resolves with the final Answer object.
 * EventSource cannot POST, so this reads the response body itself.
 */
export async function askStream(body, handlers = {}) {
  const response = await fetch("/api/ask/stream", {
    method: "POST",
    headers: { "Content-Type": "application/json", Accept: "text/event-stream" },
    body: JSON.stringify(body),
  });
  if (response.status === 404 || response.status === 405) {
    // No streaming on this server: one plain request instead.
    const answer = await postJSON("/api/ask", body);
    handlers.onDelta?.(answer.answer);
    return answer;
  }
  if (!response.ok) throw await failure(response);
  const reader = response.body.getReader();
  const decoder = new TextDecoder();
  let buffer = "";
  let final = null;
  for (;;) {
    const { value, done } = await reader.read();
    buffer += decoder.decode(value || new Uint8Array(), { stream: !done });
    const [events, rest] = parseEvents(done ? buffer + "\n\n" : buffer);
    buffer = rest;
    for (const { event, data } of events) {
      let payload;
      try {
        payload = JSON.parse(data);
      } catch {
        continue;
      }
      if (event === "delta") handlers.onDelta?.(payload.text ?? "");
      else if (event === "citations") handlers.onCitations?.(payload);
      else if (event === "safety") handlers.onSafety?.(payload);
      else if (event === "final") final = payload;
      else if (event === "error") throw new ApiError(payload.detail || "The answer could not be finished.", 500);
    }
    if (done) break;
  }
  if (!final) throw new ApiError("The answer stopped before it was finished. Please try again.", 0);
  return final;
}
