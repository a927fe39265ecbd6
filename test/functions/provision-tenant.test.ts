// provision-tenant end to end: publish tenant.requested, then prove isolation with the apiserver itself.
import {
  CoreV1Api,
  KubernetesObjectApi,
  NetworkingV1Api,
  type KubernetesObject,
  type V1Pod,
} from "@kubernetes/client-node";
import type { NatsConnection } from "@nats-io/transport-node";
import { aTenantRequested } from "../../schemas/fixtures.ts";
import { ADOPT_LABEL } from "../../schemas/names.ts";
import {
  optionsFromEnv as provisionOptions,
  provisionTenant,
} from "../../functions/provision-tenant/index.ts";
import { runtimeClass } from "../../functions/label-kata-node/runtime-classes.ts";
import { apply } from "../../shared/kube-apply.ts";
import { kubeFromConfig } from "../../shared/kube.ts";
import { eventually, impersonating, kubeConfig, natsConnection, uniqueName } from "../harness/servers.ts";
import { functionRig, type FunctionRig } from "./support.ts";

const kc = kubeConfig();
const core = kc.makeApiClient(CoreV1Api);
const objects = KubernetesObjectApi.makeApiClient(kc);
const fn = provisionTenant({
  // The functions' own ServiceAccounts stay on the cluster-wide tamper policy (test/deploy runs them).
  ...provisionOptions({ ICN_PLATFORM_IDENTITIES: "icn-admin" }),
});
let nc: NatsConnection;
let rig: FunctionRig;
let firstRequestId = "";

const tenant = uniqueName("acme");
const other = uniqueName("globex");
const alice = `alice-${tenant}`;
const request = (overrides: Record<string, unknown> = {}): Record<string, unknown> =>
  aTenantRequested({
    tenant,
    admins: [{ kind: "User", name: alice }],
    namespaces: [tenant, `${tenant}-dev`],
    ticket: { system: "jira", id: "OPS-7" },
    ...overrides,
  });

const aPod = (namespace: string, runtimeClassName?: string): V1Pod => ({
  metadata: { name: uniqueName("app"), namespace },
  spec: { runtimeClassName, containers: [{ name: "app", image: "registry.example/app:1" }] },
});
const asAlice = (): CoreV1Api => impersonating(kc, alice).makeApiClient(CoreV1Api);
const rv = async (obj: KubernetesObject): Promise<string | undefined> =>
  (await objects.read(obj as KubernetesObject & { metadata: { name: string } })).metadata?.resourceVersion;
const quotaOf = async (ns: string): Promise<Record<string, string> | undefined> =>
  (await core.readNamespacedResourceQuota({ name: "icn-tenant-quota", namespace: ns })).spec?.hard;

beforeAll(async () => {
  nc = await natsConnection();
  rig = await functionRig(nc, [fn]);
  const kube = kubeFromConfig(kc);
  for (const shim of ["qemu", "clh"]) await apply(kube, runtimeClass(shim), "test-setup");
  await apply(
    kube,
    {
      apiVersion: "node.k8s.io/v1",
      kind: "RuntimeClass",
      metadata: { name: "runc" },
      handler: "runc",
    } as KubernetesObject,
    "test-setup",
  );
  const { event, outcome } = await rig.send("tenant.requested", request(), "provision-tenant", {
    time: "2026-11-26T10:00:00.000Z",
  });
  expect(outcome).toMatchObject({ state: "succeeded" });
  firstRequestId = event.id;
});
afterAll(async () => {
  await rig.stop();
  await nc.close();
});

describe("the objects a tenant gets", () => {
  test.each([[() => tenant], [() => `${tenant}-dev`]])(
    "namespace %#: labels, quota, limits, isolation, admins",
    async (nsOf) => {
      const ns = nsOf();
      const namespace = await core.readNamespace({ name: ns });
      expect(namespace.metadata?.labels).toMatchObject({
        "icn.akraino.org/tenant": tenant,
        "app.kubernetes.io/managed-by": "icn-secure-tenancy",
        "pod-security.kubernetes.io/enforce": "baseline",
      });
      expect(await quotaOf(ns)).toMatchObject({ pods: "50" });
      expect(
        (await core.readNamespacedLimitRange({ name: "icn-tenant-limits", namespace: ns })).spec?.limits[0]
          ?.defaultRequest,
      ).toBeDefined();
      const policy = await kc
        .makeApiClient(NetworkingV1Api)
        .readNamespacedNetworkPolicy({ name: "icn-tenant-isolation", namespace: ns });
      expect(policy.spec?.ingress?.[0]?._from?.[0]?.namespaceSelector?.matchLabels).toEqual({
        "icn.akraino.org/tenant": tenant,
      });
      const binding = await objects.read({
        apiVersion: "rbac.authorization.k8s.io/v1",
        kind: "RoleBinding",
        metadata: { name: "icn-tenant-admins", namespace: ns },
      });
      expect(binding).toMatchObject({
        roleRef: { kind: "ClusterRole", name: "admin" },
        subjects: [{ kind: "User", name: alice }],
      });
    },
  );

  test("the result lists what was applied and carries the ticket", async () => {
    const [result] = await rig.results(firstRequestId, "tenant.provisioned");
    expect(result?.data).toMatchObject({
      tenant,
      namespaces: [tenant, `${tenant}-dev`],
      ticket: { system: "jira", id: "OPS-7" },
    });
    expect(result?.data.applied).toEqual(
      expect.arrayContaining([
        `Namespace/${tenant}`,
        `NetworkPolicy/${tenant}/icn-tenant-isolation`,
        `RoleBinding/${tenant}-dev/icn-tenant-admins`,
      ]),
    );
  });

  test("admission policy parameters live in the platform's namespace", async () => {
    const params = (await core.readNamespacedConfigMap({ name: `tenant-${tenant}`, namespace: "icn-system" }))
      .data;
    expect(params).toMatchObject({
      tenant,
      allowedRuntimeClasses: "kata-qemu,kata-clh",
      defaultRuntimeClass: "kata-qemu",
    });
  });
});

