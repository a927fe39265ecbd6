// A re-request is a reconcile (issue 17 §1): what the new request no longer implies goes, against the real servers.
import { CoreV1Api, EventsV1Api, KubernetesObjectApi, type KubernetesObject } from "@kubernetes/client-node";
import type { NatsConnection } from "@nats-io/transport-node";
import {
  optionsFromEnv as provisionOptions,
  provisionTenant,
} from "../../functions/provision-tenant/index.ts";
import { aTenantRequested } from "../../schemas/fixtures.ts";
import { attempt } from "../deploy/identities.ts";
import { eventually, impersonating, kubeConfig, natsConnection, uniqueName } from "../harness/servers.ts";
import { functionRig, type FunctionRig } from "./support.ts";
import { aKataNode, ensureRuntimeClasses, podNames, untilRunning, type KataNode } from "./tenant-day2.ts";

const kc = kubeConfig();
const core = kc.makeApiClient(CoreV1Api);
const objects = KubernetesObjectApi.makeApiClient(kc);
const TENANT_LABEL = "icn.akraino.org/tenant";
const RELEASED_LABEL = "icn.akraino.org/released-from";
let nc: NatsConnection;
let rig: FunctionRig;
let node: KataNode;

beforeAll(async () => {
  nc = await natsConnection();
  // The functions' own ServiceAccounts stay on the cluster-wide policies (test/deploy runs them).
  rig = await functionRig(nc, [provisionTenant(provisionOptions({ ICN_PLATFORM_IDENTITIES: "icn-admin" }))]);
  await ensureRuntimeClasses(kc);
  node = await aKataNode(kc, "reconcile");
});
afterAll(async () => {
  await rig.stop();
  await nc.close();
  await node.remove();
});

const adminOf = (tenant: string): string => `alice-${tenant}`;
const as = (user: string): CoreV1Api => impersonating(kc, user).makeApiClient(CoreV1Api);
const requestFor = (tenant: string, extra: Record<string, unknown> = {}): Record<string, unknown> =>
  aTenantRequested({ tenant, admins: [{ kind: "User", name: adminOf(tenant) }], ...extra });

/** Sends the request; returns the outcome and, when it succeeded, its tenant.provisioned data. */
async function request(
  tenant: string,
  extra: Record<string, unknown> = {},
  time?: string,
): Promise<{ state: string; code?: string; result?: Record<string, unknown> }> {
  const { event, outcome } = await rig.send(
    "tenant.requested",
    requestFor(tenant, extra),
    "provision-tenant",
    {
      time,
    },
  );
  const [result] = await rig.results(event.id, "tenant.provisioned");
  return { state: outcome.state, code: outcome.error?.code, result: result?.data };
}

const hardOf = async (namespace: string): Promise<Record<string, string> | undefined> =>
  (await core.readNamespacedResourceQuota({ name: "icn-tenant-quota", namespace })).spec?.hard;
const labelsOf = async (name: string): Promise<Record<string, string>> =>
  (await core.readNamespace({ name })).metadata?.labels ?? {};
const exists = (obj: KubernetesObject): Promise<boolean> =>
  objects.read(obj as KubernetesObject & { metadata: { name: string } }).then(
    () => true,
    (err: { code?: number }) => {
      if (err.code === 404) return false;
      throw err;
    },
  );
const platformObjectsIn = (namespace: string): KubernetesObject[] => [
  {
    apiVersion: "rbac.authorization.k8s.io/v1",
    kind: "RoleBinding",
    metadata: { name: "icn-tenant-admins", namespace },
  },
  { apiVersion: "v1", kind: "ResourceQuota", metadata: { name: "icn-tenant-quota", namespace } },
  { apiVersion: "v1", kind: "LimitRange", metadata: { name: "icn-tenant-limits", namespace } },
  {
    apiVersion: "networking.k8s.io/v1",
    kind: "NetworkPolicy",
    metadata: { name: "icn-tenant-isolation", namespace },
  },
];

