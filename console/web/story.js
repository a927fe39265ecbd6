// @ts-check
// One event's story: the event, each function's outcome, the results they caused (recursively), the
// Kubernetes Events on what they touched; drawn as a chain and as one timeline with durations.
import { get, session } from "./api.js";
import { clock, duration, h, show, svg, table } from "./dom.js";
import { confirmDialog, deliveryList } from "./confirm.js";
import { post } from "./api.js";

/**
 * @typedef {{ at: string, state: string, attempt: number, code?: string, via?: { kind: string, id: string, by?: string, reason?: string } }} Transition
 * @typedef {{ function: string, state: string, attempts: number, error?: { code: string, message: string },
 *   results: string[], replay?: boolean, via?: Transition["via"], history?: Transition[], earlier?: number, updatedAt: string }} Outcome
 * @typedef {import("./live.js").Row & { data?: unknown }} Row
 * @typedef {{ event: Row, outcomes: Outcome[], results: Node[] }} Node
 * @typedef {{ at: string, namespace: string, object: string, reason: string, note: string, type: string, controller: string }} KubeEvent
 * @typedef {{ root: Node, missing: string[], truncated: boolean, kubeEvents: KubeEvent[] | { error: string } }} Story
 */

/** @param {Outcome} o */
const errorText = (o) => (o.error ? `${o.error.code}: ${o.error.message}` : "");

/** @param {Transition["via"]} via */
const viaText = (via) =>
  via
    ? ` via ${via.kind} ${via.id}${via.by ? ` by ${via.by}` : ""}${via.reason ? ` (${via.reason})` : ""}`
    : "";

/** @param {Outcome} o */
function outcomeCard(o) {
  const steps = [
    ...(o.history ?? []),
    { at: o.updatedAt, state: o.state, attempt: o.attempts, code: o.error?.code, via: o.via },
  ];
  return h(
    "div",
    { class: `card outcome ${o.state}`, "data-function": o.function, "data-state": o.state },
    h("div", { class: "title" }, o.function),
    h("div", { class: "state" }, `${o.state}${o.replay ? " (replay)" : ""}`, ` · attempt ${o.attempts}`),
    o.error ? h("div", { class: "error" }, errorText(o)) : null,
    h(
      "ol",
      { class: "history" },
      o.earlier ? h("li", {}, `${o.earlier} earlier step(s) not kept`) : null,
      steps.map((s) =>
        h("li", {}, `${clock(s.at)} ${s.state} #${s.attempt}${s.code ? ` ${s.code}` : ""}${viaText(s.via)}`),
      ),
    ),
  );
}

/** @param {Row} e */
function eventCard(e) {
  return h(
    "div",
    { class: "card event", "data-event": e.id ?? "" },
    h(
      "div",
      { class: "title" },
      h("a", { href: `#/event/${encodeURIComponent(e.id ?? "")}?seq=${e.seq}` }, e.name ?? "?"),
    ),
    h("div", {}, e.id ?? ""),
    h("div", { class: "summary" }, e.summary),
  );
}

/** The chain: event → its functions → the results each emitted → ... @param {Node} node @returns {HTMLElement} */
function chain(node) {
  const byId = new Map(node.results.map((r) => [r.event.id, r]));
  return h(
    "div",
    { class: "chain" },
    eventCard(node.event),
    h(
      "div",
      { class: "branches" },
      node.outcomes.length === 0
        ? h("div", { class: "card pending" }, "no function has recorded an outcome (yet)")
        : null,
      node.outcomes.map((o) =>
        h(
          "div",
          { class: "branch" },
          outcomeCard(o),
          h(
            "div",
            { class: "results" },
            o.results.map((id) => {
              const result = byId.get(id);
              return result
                ? chain(result)
                : h("div", { class: "card missing" }, `result ${id} is not in the stream`);
            }),
          ),
        ),
      ),
    ),
  );
}

/**
 * Every moment of the story, oldest first.
 * @param {Node} root @param {KubeEvent[]} kube
 * @returns {{ at: number, label: string, kind: string, from?: number }[]}
 */
function moments(root, kube) {
  /** @type {{ at: number, label: string, kind: string, from?: number }[]} */
  const all = [];
  const walk = (/** @type {Node} */ node) => {
    const at = Date.parse(node.event.time ?? node.event.storedAt);
    all.push({ at, label: `${node.event.name ?? "?"} ${node.event.id ?? ""}`, kind: "event" });
    for (const o of node.outcomes) {
      const steps = [...(o.history ?? []), { at: o.updatedAt, state: o.state, attempt: o.attempts }];
      const first = Date.parse(steps[0]?.at ?? o.updatedAt);
      for (const s of steps)
        all.push({
          at: Date.parse(s.at),
          label: `${o.function}: ${s.state} #${s.attempt}`,
          kind: s.state,
          from: first,
        });
    }
    node.results.forEach(walk);
  };
  walk(root);
  for (const k of kube) all.push({ at: Date.parse(k.at), label: `${k.object}: ${k.reason}`, kind: "kube" });
  return all.filter((m) => !Number.isNaN(m.at)).sort((a, b) => a.at - b.at);
}