describe("as the tenant's admin, the apiserver enforces isolation", () => {
  test("a pod without a runtime class is admitted and defaulted to Kata", async () => {
    const pod = await eventually(async () => {
      const created = await asAlice().createNamespacedPod({ namespace: tenant, body: aPod(tenant) });
      if (created.spec?.runtimeClassName !== "kata-qemu")
        throw new Error(`not defaulted: ${created.spec?.runtimeClassName}`);
      return created;
    });
    expect(pod.spec?.runtimeClassName).toBe("kata-qemu");
  });

  test("a runc pod is denied with our message", async () => {
    // Policies reach the apiserver's admission a moment after they are written.
    const denial = await eventually(async () => {
      const result = await asAlice()
        .createNamespacedPod({ namespace: tenant, body: aPod(tenant, "runc") })
        .then(
          () => new Error("the runc pod was admitted"),
          (err: unknown) => err as Error,
        );
      if (/was admitted/.test(result.message)) throw result;
      return result;
    });
    // The cluster-wide floor or the tenant's own policy, whichever the apiserver evaluates first.
    expect(denial.message).toMatch(
      /runtime class 'runc' is not allowed in tenant .*Kata|Kata VMs: runtime class runc is not one of the platform's Kata classes/,
    );
  });

  test("another allowed Kata class is admitted", async () => {
    const pod = await asAlice().createNamespacedPod({
      namespace: `${tenant}-dev`,
      body: aPod(`${tenant}-dev`, "kata-clh"),
    });
    expect(pod.spec?.runtimeClassName).toBe("kata-clh");
  });

  test("a pod in another tenant's namespace is forbidden", async () => {
    await rig.send(
      "tenant.requested",
      aTenantRequested({ tenant: other, admins: [{ kind: "User", name: "bob" }] }),
      "provision-tenant",
    );
    await expect(
      asAlice().createNamespacedPod({ namespace: other, body: aPod(other) }),
    ).rejects.toMatchObject({ code: 403 });
  });

  test("deleting or editing what the platform made is refused", async () => {
    const net = impersonating(kc, alice).makeApiClient(NetworkingV1Api);
    await expect(
      net.deleteNamespacedNetworkPolicy({ name: "icn-tenant-isolation", namespace: tenant }),
    ).rejects.toThrow(/only the platform may change or delete NetworkPolicy/);
    await expect(
      net.patchNamespacedNetworkPolicy({
        name: "icn-tenant-isolation",
        namespace: tenant,
        // Turning ingress isolation off: harmless-looking to the NetworkPolicy guards, not to tamper protection.
        body: [{ op: "replace", path: "/spec/policyTypes", value: ["Egress"] }],
      }),
    ).rejects.toThrow(/only the platform may change/);
    await expect(
      asAlice().deleteNamespacedResourceQuota({ name: "icn-tenant-quota", namespace: tenant }),
    ).rejects.toMatchObject({ code: 403 });
    await expect(
      asAlice().deleteNamespacedConfigMap({ name: `tenant-${tenant}`, namespace: "icn-system" }),
    ).rejects.toMatchObject({ code: 403 });
    const rbac = KubernetesObjectApi.makeApiClient(impersonating(kc, alice));
    await expect(
      rbac.delete({
        apiVersion: "rbac.authorization.k8s.io/v1",
        kind: "RoleBinding",
        metadata: { name: "icn-tenant-admins", namespace: tenant },
      }),
    ).rejects.toThrow(/only the platform may change or delete RoleBinding/);
  });

  test("removing a pod's quarantine label is refused", async () => {
    const pod = await eventually(() =>
      asAlice().createNamespacedPod({ namespace: tenant, body: aPod(tenant) }),
    );
    const name = pod.metadata?.name ?? "";
    await core.patchNamespacedPod({
      name,
      namespace: tenant,
      body: [{ op: "add", path: "/metadata/labels", value: { "icn.akraino.org/quarantine": "true" } }],
    });
    await expect(
      asAlice().patchNamespacedPod({
        name,
        namespace: tenant,
        body: [{ op: "remove", path: "/metadata/labels/icn.akraino.org~1quarantine" }],
      }),
    ).rejects.toThrow(/is quarantined: only the platform/);
  });
});

