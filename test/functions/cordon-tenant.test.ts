// Cordon and uncordon (issue 17 §2): a cordoned tenant's namespaces refuse new pods and pod changes, saying why; its
// running pods run on; uncordon admits again; an older cordon never undoes a newer uncordon. Against the real servers.
import { CoreV1Api, EventsV1Api } from "@kubernetes/client-node";
import type { NatsConnection } from "@nats-io/transport-node";
import { cordonTenant } from "../../functions/cordon-tenant/index.ts";
import {
  optionsFromEnv as provisionOptions,
  provisionTenant,
} from "../../functions/provision-tenant/index.ts";
import { uncordonTenant } from "../../functions/uncordon-tenant/index.ts";
import { aTenantRequested } from "../../schemas/fixtures.ts";
import { tenantChangeOptionsFromEnv } from "../../shared/tenant-record.ts";
import { attempt } from "../deploy/identities.ts";
import { eventually, impersonating, kubeConfig, natsConnection, uniqueName } from "../harness/servers.ts";
import { functionRig, type FunctionRig } from "./support.ts";
import { aKataNode, ensureRuntimeClasses, untilRunning, type KataNode } from "./tenant-day2.ts";

const kc = kubeConfig();
const core = kc.makeApiClient(CoreV1Api);
const tenant = uniqueName("frozen");
const namespaces = [tenant, `${tenant}-dev`];
const alice = impersonating(kc, `alice-${tenant}`).makeApiClient(CoreV1Api);
const REASON = "invoice INV-42 is unpaid: call billing on 555-0100";
let nc: NatsConnection;
let rig: FunctionRig;
let node: KataNode;
let running = "";

beforeAll(async () => {
  nc = await natsConnection();
  rig = await functionRig(nc, [
    // The functions' own ServiceAccounts stay on the cluster-wide policies (test/deploy runs them).
    provisionTenant(provisionOptions({ ICN_PLATFORM_IDENTITIES: "icn-admin" })),
    cordonTenant(tenantChangeOptionsFromEnv({})),
    uncordonTenant(tenantChangeOptionsFromEnv({})),
  ]);
  await ensureRuntimeClasses(kc);
  node = await aKataNode(kc, "cordon");
  const request = aTenantRequested({
    tenant,
    admins: [{ kind: "User", name: `alice-${tenant}` }],
    namespaces,
  });
  const { outcome } = await rig.send("tenant.requested", request, "provision-tenant", {
    time: "2026-11-26T10:00:00.000Z",
  });
  expect(outcome).toMatchObject({ state: "succeeded" });
  const pod = await eventually(() =>
    alice.createNamespacedPod({ namespace: tenant, body: node.aPod(tenant) }),
  );
  running = (await untilRunning(core, pod)).metadata?.name ?? "";
});
afterAll(async () => {
  await rig.stop();
  await nc.close();
  await node.remove();
});

const cordon = (
  time: string,
  options: { id?: string; replay?: boolean } = {},
): ReturnType<FunctionRig["send"]> =>
  rig.send("tenant.cordon-requested", { tenant, reason: REASON }, "cordon-tenant", { time, ...options });
const uncordon = (time: string): ReturnType<FunctionRig["send"]> =>
  rig.send("tenant.uncordon-requested", { tenant }, "uncordon-tenant", { time });
const newPod = (namespace: string): ReturnType<typeof attempt> =>
  attempt(() => alice.createNamespacedPod({ namespace, body: node.aPod(namespace) }));
let cordonId = "";

describe("cordoned", () => {
  beforeAll(async () => {
    const { event, outcome } = await cordon("2026-11-27T10:00:00.000Z");
    expect(outcome).toMatchObject({ state: "succeeded" });
    cordonId = event.id;
  });

  test("the result names every namespace of the tenant, where the apiserver now enforces it, and the reason", async () => {
    const [result] = await rig.results(cordonId, "tenant.cordoned");
    expect(result?.data).toMatchObject({ tenant, reason: REASON });
    expect([...(result?.data.namespaces as string[])].sort()).toEqual([...namespaces].sort());
  });

  test.each(namespaces.map((ns, i) => [i, ns]))(
    "namespace %i refuses the tenant admin a new pod at once, saying the tenant is cordoned and why",
    async (_, namespace) => {
      const refused = await newPod(namespace);
      expect(refused).toMatchObject({ ok: false, status: 403 });
      expect(refused.message).toContain(`tenant ${tenant} is cordoned: ${REASON}`);
    },
  );

  test("the running pod keeps running, and changing it is refused", async () => {
    await new Promise((r) => setTimeout(r, 2000));
    const pod = await core.readNamespacedPod({ name: running, namespace: tenant });
    expect(pod.status?.phase).toBe("Running");
    const relabel = await attempt(() =>
      alice.patchNamespacedPod({
        name: running,
        namespace: tenant,
        body: [{ op: "add", path: "/metadata/labels/tier", value: "hot" }],
      }),
    );
    expect(relabel).toMatchObject({ ok: false, status: 403 });
    expect(relabel.message).toContain(`tenant ${tenant} is cordoned`);
  });

  test("each namespace has a Warning Event saying who cordoned it and why", async () => {
    for (const namespace of namespaces) {
      const events = await kc.makeApiClient(EventsV1Api).listNamespacedEvent({ namespace });
      const event = events.items.find((e) => e.reason === "TenantCordoned");
      expect(event).toMatchObject({ type: "Warning" });
      expect(event?.note).toContain(REASON);
    }
  });

  test("a later tenant.requested changes the tenant, not its cordon", async () => {
    const request = aTenantRequested({
      tenant,
      admins: [{ kind: "User", name: `alice-${tenant}` }],
      namespaces,
      quota: { pods: 20 },
    });
    const { outcome } = await rig.send("tenant.requested", request, "provision-tenant");
    expect(outcome).toMatchObject({ state: "succeeded" });
    expect((await newPod(tenant)).message).toContain(`tenant ${tenant} is cordoned`);
  });
});

describe("uncordoned", () => {
  test("uncordon admits new pods again, at once", async () => {
    const { event, outcome } = await uncordon("2026-11-27T12:00:00.000Z");
    expect(outcome).toMatchObject({ state: "succeeded" });
    expect((await rig.results(event.id, "tenant.uncordoned"))[0]?.data).toMatchObject({ tenant });
    for (const namespace of namespaces) expect(await newPod(namespace)).toMatchObject({ ok: true });
  });

  test("the older cordon, replayed, is stale: the tenant stays uncordoned", async () => {
    const replayed = await cordon("2026-11-27T10:00:00.000Z", { id: cordonId, replay: true });
    expect(replayed.outcome).toMatchObject({ state: "rejected", error: { code: "STALE_REQUEST" } });
    const older = await cordon("2026-11-27T11:00:00.000Z");
    expect(older.outcome).toMatchObject({ state: "rejected", error: { code: "STALE_REQUEST" } });
    expect(await newPod(tenant)).toMatchObject({ ok: true });
  });

  test("a tenant that does not exist cannot be cordoned", async () => {
    const { outcome } = await rig.send(
      "tenant.cordon-requested",
      { tenant: uniqueName("nobody"), reason: REASON },
      "cordon-tenant",
    );
    expect(outcome).toMatchObject({ state: "rejected", error: { code: "NOT_FOUND" } });
  });
});
