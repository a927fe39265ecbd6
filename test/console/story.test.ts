// The console against the real functions and apiserver, in Debian's Chromium: an event appears in the live
// table, its story shows each function's outcome, the result and the Kubernetes Event; a dead letter is
// redriven from the console (audited as the operator) and its story then shows success; the tenant page.
// It saves the screenshots the README shows (make screenshots).
import { join } from "node:path";
import { CoreV1Api } from "@kubernetes/client-node";
import { EVENT_NAMES } from "../../schemas/events.ts";
import { jetstream } from "@nats-io/jetstream";
import type { NatsConnection } from "@nats-io/transport-node";
import type { Page } from "playwright-core";
import { labelKataNode } from "../../functions/label-kata-node/index.ts";
import { optionsFromEnv, provisionTenant } from "../../functions/provision-tenant/index.ts";
import { listAudit } from "../../cli/audit.ts";
import { aTenantRequested } from "../../schemas/fixtures.ts";
import type { RuntimeConfig } from "../../shared/config.ts";
import { IcnError } from "../../shared/errors.ts";
import { newEvent, publishEvent } from "../../shared/events.ts";
import { defineFunction } from "../../shared/function.ts";
import type { Host } from "../../shared/host/host.ts";
import { kubeConfig, natsConnection, uniqueName } from "../harness/servers.ts";
import { startTestHost, testConfig, waitForOutcome } from "../runtime/support.ts";
import {
  SCREENSHOTS,
  launchBrowser,
  loggedIn,
  startTestConsole,
  type Browser,
  type TestConsole,
} from "./support.ts";

const core = kubeConfig().makeApiClient(CoreV1Api);
let nc: NatsConnection;
let config: RuntimeConfig;
let host: Host;
let browser: Browser;
let web: TestConsole;
let page: Page;

/** Nodes whose audit fails on every attempt until the test heals them: the way to a dead letter. */
const failing = new Set<string>();
const auditNode = defineFunction({
  name: "audit-node",
  on: "node.joined",
  emits: [],
  handle: (event) =>
    failing.has(event.data.node)
      ? Promise.reject(new IcnError("KUBE_UNAVAILABLE", `inventory down for ${event.data.node}`))
      : Promise.resolve(),
});

async function aKataNode(): Promise<string> {
  const name = uniqueName("node");
  await core.createNode({
    body: {
      metadata: {
        name,
        labels: { "kubernetes.io/arch": "amd64", "feature.node.kubernetes.io/cpu-cpuid.VMX": "true" },
      },
    },
  });
  return name;
}

const joined = (node: string): ReturnType<typeof newEvent> =>
  newEvent({ name: "node.joined", source: "urn:test:provisioner", data: { node } });

beforeAll(async () => {
  nc = await natsConnection();
  config = testConfig({ ackWaitMs: 15_000 });
  const provision = provisionTenant(optionsFromEnv({ ICN_PLATFORM_IDENTITIES: "icn-admin" }));
  host = await startTestHost(nc, config, [labelKataNode({ shims: ["qemu"] }), auditNode, provision]);
  web = await startTestConsole(config, { allowActions: true, operator: "alice-oncall" });
  browser = await launchBrowser();
  page = await loggedIn(browser, web);
});
afterAll(async () => {
  await browser?.close();
  await web?.stop();
  await host?.drain();
  await nc?.close();
});

test("an event published through the bus appears in the live table, with the line icnctl tail prints", async () => {
  const node = await aKataNode();
  const event = joined(node);
  await publishEvent(jetstream(nc), config.prefix, event);
  const row = page.locator(`#live-rows tr[data-id="${event.id}"]`);
  await row.waitFor();
  expect(await row.locator("td").nth(1).textContent()).toBe("node.joined");
  expect(await row.locator("td.summary").textContent()).toBe(`node=${node}`);
  expect(await row.getAttribute("title")).toBe(
    `${event.time}  node.joined  ${event.id}  urn:test:provisioner  node=${node}`,
  );
});

test("the type filter offers every event type the schemas define, the newest ones included", async () => {
  await page.goto(`${web.url}#/live`);
  const options = page.locator('select[name="type"] option');
  await options.nth(EVENT_NAMES.length).waitFor({ state: "attached" });
  const offered = await options.allTextContents();
  expect(offered.slice(1).sort()).toEqual([...EVENT_NAMES].sort());
  expect(offered).toContain("tenant.retire-requested");
});

