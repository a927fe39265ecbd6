// @ts-check
// Dead letters: the list, one in full (headers, payload, error, attempts), and its redrive after a
// confirmation that names the event, the function and the subject.
import { get, post, session } from "./api.js";
import { clock, h, show, table } from "./dom.js";
import { confirmDialog, deliveryList } from "./confirm.js";
import { eventLink } from "./live.js";

/**
 * @typedef {{ id: number, function: string, attempts: number, code: string, error: string, at: string,
 *   event: import("./live.js").Row, headers?: Record<string, string[]>, payload?: string,
 *   redrive?: { eventId: string, type: string, function: string, subject: string } }} Letter
 */

/** @param {HTMLElement} el */
export async function deadLettersView(el) {
  const letters = /** @type {Letter[]} */ (await get("/api/dead-letters"));
  show(
    el,
    h("h1", {}, "Dead letters"),
    table(
      letters,
      [
        ["Id", (d) => h("a", { href: `#/dead-letter/${d.id}` }, String(d.id))],
        ["Event", (d) => eventLink(d.event)],
        ["Type", (d) => d.event.name ?? "?"],
        ["Function", (d) => d.function],
        ["Attempts", (d) => String(d.attempts)],
        ["Last error", (d) => `${d.code}: ${d.error}`],
        ["At", (d) => clock(d.at)],
      ],
      "no dead letters",
    ),
  );
}

/** @param {Letter} letter @param {HTMLElement} outcome */
function redriveButton(letter, outcome) {
  const button = h("button", { type: "button", class: "action", id: "redrive" }, "Redrive…");
  const redrive = async () => {
    if (!letter.redrive) return;
    const reason = h("input", { name: "reason", size: 40, placeholder: "why (audited)" });
    const body = [
      deliveryList([letter.redrive]),
      h("p", {}, `The dead letter ${letter.id} is deleted once the function handles it.`),
      h("label", {}, "Reason ", reason),
    ];
    if (!(await confirmDialog(`Redrive dead letter ${letter.id}?`, body))) return;
    button.disabled = true;
    show(outcome, "redriving…");
    try {
      const result = /** @type {{ result: string, state?: string, error?: string }} */ (
        await post(`/api/dead-letters/${letter.id}/redrive`, { reason: reason.value })
      );
      show(
        outcome,
        `${result.result}${result.state ? ` (${result.state})` : ""}${result.error ? `: ${result.error}` : ""} `,
        h("a", { href: `#/event/${encodeURIComponent(letter.redrive.eventId)}` }, "see its story"),
      );
    } catch (err) {
      show(outcome, h("span", { class: "error" }, err instanceof Error ? err.message : String(err)));
      button.disabled = false;
    }
  };
  button.addEventListener("click", () => void redrive());
  return button;
}

/** @param {HTMLElement} el @param {number} id */
export async function deadLetterView(el, id) {
  const letter = /** @type {Letter} */ (await get(`/api/dead-letters/${id}`));
  const outcome = h("p", { id: "redrive-outcome" });
  const headers = Object.entries(letter.headers ?? {}).flatMap(([name, values]) =>
    values.map((v) => ({ name, v })),
  );
  show(
    el,
    h("h1", {}, `Dead letter ${letter.id}`),
    h(
      "p",
      {},
      "Event ",
      eventLink(letter.event),
      ` (${letter.event.name ?? "?"}), given up by ${letter.function} after ${letter.attempts} attempts at ${clock(letter.at)}`,
    ),
    h("p", { class: "error" }, `${letter.code}: ${letter.error}`),
    session.allowActions && letter.redrive ? redriveButton(letter, outcome) : null,
    outcome,
    h("h2", {}, "Headers"),
    table(
      headers,
      [
        ["Name", (x) => x.name],
        ["Value", (x) => x.v],
      ],
      "no headers",
    ),
    h("h2", {}, "Payload"),
    h("pre", { class: "data" }, letter.payload ?? ""),
  );
}
