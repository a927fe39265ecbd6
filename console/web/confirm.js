// @ts-check
// The confirmation every action asks for: exactly which event goes to which function, on which subject.
import { h, show } from "./dom.js";

/** @typedef {{ eventId: string, type: string, function: string, subject: string }} Delivery */

/** @param {Delivery[]} deliveries */
export function deliveryList(deliveries) {
  return h(
    "ul",
    { class: "deliveries" },
    deliveries.map((d) =>
      h(
        "li",
        {},
        "send ",
        h("code", {}, d.type),
        " ",
        h("code", {}, d.eventId),
        " to function ",
        h("strong", {}, d.function),
        " on ",
        h("code", {}, d.subject),
      ),
    ),
  );
}

/**
 * Resolves true when the operator confirms (and `valid` allows it), false on cancel.
 * @param {string} title @param {Node[]} body @param {() => boolean} [valid]
 * @returns {Promise<boolean>}
 */
export function confirmDialog(title, body, valid = () => true) {
  const dialog = h("dialog", { class: "confirm" });
  const yes = h("button", { type: "button", class: "action", id: "confirm" }, "Confirm");
  const no = h("button", { type: "button", id: "cancel" }, "Cancel");
  show(dialog, h("h2", {}, title), body, h("div", { class: "buttons" }, yes, no));
  document.body.append(dialog);
  dialog.showModal();
  return new Promise((resolve) => {
    const close = (/** @type {boolean} */ answer) => {
      dialog.close();
      dialog.remove();
      resolve(answer);
    };
    yes.addEventListener("click", () => {
      if (valid()) close(true);
    });
    no.addEventListener("click", () => close(false));
    dialog.addEventListener("cancel", () => close(false));
  });
}
