// @ts-check
// Live events: what is stored (newest first, older on demand), then each new event as the server
// pushes it (server-sent events); filters by type, tenant, source and time window; pause holds new rows back.
import { get, parseJson } from "./api.js";
import { clock, h, show } from "./dom.js";

const FILTERS = ["type", "tenant", "source", "since", "until"];
/** The table keeps this many rows; older ones are a click away. */
const MAX_ROWS = 1000;

/**
 * @typedef {{ seq: number, storedAt: string, time?: string, name?: string, id?: string, source?: string,
 *   causeid?: string, summary: string, line: string, problem?: string }} Row
 */

/** @param {Row} row */
export function eventLink(row) {
  return row.id
    ? h("a", { href: `#/event/${encodeURIComponent(row.id)}?seq=${row.seq}` }, row.id)
    : `seq ${row.seq}`;
}

/** @param {Row} row */
function rowElement(row) {
  const cause = row.causeid
    ? h("a", { href: `#/event/${encodeURIComponent(row.causeid)}` }, row.causeid)
    : "";
  const tr = h(
    "tr",
    { "data-seq": row.seq, "data-id": row.id ?? "", title: row.line },
    h("td", {}, clock(row.time ?? row.storedAt)),
    h("td", {}, row.name ?? "?"),
    h("td", {}, eventLink(row)),
    h("td", {}, row.source ?? ""),
    h("td", {}, cause),
    h("td", { class: "summary" }, row.problem ? `unreadable: ${row.problem}` : row.summary),
  );
  return tr;
}

/** @param {URLSearchParams} query */
function filterForm(query) {
  const field = (/** @type {string} */ name, /** @type {string} */ placeholder) =>
    h("input", { name, placeholder, value: query.get(name) ?? "", size: 14 });
  const type = h("select", { name: "type" }, h("option", { value: "" }, "any type"));
  // The server's catalogue (the schemas' event names), so a new event type needs no change here.
  void get("/api/types").then((types) => {
    for (const t of /** @type {string[]} */ (types))
      type.append(h("option", { value: t, selected: query.get("type") === t }, t));
  });
  const form = h(
    "form",
    { class: "filters" },
    type,
    field("tenant", "tenant"),
    field("source", "source"),
    field("since", "since (10m, ISO)"),
    field("until", "until (ISO)"),
    h("button", { type: "submit" }, "Filter"),
  );
  form.addEventListener("submit", (e) => {
    e.preventDefault();
    const params = new URLSearchParams();
    for (const name of FILTERS) {
      const value = /** @type {HTMLInputElement} */ (form.elements.namedItem(name)).value.trim();
      if (value) params.set(name, value);
    }
    location.hash = `#/live?${params}`;
  });
  return form;
}

/** @param {HTMLElement} el @param {URLSearchParams} query @returns {Promise<() => void>} */
export async function liveView(el, query) {
  const filters = new URLSearchParams();
  for (const name of FILTERS) if (query.get(name)) filters.set(name, /** @type {string} */ (query.get(name)));
  const tbody = h("tbody", { id: "live-rows" });
  const state = h("span", { class: "state", id: "live-state" }, "connecting…");
  const pause = h("button", { type: "button", id: "pause" }, "Pause");
  const older = h("button", { type: "button", id: "older" }, "Older events");
  const seen = new Set();
  /** @type {Row[]} */
  const held = [];
  let paused = false;
  /** @type {number | undefined} */
  let oldest;

  const add = (/** @type {Row} */ row, /** @type {"top" | "bottom"} */ where) => {
    if (seen.has(row.seq)) return;
    seen.add(row.seq);
    if (where === "top") tbody.prepend(rowElement(row));
    else tbody.append(rowElement(row));
    while (tbody.rows.length > MAX_ROWS) tbody.lastElementChild?.remove();
  };
  const loadOlder = async () => {
    const params = new URLSearchParams(filters);
    if (oldest) params.set("before", String(oldest));
    const page = /** @type {{ rows: Row[], older?: number }} */ (await get(`/api/events?${params}`));
    for (const row of [...page.rows].reverse()) add(row, "bottom");
    oldest = page.older;
    older.disabled = oldest === undefined;
    older.textContent = oldest === undefined ? "No older events" : "Older events";
  };
  older.addEventListener("click", () => void loadOlder());
  pause.addEventListener("click", () => {
    paused = !paused;
    pause.textContent = paused ? "Resume" : "Pause";
    if (!paused) for (const row of held.splice(0)) add(row, "top");
    state.textContent = paused ? "paused" : "live";
  });

  show(
    el,
    h("h1", {}, "Live events"),
    filterForm(query),
    h("div", { class: "toolbar" }, pause, state),
    h(
      "table",
      { class: "events" },
      h(
        "thead",
        {},
        h(
          "tr",
          {},
          ["Time", "Type", "Event", "Source", "Cause", "Summary"].map((t) => h("th", {}, t)),
        ),
      ),
      tbody,
    ),
    older,
  );
  await loadOlder();
  if (query.get("until")) {
    state.textContent = "a time window that ends is not live";
    pause.disabled = true;
    return () => undefined;
  }
  const source = new EventSource(`/api/live?${filters}`);
  source.addEventListener("open", () => (state.textContent = paused ? "paused" : "live"));
  source.addEventListener("error", () => (state.textContent = "reconnecting…"));
  source.addEventListener("row", (e) => {
    const row = /** @type {Row} */ (parseJson(/** @type {MessageEvent<string>} */ (e).data));
    if (!paused) return add(row, "top");
    held.push(row);
    state.textContent = `paused: ${held.length} new`;
  });
  return () => source.close();
}
