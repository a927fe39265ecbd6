// Offboarding (issue 17 §3): retire deletes a tenant's namespaces (or keeps them, released), then its bindings, state and
// parameters; dry-run changes nothing; deletion protection refuses; an older request after a retire is stale. Real servers.
import { AdmissionregistrationV1Api, CoreV1Api, EventsV1Api, PolicyV1Api } from "@kubernetes/client-node";
import { jetstream, jetstreamManager } from "@nats-io/jetstream";
import type { NatsConnection } from "@nats-io/transport-node";
import {
  optionsFromEnv as provisionOptions,
  provisionTenant,
} from "../../functions/provision-tenant/index.ts";
import { FIELD_MANAGER as RETIRE_MANAGER, retireTenant } from "../../functions/retire-tenant/index.ts";
import { markRetiring } from "../../functions/retire-tenant/record.ts";
import { aTenantRequested } from "../../schemas/fixtures.ts";
import { PLATFORM_NAMESPACE, RELEASED_LABEL, TENANT_LABEL } from "../../schemas/names.ts";
import { newEvent, publishEvent } from "../../shared/events.ts";
import { OutcomeStore } from "../../shared/host/outcomes.ts";
import { ensureStreams } from "../../shared/host/streams.ts";
import { kubeFromConfig } from "../../shared/kube.ts";
import { tenantChangeOptionsFromEnv } from "../../shared/tenant-record.ts";
import { attempt } from "../deploy/identities.ts";
import { killAll, spawnNode, type Spawned } from "../harness/processes.ts";
import { eventually, impersonating, kubeConfig, natsConnection, uniqueName } from "../harness/servers.ts";
import { removeRunStreams } from "../reliability/cleanup.ts";
import { streamMessages, testConfig, waitUntil } from "../runtime/support.ts";
import { functionRig, type FunctionRig } from "./support.ts";
import { aKataNode, ensureRuntimeClasses, podNames, untilRunning, type KataNode } from "./tenant-day2.ts";
import { resourceVersions, tenantBindings, tenantConfigMaps } from "./tenant-retire-views.ts";

const HOST = "test/reliability/fixtures/function-host.ts";
const kc = kubeConfig();
const core = kc.makeApiClient(CoreV1Api);
const admission = kc.makeApiClient(AdmissionregistrationV1Api);
let nc: NatsConnection;
let rig: FunctionRig;
let node: KataNode;

beforeAll(async () => {
  nc = await natsConnection();
  rig = await functionRig(nc, [
    provisionTenant(provisionOptions({ ICN_PLATFORM_IDENTITIES: "icn-admin" })),
    retireTenant(tenantChangeOptionsFromEnv({})),
  ]);
  await ensureRuntimeClasses(kc);
  node = await aKataNode(kc, "retire");
});
afterAll(async () => {
  await rig.stop();
  await nc.close();
  await node.remove();
});

interface Tenant {
  tenant: string;
  namespaces: string[];
  requestId: string;
  pods: string[];
}

/** A tenant of three namespaces with a running pod in each, requested at `time`. */
async function aTenant(prefix: string, extra: Record<string, unknown> = {}, time?: string): Promise<Tenant> {
  const tenant = uniqueName(prefix);
  const namespaces = [tenant, `${tenant}-dev`, `${tenant}-prod`];
  const request = {
    ...aTenantRequested({ tenant, admins: [{ kind: "User", name: `alice-${tenant}` }], namespaces }),
    ...extra,
  };
  const { event, outcome } = await rig.send("tenant.requested", request, "provision-tenant", { time });
  expect(outcome).toMatchObject({ state: "succeeded" });
  const pods: string[] = [];
  for (const namespace of namespaces) {
    const pod = await core.createNamespacedPod({ namespace, body: node.aPod(namespace) });
    pods.push(`Pod/${namespace}/${(await untilRunning(core, pod)).metadata?.name ?? ""}`);
  }
  return { tenant, namespaces, requestId: event.id, pods };
}

const retire = (tenant: string, data: Record<string, unknown> = {}): ReturnType<FunctionRig["send"]> =>
  rig.send("tenant.retire-requested", { tenant, ...data }, "retire-tenant");

async function namespaceLabels(name: string): Promise<Record<string, string> | undefined> {
  try {
    return (await core.readNamespace({ name })).metadata?.labels ?? {};
  } catch (err) {
    if ((err as { code?: number }).code === 404) return undefined;
    throw err;
  }
}