/** The tenant admin's pod, Running on this suite's Kata node (the admin's binding reaches the authorizer a moment late). */
async function aRunningPod(tenant: string, namespace: string): Promise<string> {
  const pod = await eventually(() =>
    as(adminOf(tenant)).createNamespacedPod({ namespace, body: node.aPod(namespace) }),
  );
  await untilRunning(core, pod);
  return pod.metadata?.name ?? "";
}

test("a quota field dropped from the request is removed; a changed one goes back to its default", async () => {
  const tenant = uniqueName("quota");
  expect((await request(tenant, { quota: { pods: 7, storage: "10Gi" } })).state).toBe("succeeded");
  expect(await hardOf(tenant)).toMatchObject({ pods: "7", "requests.storage": "10Gi", "requests.cpu": "8" });
  const again = await request(tenant, { quota: { cpu: "4" } });
  expect(again).toMatchObject({ state: "succeeded", result: { removed: [] } });
  const hard = await hardOf(tenant);
  expect(hard).toMatchObject({ pods: "50", "requests.cpu": "4", "limits.cpu": "4" });
  expect(hard).not.toHaveProperty("requests.storage");
});

test("a narrower runtime-class list takes effect at the apiserver: a pod of the dropped class is refused", async () => {
  const tenant = uniqueName("classes");
  const both = { allowed: ["kata-qemu", "kata-clh"], default: "kata-qemu" };
  expect((await request(tenant, { runtimeClasses: both })).state).toBe("succeeded");
  const alice = as(adminOf(tenant));
  await eventually(() =>
    alice.createNamespacedPod({ namespace: tenant, body: node.aPod(tenant, "kata-clh") }),
  );
  const narrower = { allowed: ["kata-qemu"], default: "kata-qemu" };
  expect((await request(tenant, { runtimeClasses: narrower })).state).toBe("succeeded");
  // The parameters reach admission a moment after they are written.
  const refused = await eventually(async () => {
    const result = await attempt(() =>
      alice.createNamespacedPod({ namespace: tenant, body: node.aPod(tenant, "kata-clh") }),
    );
    if (result.ok) throw new Error("the dropped class is still admitted");
    return result;
  });
  expect(refused).toMatchObject({ status: 403 });
  expect(refused.message).toMatch(
    /runtime class 'kata-clh' is not allowed in tenant .*allowed runtime classes: kata-qemu/,
  );
  await alice.createNamespacedPod({ namespace: tenant, body: node.aPod(tenant, "kata-qemu") });
});

