// @ts-check
// Functions (backlog, redeliveries, dead letters, last error, handled per minute) and nodes (Kata, ready).
import { get } from "./api.js";
import { h, show, svg, table } from "./dom.js";

/**
 * @typedef {{ function: string, pending: number, inFlight: number, redeliveries: number, deadLetters: number,
 *   lastError?: string, perMinute: number[] }} Fn
 * @typedef {{ node: string, kata: string, kataRuntime: string, ready: boolean }} NodeRow
 */

/** Handled per minute over the last hour, as bars. @param {number[]} counts */
function sparkline(counts) {
  const max = Math.max(1, ...counts);
  const [w, hgt] = [3, 24];
  return svg(
    "svg",
    {
      class: "spark",
      viewBox: `0 0 ${counts.length * w} ${hgt}`,
      width: counts.length * w,
      height: hgt,
      role: "img",
      "aria-label": `${counts.reduce((a, b) => a + b, 0)} handled in the last hour, at most ${max} a minute`,
    },
    counts.map((n, i) =>
      svg("rect", { x: i * w, y: hgt - (n / max) * hgt, width: w - 1, height: (n / max) * hgt }),
    ),
  );
}

/** @param {HTMLElement} el */
export async function functionsView(el) {
  const { functions, nodes } = /** @type {{ functions: Fn[], nodes: NodeRow[] | { error: string } }} */ (
    await get("/api/functions")
  );
  show(
    el,
    h("h1", {}, "Functions"),
    table(
      functions,
      [
        ["Function", (f) => f.function],
        ["Pending", (f) => String(f.pending)],
        ["In flight", (f) => String(f.inFlight)],
        ["Redeliveries", (f) => String(f.redeliveries)],
        [
          "Dead letters",
          (f) => (f.deadLetters ? h("a", { href: "#/dead-letters" }, String(f.deadLetters)) : "0"),
        ],
        ["Handled / min (1 h)", (f) => sparkline(f.perMinute)],
        ["Last error", (f) => f.lastError ?? ""],
      ],
      "no function has consumed the events stream yet",
    ),
    h("h2", {}, "Nodes"),
    Array.isArray(nodes)
      ? table(
          nodes,
          [
            ["Node", (n) => n.node],
            ["Ready", (n) => (n.ready ? "yes" : "no")],
            ["icn.akraino.org/kata", (n) => n.kata],
            ["katacontainers.io/kata-runtime", (n) => n.kataRuntime],
          ],
          "no nodes",
        )
      : h("p", { class: "error" }, nodes.error),
  );
}