describe("retired, namespaces deleted", () => {
  let t: Tenant;
  let retireId = "";
  let result: Record<string, unknown> | undefined;
  beforeAll(async () => {
    t = await aTenant("gone", {}, "2026-11-28T10:00:00.000Z");
    const { event, outcome } = await retire(t.tenant, { reason: "contract ended" });
    expect(outcome).toMatchObject({ state: "succeeded" });
    retireId = event.id;
    result = (await rig.results(event.id, "tenant.retired"))[0]?.data;
  });

  test("its namespaces are gone, its pods evicted first", async () => {
    for (const name of t.namespaces) expect(await namespaceLabels(name)).toBeUndefined();
    expect(result).toMatchObject({ tenant: t.tenant, dryRun: false });
    expect([...(result?.evicted as string[])].sort()).toEqual([...t.pods].sort());
    expect(result?.removed).toEqual(expect.arrayContaining(t.namespaces.map((ns) => `Namespace/${ns}`)));
  });

  test("its bindings and state are removed; its record stays, without parameters, saying retired", async () => {
    expect(await tenantBindings(admission, t.tenant)).toEqual([]);
    const maps = await tenantConfigMaps(core, t.tenant);
    expect(Object.keys(maps)).toEqual([`tenant-${t.tenant}`]);
    const record = maps[`tenant-${t.tenant}`] ?? {};
    expect(record).toMatchObject({ lifecycle: "retired", tenant: t.tenant });
    expect(record).not.toHaveProperty("allowedRuntimeClasses");
    expect(result?.removed).toEqual(
      expect.arrayContaining([
        `ValidatingAdmissionPolicyBinding/icn-tenant-cordon.${t.tenant}`,
        `MutatingAdmissionPolicyBinding/icn-tenant-default-runtime-class.${t.tenant}`,
      ]),
    );
    expect(result?.kept).toEqual([`ConfigMap/${PLATFORM_NAMESPACE}/tenant-${t.tenant}`]);
  });

  test("its original tenant.requested, replayed, is stale and brings nothing back; so is an older one", async () => {
    const request = aTenantRequested({
      tenant: t.tenant,
      admins: [{ kind: "User", name: "mallory" }],
      namespaces: t.namespaces,
    });
    const replayed = await rig.send("tenant.requested", request, "provision-tenant", {
      id: t.requestId,
      time: "2026-11-28T10:00:00.000Z",
      replay: true,
    });
    expect(replayed.outcome).toMatchObject({ state: "rejected", error: { code: "STALE_REQUEST" } });
    const older = await rig.send("tenant.requested", request, "provision-tenant", {
      time: "2026-11-28T09:00:00.000Z",
    });
    expect(older.outcome).toMatchObject({ state: "rejected", error: { code: "STALE_REQUEST" } });
    for (const name of t.namespaces) expect(await namespaceLabels(name)).toBeUndefined();
    expect(await tenantBindings(admission, t.tenant)).toEqual([]);
  });

  test("the same retire, delivered again, answers the same; another retire finds the tenant gone", async () => {
    const replayed = await rig.send(
      "tenant.retire-requested",
      { tenant: t.tenant, reason: "contract ended" },
      "retire-tenant",
      {
        id: retireId,
        replay: true,
      },
    );
    expect(replayed.outcome).toMatchObject({ state: "succeeded" });
    const answers = await rig.results(retireId, "tenant.retired");
    expect(answers.at(-1)?.data).toEqual(result);
    const another = await retire(t.tenant);
    expect(another.outcome).toMatchObject({ state: "rejected", error: { code: "NOT_FOUND" } });
    expect(another.outcome.error?.message).toContain("retired already");
  });
});