describe("a namespace dropped from the request", () => {
  test("is released: its label, the admins' binding and the platform's objects go, a Warning Event says so, no pod starts there", async () => {
    const tenant = uniqueName("rel");
    const dropped = `${tenant}-old`;
    expect((await request(tenant, { namespaces: [tenant, dropped] })).state).toBe("succeeded");
    // An operator's colleague the namespace was shared with keeps a RoleBinding of another name.
    const ops = `ops-${tenant}`;
    await objects.create({
      apiVersion: "rbac.authorization.k8s.io/v1",
      kind: "RoleBinding",
      metadata: { name: "ops", namespace: dropped },
      roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: "admin" },
      subjects: [{ apiGroup: "rbac.authorization.k8s.io", kind: "User", name: ops }],
    } as KubernetesObject);

    const again = await request(tenant, { namespaces: [tenant] });
    expect(again.state).toBe("succeeded");
    expect(again.result).toMatchObject({
      namespaces: [tenant],
      released: [dropped],
      removed: [
        `RoleBinding/${dropped}/icn-tenant-admins`,
        `ResourceQuota/${dropped}/icn-tenant-quota`,
        `LimitRange/${dropped}/icn-tenant-limits`,
        `NetworkPolicy/${dropped}/icn-tenant-isolation`,
      ],
    });
    expect(again.result).not.toHaveProperty("evicted");
    const labels = await labelsOf(dropped);
    expect(labels).not.toHaveProperty(TENANT_LABEL);
    expect(labels).toMatchObject({ [RELEASED_LABEL]: tenant });
    for (const obj of platformObjectsIn(dropped)) expect(await exists(obj)).toBe(false);
    expect(await labelsOf(tenant)).toMatchObject({ [TENANT_LABEL]: tenant });

    const events = await kc.makeApiClient(EventsV1Api).listNamespacedEvent({ namespace: dropped });
    const warning = events.items.find((e) => e.reason === "TenantNamespaceReleased");
    expect(warning).toMatchObject({ type: "Warning" });
    expect(warning?.note).toMatch(new RegExp(`released from tenant ${tenant} .*no pod may be created`));

    // The tenant's admin is unbound; whoever else holds a binding there may start nothing, runc or Kata.
    expect(await attempt(() => as(adminOf(tenant)).listNamespacedPod({ namespace: dropped }))).toMatchObject({
      status: 403,
    });
    for (const runtimeClass of ["runc", "kata-qemu"]) {
      const refused = await eventually(() =>
        as(ops)
          .listNamespacedPod({ namespace: dropped })
          .then(() =>
            attempt(() =>
              as(ops).createNamespacedPod({ namespace: dropped, body: node.aPod(dropped, runtimeClass) }),
            ),
          ),
      );
      expect(refused).toMatchObject({ ok: false, status: 403 });
      expect(refused.message).toContain(`namespace ${dropped} was released from tenant ${tenant}`);
    }
  });

  test("that still runs pods is not released without drain, and nothing changes", async () => {
    const tenant = uniqueName("busy");
    const web = `${tenant}-web`;
    expect((await request(tenant, { namespaces: [tenant, web] })).state).toBe("succeeded");
    const pod = await aRunningPod(tenant, web);
    const watched = [
      { apiVersion: "v1", kind: "Namespace", metadata: { name: web } },
      ...platformObjectsIn(web),
    ];
    const versions = async (): Promise<(string | undefined)[]> =>
      Promise.all(
        watched.map(
          async (o) =>
            (await objects.read(o as KubernetesObject & { metadata: { name: string } })).metadata
              ?.resourceVersion,
        ),
      );
    const before = await versions();

    const refused = await request(tenant, { namespaces: [tenant] });
    expect(refused).toMatchObject({ state: "rejected", code: "RELEASE_HAS_PODS" });
    expect(await versions()).toEqual(before);
    expect(await labelsOf(web)).toMatchObject({ [TENANT_LABEL]: tenant });
    expect(await labelsOf(web)).not.toHaveProperty(RELEASED_LABEL);
    expect(await podNames(core, web)).toEqual([pod]);
  });

  test("with release: drain, its pods are evicted first, then it is released", async () => {
    const tenant = uniqueName("drain");
    const web = `${tenant}-web`;
    expect((await request(tenant, { namespaces: [tenant, web] })).state).toBe("succeeded");
    const pods = [await aRunningPod(tenant, web), await aRunningPod(tenant, web)];

    const drained = await request(tenant, { namespaces: [tenant], release: "drain" });
    expect(drained.state).toBe("succeeded");
    expect(drained.result).toMatchObject({ released: [web] });
    expect([...((drained.result?.evicted as string[]) ?? [])].sort()).toEqual(
      pods.map((p) => `Pod/${web}/${p}`).sort(),
    );
    expect(await podNames(core, web)).toEqual([]);
    expect(await labelsOf(web)).not.toHaveProperty(TENANT_LABEL);
  });

  test("an older request that still named it, replayed after the release, is stale: it stays released", async () => {
    const tenant = uniqueName("order");
    const dropped = `${tenant}-old`;
    const both = { namespaces: [tenant, dropped] };
    expect((await request(tenant, both, "2026-11-26T10:00:00.000Z")).state).toBe("succeeded");
    expect((await request(tenant, { namespaces: [tenant] }, "2026-11-26T12:00:00.000Z")).state).toBe(
      "succeeded",
    );
    const old = await request(tenant, both, "2026-11-26T11:00:00.000Z");
    expect(old).toMatchObject({ state: "rejected", code: "STALE_REQUEST" });
    expect(await labelsOf(dropped)).not.toHaveProperty(TENANT_LABEL);
    expect(await exists(platformObjectsIn(dropped)[0]!)).toBe(false);
  });
});
