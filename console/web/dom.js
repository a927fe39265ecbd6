// @ts-check
// Building the page from data without ever parsing it as HTML: every value becomes a text node.

/**
 * @typedef {string | number | Node | null | undefined | false} Child
 * @typedef {Record<string, string | number | boolean | EventListener | undefined>} Attrs
 */

/** @param {Element} el @param {Attrs} attrs */
function setAttrs(el, attrs) {
  for (const [name, value] of Object.entries(attrs)) {
    if (value === undefined || value === false) continue;
    if (typeof value === "function") el.addEventListener(name.replace(/^on/, ""), value);
    else if (name === "href" && !/^#|^\/(?!\/)/.test(String(value)))
      continue; // links stay in the console
    else el.setAttribute(name, value === true ? "" : String(value));
  }
}

/** @param {Node} el @param {Child[]} children */
function append(el, children) {
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    el.appendChild(child instanceof Node ? child : document.createTextNode(String(child)));
  }
}

/**
 * An HTML element; strings and numbers among the children are text, never markup.
 * @template {keyof HTMLElementTagNameMap} K
 * @param {K} tag @param {Attrs} [attrs] @param {...(Child | Child[])} children
 * @returns {HTMLElementTagNameMap[K]}
 */
export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  setAttrs(el, attrs);
  append(el, /** @type {Child[]} */ (children.flat()));
  return el;
}

/**
 * An SVG element, built the same way.
 * @param {string} tag @param {Attrs} [attrs] @param {...(Child | Child[])} children
 * @returns {SVGElement}
 */
export function svg(tag, attrs = {}, ...children) {
  const el = /** @type {SVGElement} */ (document.createElementNS("http://www.w3.org/2000/svg", tag));
  setAttrs(el, attrs);
  append(el, /** @type {Child[]} */ (children.flat()));
  return el;
}

/** Replaces an element's content. @param {Element} el @param {...(Child | Child[])} children */
export function show(el, ...children) {
  el.replaceChildren();
  append(el, /** @type {Child[]} */ (children.flat()));
}

/** A table from rows and columns; each cell's value is a node or text. */
/**
 * @template T
 * @param {T[]} rows
 * @param {[string, (row: T) => Child | Child[]][]} columns
 * @param {string} empty
 */
export function table(rows, columns, empty) {
  if (rows.length === 0) return h("p", { class: "empty" }, empty);
  return h(
    "table",
    {},
    h(
      "thead",
      {},
      h(
        "tr",
        {},
        columns.map(([title]) => h("th", {}, title)),
      ),
    ),
    h(
      "tbody",
      {},
      rows.map((row) =>
        h(
          "tr",
          {},
          columns.map(([, cell]) => h("td", {}, cell(row))),
        ),
      ),
    ),
  );
}

/** An ISO time as the operator reads it (local time, to the millisecond). @param {string | undefined} iso */
export function clock(iso) {
  if (!iso) return "";
  const at = new Date(iso);
  return Number.isNaN(at.getTime())
    ? iso
    : `${at.toLocaleTimeString([], { hour12: false })}.${String(at.getMilliseconds()).padStart(3, "0")}`;
}

/** @param {number} ms */
export function duration(ms) {
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  return `${(ms / 60_000).toFixed(1)} min`;
}