describe("retired, keep: namespaces", () => {
  let t: Tenant;
  let result: Record<string, unknown> | undefined;
  beforeAll(async () => {
    t = await aTenant("kept");
    const { event, outcome } = await retire(t.tenant, { keep: "namespaces" });
    expect(outcome).toMatchObject({ state: "succeeded" });
    result = (await rig.results(event.id, "tenant.retired"))[0]?.data;
  });

  test("its namespaces stay, no longer the tenant's and frozen, emptied of its pods and its objects", async () => {
    for (const namespace of t.namespaces) {
      const labels = await namespaceLabels(namespace);
      expect(labels).toBeDefined();
      expect(labels).not.toHaveProperty([TENANT_LABEL]);
      expect(labels?.[RELEASED_LABEL]).toBe(t.tenant);
      expect(await podNames(core, namespace)).toEqual([]);
      const gone = await attempt(() =>
        core.readNamespacedResourceQuota({ name: "icn-tenant-quota", namespace }),
      );
      expect(gone).toMatchObject({ ok: false, status: 404 });
    }
    expect([...(result?.kept as string[])].sort()).toEqual(
      [
        ...t.namespaces.map((ns) => `Namespace/${ns}`),
        `ConfigMap/${PLATFORM_NAMESPACE}/tenant-${t.tenant}`,
      ].sort(),
    );
  });

  test("its admin can start nothing there, and its bindings are gone", async () => {
    const alice = impersonating(kc, `alice-${t.tenant}`).makeApiClient(CoreV1Api);
    const refused = await attempt(() =>
      alice.createNamespacedPod({ namespace: t.tenant, body: node.aPod(t.tenant) }),
    );
    expect(refused).toMatchObject({ ok: false, status: 403 });
    expect(await tenantBindings(admission, t.tenant)).toEqual([]);
  });

  test("each namespace has the Warning Events of the retire and of the release", async () => {
    const events = await kc.makeApiClient(EventsV1Api).listNamespacedEvent({ namespace: t.tenant });
    const reasons = events.items.map((e) => e.reason);
    expect(reasons).toEqual(expect.arrayContaining(["TenantRetiring", "TenantNamespaceReleased"]));
  });
});

describe("dry run", () => {
  test("lists what a retire would remove and keep, and changes nothing", async () => {
    const t = await aTenant("dry");
    const before = await resourceVersions(kc, t.tenant, t.namespaces);
    const { event, outcome } = await retire(t.tenant, { dryRun: true });
    expect(outcome).toMatchObject({ state: "succeeded" });
    const [result] = await rig.results(event.id, "tenant.retired");
    expect(result?.data).toMatchObject({ tenant: t.tenant, dryRun: true });
    expect(result?.data.removed).toEqual(expect.arrayContaining(t.namespaces.map((ns) => `Namespace/${ns}`)));
    expect([...(result?.data.evicted as string[])].sort()).toEqual([...t.pods].sort());
    expect(await resourceVersions(kc, t.tenant, t.namespaces)).toEqual(before);
  });
});

describe("deletion protection", () => {
  test("refuses the retire, saying how to lift it; a request without it lifts it", async () => {
    const t = await aTenant("guarded", { protection: { deletion: true } });
    const before = await resourceVersions(kc, t.tenant, t.namespaces);
    const { event, outcome } = await retire(t.tenant);
    expect(outcome).toMatchObject({ state: "rejected", error: { code: "DELETION_PROTECTED" } });
    const [rejected] = await rig.results(event.id, "tenant.rejected");
    expect(rejected?.data).toMatchObject({ tenant: t.tenant, code: "DELETION_PROTECTED" });
    expect(String(rejected?.data.reason)).toContain("protection.deletion");
    expect(await resourceVersions(kc, t.tenant, t.namespaces)).toEqual(before);
    const lifted = aTenantRequested({
      tenant: t.tenant,
      admins: [{ kind: "User", name: `alice-${t.tenant}` }],
      namespaces: t.namespaces,
    });
    expect((await rig.send("tenant.requested", lifted, "provision-tenant")).outcome).toMatchObject({
      state: "succeeded",
    });
    expect((await retire(t.tenant)).outcome).toMatchObject({ state: "succeeded" });
    await eventually(async () => {
      for (const name of t.namespaces) expect(await namespaceLabels(name)).toBeUndefined();
    });
  });
});

describe("resumed late", () => {
  test("a retire that stopped after its namespaces and bindings went finishes when replayed: nothing is left to freeze", async () => {
    const t = await aTenant("late");
    const first = { tenant: t.tenant, id: crypto.randomUUID(), time: new Date().toISOString(), sequence: 1 };
    // Where its first attempt died: record marked, namespaces deleted, bindings removed; no state, no tombstone yet.
    await markRetiring(kubeFromConfig(kc), first, t.namespaces, RETIRE_MANAGER);
    for (const name of t.namespaces) await core.deleteNamespace({ name });
    await waitUntil("the namespaces gone", async () => {
      for (const name of t.namespaces) if (await namespaceLabels(name)) return undefined;
      return true;
    });
    for (const binding of await tenantBindings(admission, t.tenant)) {
      const [kind, name = ""] = binding.split("/");
      if (kind === "MutatingAdmissionPolicyBinding")
        await admission.deleteMutatingAdmissionPolicyBinding({ name });
      else await admission.deleteValidatingAdmissionPolicyBinding({ name });
    }
    const { outcome } = await rig.send("tenant.retire-requested", { tenant: t.tenant }, "retire-tenant", {
      id: first.id,
      time: first.time,
      replay: true,
    });
    expect(outcome).toMatchObject({ state: "succeeded" });
    const maps = await tenantConfigMaps(core, t.tenant);
    expect(Object.keys(maps)).toEqual([`tenant-${t.tenant}`]);
    expect(maps[`tenant-${t.tenant}`]).toMatchObject({ lifecycle: "retired", lastRequestId: first.id });
  });
});