/** One line per moment on a shared time axis; a function's bar runs from its first record to this one. */
function timeline(/** @type {ReturnType<typeof moments>} */ items) {
  if (items.length === 0) return h("p", {}, "nothing to draw");
  const t0 = items[0]?.at ?? 0;
  const span = Math.max(1, (items[items.length - 1]?.at ?? t0) - t0);
  const [left, width, rowH] = [330, 520, 20];
  const x = (/** @type {number} */ t) => left + ((t - t0) / span) * width;
  return svg(
    "svg",
    {
      class: "timeline",
      viewBox: `0 0 ${left + width + 90} ${items.length * rowH + 10}`,
      role: "img",
      "aria-label": "timeline",
    },
    items.map((m, i) => {
      const y = i * rowH + 14;
      return svg(
        "g",
        { class: `moment ${m.kind}` },
        svg("text", { x: 4, y }, m.label.length > 48 ? `${m.label.slice(0, 47)}…` : m.label),
        m.from !== undefined && m.from < m.at
          ? svg("rect", { x: x(m.from), y: y - 9, width: Math.max(2, x(m.at) - x(m.from)), height: 10 })
          : null,
        svg("circle", { cx: x(m.at), cy: y - 4, r: 4 }),
        svg("text", { x: left + width + 8, y }, `+${duration(m.at - t0)}`),
      );
    }),
  );
}

/** The same columns as `icnctl status <id>`. @param {Outcome[]} outcomes */
function statusTable(outcomes) {
  return table(
    outcomes,
    [
      ["Function", (o) => o.function],
      ["State", (o) => o.state + (o.replay ? " (replay)" : "")],
      ["Attempts", (o) => String(o.attempts)],
      ["Error", (o) => errorText(o)],
      ["Results", (o) => o.results.join(", ")],
      ["Updated", (o) => o.updatedAt],
    ],
    "no function has recorded an outcome for it",
  );
}

/** @param {Row} event */
function replayButton(event) {
  const button = h("button", { type: "button", class: "action", id: "replay" }, "Replay…");
  const replay = async () => {
    const deliveries = /** @type {import("./confirm.js").Delivery[]} */ (
      await get(`/api/replay-plan/${encodeURIComponent(event.id ?? "")}`)
    );
    const reason = h("input", { name: "reason", required: true, size: 40, placeholder: "why (audited)" });
    const ok = await confirmDialog(
      "Replay this event?",
      [deliveryList(deliveries), h("label", {}, "Reason ", reason)],
      () => reason.value.trim() !== "",
    );
    if (!ok) return;
    const done = /** @type {{ replayId: string }} */ (
      await post("/api/replay", { eventId: event.id, reason: reason.value })
    );
    location.hash = `#/event/${encodeURIComponent(event.id ?? "")}?seq=${event.seq}&replayed=${done.replayId}`;
  };
  button.addEventListener("click", () => void replay());
  return button;
}

/** @param {HTMLElement} el @param {string} id @param {string | null} seq */
export async function storyView(el, id, seq) {
  const query = seq ? `?seq=${encodeURIComponent(seq)}` : "";
  const story = /** @type {Story} */ (await get(`/api/story/${encodeURIComponent(id)}${query}`));
  const root = story.root;
  const kube = Array.isArray(story.kubeEvents) ? /** @type {KubeEvent[]} */ (story.kubeEvents) : [];
  const input = root.event.name && !root.event.causeid;
  show(
    el,
    h("h1", {}, `${root.event.name ?? "event"} ${root.event.id ?? ""}`),
    h("p", { class: "line" }, root.event.line),
    session.allowActions && input ? replayButton(root.event) : null,
    h("h2", {}, "Story"),
    h("div", { class: "story", id: "story" }, chain(root)),
    story.missing.length
      ? h("p", { class: "warning" }, `not found in the stream: ${story.missing.join(", ")}`)
      : null,
    h("h2", {}, "Timeline"),
    timeline(moments(root, kube)),
    h("h2", {}, "Outcomes (icnctl status)"),
    statusTable(root.outcomes),
    h("h2", {}, "Kubernetes Events"),
    Array.isArray(story.kubeEvents)
      ? table(
          kube,
          [
            ["Time", (k) => clock(k.at)],
            ["Object", (k) => `${k.namespace}/${k.object}`],
            ["Reason", (k) => k.reason],
            ["Note", (k) => k.note],
            ["By", (k) => k.controller],
          ],
          "none recorded on the objects it touched",
        )
      : h("p", { class: "error" }, String(story.kubeEvents.error)),
    h("h2", {}, "Data"),
    h("pre", { class: "data", id: "event-data" }, JSON.stringify(root.event.data, null, 2)),
  );
}
