// @ts-check
// The console's page: log in, then route the hash (#/live, #/event/<id>, ...) to a view.
import { loadSession, login, post, session } from "./api.js";
import { h, show } from "./dom.js";
import { deadLetterView, deadLettersView } from "./dead-letters.js";
import { functionsView } from "./functions.js";
import { liveView } from "./live.js";
import { storyView } from "./story.js";
import { tenantView, tenantsView } from "./tenants.js";

const view = /** @type {HTMLElement} */ (document.getElementById("view"));
/** What the current view must stop (a live stream) when another replaces it. @type {(() => void) | undefined} */
let stopCurrent;

/** @type {[RegExp, (match: RegExpExecArray, query: URLSearchParams, el: HTMLElement) => Promise<void | (() => void)>][]} */
const ROUTES = [
  [/^#\/live$/, (_m, query, el) => liveView(el, query)],
  [/^#\/event\/([^/]+)$/, (m, query, el) => storyView(el, decodeURIComponent(m[1] ?? ""), query.get("seq"))],
  [/^#\/dead-letters$/, (_m, _q, el) => deadLettersView(el)],
  [/^#\/dead-letter\/(\d+)$/, (m, _q, el) => deadLetterView(el, Number(m[1]))],
  [/^#\/tenants$/, (_m, _q, el) => tenantsView(el)],
  [/^#\/tenant\/([a-z0-9-]+)$/, (m, _q, el) => tenantView(el, m[1] ?? "")],
  [/^#\/functions$/, (_m, _q, el) => functionsView(el)],
];

async function route() {
  stopCurrent?.();
  stopCurrent = undefined;
  const [path = "", search = ""] = (location.hash || "#/live").split("?");
  const el = h("section", { class: "page" });
  show(view, el);
  for (const [pattern, render] of ROUTES) {
    const match = pattern.exec(path);
    if (!match) continue;
    try {
      const stop = await render(match, new URLSearchParams(search), el);
      if (typeof stop === "function") stopCurrent = stop;
    } catch (err) {
      show(el, h("p", { class: "error" }, err instanceof Error ? err.message : String(err)));
    }
    return;
  }
  location.hash = "#/live";
}

function loginForm() {
  const input = h("input", {
    type: "password",
    name: "token",
    autocomplete: "current-password",
    required: true,
  });
  const problem = h("p", { class: "error" });
  const form = h(
    "form",
    { class: "login" },
    h("h1", {}, "Log in"),
    h("p", {}, "The token is ICN_CONSOLE_TOKEN, or the one icnctl console printed when it started."),
    h("label", {}, "Token ", input),
    h("button", { type: "submit" }, "Log in"),
    problem,
  );
  form.addEventListener("submit", (e) => {
    e.preventDefault();
    login(input.value).then(start, (/** @type {unknown} */ err) =>
      show(problem, String(err instanceof Error ? err.message : err)),
    );
  });
  show(view, form);
  input.focus();
}

function start() {
  const who = /** @type {HTMLElement} */ (document.getElementById("who"));
  const logout = h("button", { type: "button", class: "link" }, "log out");
  logout.addEventListener("click", () => void post("/api/logout").then(() => location.reload()));
  show(who, session.allowActions ? `acting as ${session.operator}` : "read-only", " · ", logout);
  window.addEventListener("hashchange", () => void route());
  void route();
}

/** The login link icnctl console prints carries the token in the fragment, which no server ever sees. */
async function boot() {
  const token = /^#token=(.+)$/.exec(location.hash)?.[1];
  if (token) {
    history.replaceState(null, "", "/#/live");
    await login(decodeURIComponent(token)).catch(() => undefined);
  }
  if (await loadSession()) start();
  else loginForm();
}

void boot();