describe("interrupted", () => {
  const config = testConfig({ ackWaitMs: 3000 });
  const startHost = (): Spawned =>
    spawnNode(HOST, {
      NATS_URL: config.natsUrl,
      ICN_SUBJECT_PREFIX: config.prefix,
      ICN_HTTP_PORT: "0",
      ICN_ACK_WAIT_MS: String(config.ackWaitMs),
      ICN_LOG_LEVEL: "silent",
      TEST_FUNCTIONS: "retire-tenant",
    });
  beforeAll(async () => ensureStreams(await jetstreamManager(nc), config));
  afterAll(async () => {
    killAll();
    await removeRunStreams(nc, config);
  });

  test("a retire whose host is SIGKILLed between its freeze and its deletes is completed when redelivered", async () => {
    const t = await aTenant("killed");
    // A budget that refuses every eviction in one namespace: the retire waits there, between its steps, until its deadline.
    await kc.makeApiClient(PolicyV1Api).createNamespacedPodDisruptionBudget({
      namespace: t.tenant,
      body: {
        metadata: { name: "hold" },
        spec: { minAvailable: 1, selector: { matchLabels: { app: "web" } } },
      },
    });
    let host = startHost();
    await host.waitFor(/fixtureReady/);
    const event = newEvent({
      name: "tenant.retire-requested",
      source: "urn:test:functions",
      data: { tenant: t.tenant, evictionDeadlineSeconds: 20 },
    });
    await publishEvent(jetstream(nc), config.prefix, event);
    await waitUntil("the retire's freeze, proven in every namespace", async () => {
      const state = (await tenantConfigMaps(core, t.tenant))[`tenant-${t.tenant}.state`]?.state;
      const events = await kc
        .makeApiClient(EventsV1Api)
        .listNamespacedEvent({ namespace: t.namespaces[2] ?? "" });
      return state === "retiring" && events.items.some((e) => e.reason === "TenantRetiring")
        ? true
        : undefined;
    });
    host.child.kill("SIGKILL");
    await host.exited;

    // No host runs: every namespace is still there, frozen for its admin, the held pod still running.
    const alice = impersonating(kc, `alice-${t.tenant}`).makeApiClient(CoreV1Api);
    for (const namespace of t.namespaces) {
      const refused = await attempt(() =>
        alice.createNamespacedPod({ namespace, body: node.aPod(namespace) }),
      );
      expect(refused).toMatchObject({ ok: false, status: 403 });
      expect(refused.message).toContain(`tenant ${t.tenant} is retiring`);
      expect(refused.message).toContain("being retired");
    }
    const held = t.pods.find((pod) => pod.startsWith(`Pod/${t.tenant}/`)) ?? "";
    expect(await podNames(core, t.tenant)).toEqual([held.split("/")[2]]);

    host = startHost();
    const store = await OutcomeStore.open(nc, config.outcomesBucket);
    const outcome = await waitUntil(
      "the redelivered retire settled",
      async () => {
        const now = await store.get(event, "retire-tenant");
        return now && ["succeeded", "rejected", "dead-lettered"].includes(now.state) ? now : undefined;
      },
      180_000,
    );
    expect(outcome).toMatchObject({ state: "succeeded" });
    for (const name of t.namespaces) expect(await namespaceLabels(name)).toBeUndefined();
    expect(await tenantBindings(admission, t.tenant)).toEqual([]);
    const [result] = (await streamMessages(nc, config.eventsStream, `${config.prefix}.tenant.retired`)).map(
      (m) => JSON.parse(new TextDecoder().decode(m.data)) as Record<string, unknown>,
    );
    expect(result).toMatchObject({ tenant: t.tenant, deletedPods: [held] });
    expect([...(result?.namespaces as string[])].sort()).toEqual([...t.namespaces].sort());
  }, 300_000);
});