describe("what is refused changes nothing", () => {
  const rejected = async (data: Record<string, unknown>): Promise<Record<string, unknown> | undefined> => {
    const { event, outcome } = await rig.send("tenant.requested", data, "provision-tenant");
    expect(outcome.state).toBe("rejected");
    return (await rig.results(event.id, "tenant.rejected"))[0]?.data;
  };
  const namespaceExists = async (name: string): Promise<boolean> =>
    core.readNamespace({ name }).then(
      () => true,
      () => false,
    );

  test.each([["kube-system"], ["default"], ["Acme"], ["a".repeat(64)], ["icn-system"]])(
    "tenant name %s is rejected",
    async (name) => {
      const result = await rejected(aTenantRequested({ tenant: name }));
      expect(result).toMatchObject({ code: "SCHEMA_INVALID" });
      expect(String(result?.reason)).toMatch(/tenant/);
    },
  );

  test("a system: admin identity is rejected and no namespace appears", async () => {
    const name = uniqueName("sys");
    const result = await rejected(
      aTenantRequested({ tenant: name, admins: [{ kind: "Group", name: "system:authenticated" }] }),
    );
    expect(String(result?.reason)).toMatch(/system:/);
    expect(await namespaceExists(name)).toBe(false);
  });

  test("a namespace that belongs to another tenant is refused and nothing changes", async () => {
    // Tenant "<x>-dev" owns namespace "<x>-dev"; tenant "<x>" may name it, but may not take it.
    const name = uniqueName("thief");
    const owner = `${name}-dev`;
    await rig.send("tenant.requested", aTenantRequested({ tenant: owner }), "provision-tenant");
    const result = await rejected(aTenantRequested({ tenant: name, namespaces: [name, owner] }));
    expect(result).toMatchObject({ code: "NAMESPACE_TAKEN", tenant: name });
    expect(String(result?.reason)).toContain(`belongs to tenant ${owner}`);
    expect(await namespaceExists(name)).toBe(false);
    expect((await core.readNamespace({ name: owner })).metadata?.labels?.["icn.akraino.org/tenant"]).toBe(
      owner,
    );
  });

  test("an existing namespace is adopted only once an operator approved it", async () => {
    const name = uniqueName("legacy");
    await core.createNamespace({ body: { metadata: { name } } });
    const refused = await rejected(aTenantRequested({ tenant: name }));
    expect(refused).toMatchObject({ code: "ADOPTION_NOT_APPROVED", tenant: name });
    await core.patchNamespace({
      name,
      body: [{ op: "add", path: "/metadata/labels", value: { [ADOPT_LABEL]: name } }],
    });
    const { outcome } = await rig.send(
      "tenant.requested",
      aTenantRequested({ tenant: name }),
      "provision-tenant",
    );
    expect(outcome).toMatchObject({ state: "succeeded" });
    expect((await core.readNamespace({ name })).metadata?.labels?.["icn.akraino.org/tenant"]).toBe(name);
  });
});

describe("replays and ordering", () => {
  const watched = (): KubernetesObject[] => [
    { apiVersion: "v1", kind: "Namespace", metadata: { name: tenant } },
    { apiVersion: "v1", kind: "ResourceQuota", metadata: { name: "icn-tenant-quota", namespace: tenant } },
    {
      apiVersion: "networking.k8s.io/v1",
      kind: "NetworkPolicy",
      metadata: { name: "icn-tenant-isolation", namespace: tenant },
    },
    { apiVersion: "v1", kind: "ConfigMap", metadata: { name: `tenant-${tenant}`, namespace: "icn-system" } },
  ];

  test("replaying the same request moves no resourceVersion", async () => {
    const before = await Promise.all(watched().map(rv));
    const { outcome } = await rig.send("tenant.requested", request(), "provision-tenant", {
      id: firstRequestId,
      time: "2026-11-26T10:00:00.000Z",
      replay: true,
    });
    expect(outcome).toMatchObject({ state: "succeeded", replay: true });
    expect(await Promise.all(watched().map(rv))).toEqual(before);
  });

  test("a newer request with a changed quota is applied; the older one replayed afterwards is stale", async () => {
    const newer = await rig.send("tenant.requested", request({ quota: { pods: 7 } }), "provision-tenant", {
      time: "2026-11-26T12:00:00.000Z",
    });
    expect(newer.outcome).toMatchObject({ state: "succeeded" });
    expect(await quotaOf(tenant)).toMatchObject({ pods: "7" });
    const before = await Promise.all(watched().map(rv));
    const old = await rig.send("tenant.requested", request(), "provision-tenant", {
      time: "2026-11-26T11:00:00.000Z",
    });
    expect(old.outcome).toMatchObject({ state: "rejected", error: { code: "STALE_REQUEST" } });
    expect(await quotaOf(tenant)).toMatchObject({ pods: "7" });
    expect(await Promise.all(watched().map(rv))).toEqual(before);
  });
});
