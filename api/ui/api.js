// Calls to the public /v1 API. Every call carries the session's key (if any); a 401 asks
// for a key once (one dialog shared by every call waiting) and retries with it.

const KEY = "tuneforge.apiKey";
// Sent with the requests the page makes on its own, on a timer (the jobs list's refresh,
// an event stream's reconnection): the API logs them at debug level (api/access.py).
export const POLL = { "X-Tuneforge-Poll": "dashboard" };
let asking = null; // the pending key dialog, shared by concurrent 401s

export class ApiError extends Error {
  // A problem+json answer: status, detail and the field errors, kept for the views.
  constructor(status, problem) {
    super(problem.detail || problem.title || `HTTP ${status}`);
    this.status = status;
    this.problem = problem;
    this.errors = problem.errors || {};
  }
}

function headers(extra) {
  const h = new Headers(extra || {});
  const key = sessionStorage.getItem(KEY);
  if (key) h.set("Authorization", `Bearer ${key}`);
  return h;
}

function askForKey(refused) {
  if (!asking) {
    asking = new Promise((resolve) => {
      const dialog = document.getElementById("key-dialog");
      const form = dialog.querySelector("form");
      dialog.querySelector("[data-testid=key-error]").hidden = !refused;
      form.addEventListener("submit", () => {
        sessionStorage.setItem(KEY, form.elements.key.value.trim());
        form.reset();
        asking = null;
        resolve();
      }, { once: true });
      dialog.showModal();
    });
  }
  return asking;
}

// fetch() with the key; asks for one (again, if refused) on 401.
export async function call(path, options = {}) {
  let refused = false;
  for (;;) {
    const response = await fetch(path, { ...options, headers: headers(options.headers) });
    if (response.status !== 401) return response;
    refused = Boolean(sessionStorage.getItem(KEY));
    await askForKey(refused);
  }
}

async function problemOf(response) {
  try {
    return await response.json();
  } catch {
    return { detail: `HTTP ${response.status}` };
  }
}

// The JSON of a successful answer; an ApiError otherwise.
export async function json(path, options) {
  const response = await call(path, options);
  if (!response.ok) throw new ApiError(response.status, await problemOf(response));
  return response.json();
}

export function postJson(path, body) {
  return json(path, {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify(body),
  });
}

// Every item of a paginated list, following `next` (pages of `limit`, the API's largest).
export async function all(path, limit = 100) {
  const sep = path.includes("?") ? "&" : "?";
  let url = `${path}${sep}limit=${limit}`;
  const items = [];
  while (url) {
    const page = await json(url);
    items.push(...page.items);
    url = page.next;
  }
  return items;
}

// A file from the API saved by the browser: fetched with the key, handed over as a blob.
export async function download(path, filename) {
  const response = await call(path);
  if (!response.ok) throw new ApiError(response.status, await problemOf(response));
  const url = URL.createObjectURL(await response.blob());
  const a = Object.assign(document.createElement("a"), { href: url, download: filename });
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10000);
}

// Server-Sent Events read with fetch (EventSource cannot send the key): calls
// onEvent({event, id, data}) for each one, reconnecting with Last-Event-ID when a bounded
// stream ends, until the `last` event (a job's `end`, a study's `completed`) or signal aborts.
export async function follow(path, onEvent, signal, last = "end") {
  let lastId = null;
  let retry = 1000;
  let again = false; // the first request is the user's; each reconnection is a poll
  while (!signal.aborted) {
    const extra = { ...(again ? POLL : {}), ...(lastId ? { "Last-Event-ID": lastId } : {}) };
    again = true;
    const response = await call(path, { headers: extra, signal });
    if (!response.ok) throw new ApiError(response.status, await problemOf(response));
    const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
    let buffer = "";
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      buffer += value.replace(/\r\n?/g, "\n");
      let cut;
      while ((cut = buffer.indexOf("\n\n")) >= 0) {
        const frame = parseFrame(buffer.slice(0, cut));
        buffer = buffer.slice(cut + 2);
        if (frame.retry) retry = frame.retry;
        if (frame.id) lastId = frame.id;
        if (frame.event) {
          onEvent(frame);
          if (frame.event === last) return;
        }
      }
    }
    await new Promise((resolve) => setTimeout(resolve, retry));
  }
}

function parseFrame(text) {
  const frame = { event: null, id: null, data: null, retry: null };
  const data = [];
  for (const line of text.split("\n")) {
    if (!line || line.startsWith(":")) continue;
    const colon = line.indexOf(":");
    const field = colon < 0 ? line : line.slice(0, colon);
    const value = colon < 0 ? "" : line.slice(colon + 1).replace(/^ /, "");
    if (field === "data") data.push(value);
    else if (field === "id") frame.id = value;
    else if (field === "retry") frame.retry = Number(value) || null;
    else if (field === "event") frame.event = value;
  }
  if (data.length) {
    frame.event = frame.event || "message";
    frame.data = JSON.parse(data.join("\n"));
  }
  return frame;
}