test("its story shows each function's outcome, the result event and the Kubernetes Event on the node", async () => {
  const node = await aKataNode();
  const event = joined(node);
  await publishEvent(jetstream(nc), config.prefix, event);
  const labelled = await waitForOutcome(host, event, "label-kata-node", ["succeeded"]);
  await waitForOutcome(host, event, "audit-node", ["succeeded"]);
  await page.goto(`${web.url}#/live`);
  await page.locator(`#live-rows tr[data-id="${event.id}"] a`).first().click();
  await page.locator('#story [data-function="label-kata-node"][data-state="succeeded"]').waitFor();
  await page.locator('#story [data-function="audit-node"][data-state="succeeded"]').waitFor();
  const [resultId] = labelled.results;
  const result = page.locator(`#story [data-event="${resultId}"]`);
  await result.waitFor();
  expect(await result.textContent()).toContain("node.kata-enabled");
  expect(await page.locator("table").first().textContent()).toContain("label-kata-node");
  await page.getByText(`Node/${node}`).first().waitFor();
  expect(await page.locator("svg.timeline .moment").count()).toBeGreaterThanOrEqual(4);
  await page.screenshot({ path: join(SCREENSHOTS, "event-story.png"), fullPage: true });
});

test("a dead-lettered event is redriven from the console after a confirmation naming event, function and subject; its story then shows success", async () => {
  const node = await aKataNode();
  failing.add(node);
  const event = joined(node);
  await publishEvent(jetstream(nc), config.prefix, event);
  await waitForOutcome(host, event, "audit-node", ["dead-lettered"]);
  await page.goto(`${web.url}#/dead-letters`);
  const row = page.locator("tr", { hasText: event.id });
  await row.getByRole("link").first().click();
  await page.locator("#redrive").click();
  const dialog = page.locator("dialog.confirm");
  expect(await dialog.locator("ul.deliveries").textContent()).toBe(
    `send node.joined ${event.id} to function audit-node on ${config.prefix}._replay.audit-node.node.joined`,
  );
  failing.delete(node);
  await dialog.locator('input[name="reason"]').fill("inventory is back (OPS-42)");
  await dialog.locator("#confirm").click();
  await page.getByText("resolved (succeeded)").waitFor();
  await page.locator("#redrive-outcome a").click();
  const outcome = page.locator('#story [data-function="audit-node"][data-state="succeeded"]');
  await outcome.waitFor();
  expect(await outcome.textContent()).toMatch(
    /dead-lettered #\d.*succeeded #1 via redrive redrive-\S+ by alice-oncall \(inventory is back \(OPS-42\)\)/s,
  );
  const audit = await listAudit(jetstream(nc), web.session.jsm, config.prefix);
  expect(audit).toEqual([
    expect.objectContaining({
      kind: "redrive",
      who: "alice-oncall",
      reason: "inventory is back (OPS-42)",
      to: ["audit-node"],
    }),
  ]);
});

test("the tenants page lists a provisioned tenant; its page shows namespaces, classes, admins and quota", async () => {
  const tenant = uniqueName("acme");
  const request = aTenantRequested({
    tenant,
    admins: [{ kind: "User", name: `alice-${tenant}` }],
    namespaces: [tenant, `${tenant}-dev`],
    ticket: { system: "jira", id: "OPS-7" },
  });
  const event = newEvent({ name: "tenant.requested", source: "urn:test:portal", data: request });
  await publishEvent(jetstream(nc), config.prefix, event);
  await waitForOutcome(host, event, "provision-tenant", ["succeeded"]);
  await page.goto(`${web.url}#/tenants`);
  await page.getByRole("link", { name: tenant, exact: true }).click();
  await page.getByRole("heading", { name: `Tenant ${tenant}` }).waitFor();
  const facts = await page.locator("dl.facts").textContent();
  expect(facts).toContain(`${tenant}, ${tenant}-dev`);
  expect(facts).toContain("active");
  expect(await page.locator("main").textContent()).toContain(`alice-${tenant}`);
  await page.screenshot({ path: join(SCREENSHOTS, "tenant.png"), fullPage: true });
  await page.getByRole("link", { name: `events of ${tenant}` }).click();
  await page.locator(`#live-rows tr[data-id="${event.id}"]`).waitFor();
});

test("the functions page shows each function's counts and the nodes with their Kata labels", async () => {
  await page.goto(`${web.url}#/functions`);
  await page.getByRole("cell", { name: "label-kata-node", exact: true }).waitFor();
  expect(await page.locator("svg.spark").count()).toBe(3);
  expect(await page.locator("main").textContent()).toContain("icn.akraino.org/kata");
  await page.screenshot({ path: join(SCREENSHOTS, "functions.png"), fullPage: true });
});
