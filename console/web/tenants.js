// @ts-check
// Tenants as the apiserver knows them, and one tenant in full, with a link to its events.
import { get } from "./api.js";
import { h, show, table } from "./dom.js";

/**
 * @typedef {{ tenant: string, namespaces: string[], state: string, stateReason?: string, allowedRuntimeClasses: string[],
 *   defaultRuntimeClass?: string, owner?: string, quarantinedPods: number, lastRequest?: { id: string, time: string } }} Tenant
 * @typedef {Tenant & { admins: { namespace: string, kind: string, name: string }[],
 *   quotas: { namespace: string, resource: string, used: string, hard: string }[],
 *   quarantined: { namespace: string, pod: string, phase: string, runtimeClass: string }[] }} TenantDetail
 */

/** @param {Tenant} t */
const lastRequest = (t) =>
  t.lastRequest
    ? h(
        "a",
        { href: `#/event/${encodeURIComponent(t.lastRequest.id)}` },
        t.lastRequest.time || t.lastRequest.id,
      )
    : "";

/** @param {Tenant} t */
const stateOf = (t) =>
  h("span", { class: `tenant-state ${t.state}` }, t.state, t.stateReason ? ` (${t.stateReason})` : "");

/** @param {HTMLElement} el */
export async function tenantsView(el) {
  const tenants = /** @type {Tenant[]} */ (await get("/api/tenants"));
  show(
    el,
    h("h1", {}, "Tenants"),
    table(
      tenants,
      [
        ["Tenant", (t) => h("a", { href: `#/tenant/${t.tenant}` }, t.tenant)],
        ["State", stateOf],
        ["Namespaces", (t) => t.namespaces.join(", ")],
        [
          "Runtime classes",
          (t) =>
            `${t.allowedRuntimeClasses.join(", ")}${t.defaultRuntimeClass ? ` (default ${t.defaultRuntimeClass})` : ""}`,
        ],
        ["Quarantined pods", (t) => String(t.quarantinedPods)],
        ["Last request", lastRequest],
      ],
      "no tenants",
    ),
  );
}

/** @param {HTMLElement} el @param {string} name */
export async function tenantView(el, name) {
  const t = /** @type {TenantDetail} */ (await get(`/api/tenants/${encodeURIComponent(name)}`));
  show(
    el,
    h("h1", {}, `Tenant ${t.tenant}`),
    h(
      "dl",
      { class: "facts" },
      h("dt", {}, "State"),
      h("dd", {}, stateOf(t)),
      h("dt", {}, "Namespaces"),
      h("dd", {}, t.namespaces.join(", ")),
      h("dt", {}, "Allowed runtime classes"),
      h("dd", {}, t.allowedRuntimeClasses.join(", ")),
      h("dt", {}, "Default runtime class"),
      h("dd", {}, t.defaultRuntimeClass ?? ""),
      h("dt", {}, "Owner (source)"),
      h("dd", {}, t.owner ?? ""),
      h("dt", {}, "Last request"),
      h("dd", {}, lastRequest(t)),
      h("dt", {}, "Events"),
      h(
        "dd",
        {},
        h("a", { href: `#/live?tenant=${encodeURIComponent(t.tenant)}&since=1d` }, `events of ${t.tenant}`),
      ),
    ),
    h("h2", {}, "Admins"),
    table(
      t.admins,
      [
        ["Namespace", (a) => a.namespace],
        ["Kind", (a) => a.kind],
        ["Name", (a) => a.name],
      ],
      "no admin bindings",
    ),
    h("h2", {}, "Quota"),
    table(
      t.quotas,
      [
        ["Namespace", (q) => q.namespace],
        ["Resource", (q) => q.resource],
        ["Used", (q) => q.used],
        ["Hard", (q) => q.hard],
      ],
      "no quota",
    ),
    h("h2", {}, "Quarantined pods"),
    table(
      /** @type {{ namespace: string, pod: string, phase: string, runtimeClass: string }[]} */ (
        t.quarantined
      ),
      [
        ["Namespace", (p) => p.namespace],
        ["Pod", (p) => p.pod],
        ["Phase", (p) => p.phase],
        ["Runtime class", (p) => p.runtimeClass],
      ],
      "none",
    ),
  );
}
