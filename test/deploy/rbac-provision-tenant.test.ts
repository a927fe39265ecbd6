// provision-tenant with its own ServiceAccount's token: provisions a whole tenant, and can do nothing else.
import {
  AdmissionregistrationV1Api,
  CoreV1Api,
  EventsV1Api,
  NetworkingV1Api,
  RbacAuthorizationV1Api,
  type KubeConfig,
  type KubernetesObject,
} from "@kubernetes/client-node";
import type { NatsConnection } from "@nats-io/transport-node";
import { guardPolicies } from "../../functions/provision-tenant/guard-policies.ts";
import { optionsFromEnv, provisionTenant } from "../../functions/provision-tenant/index.ts";
import { kubeFromConfig } from "../../shared/kube.ts";
import { kubeConfig, natsConnection, uniqueName } from "../harness/servers.ts";
import { functionRig, type FunctionRig } from "../functions/support.ts";
import {
  applyBaseRbac,
  attempt,
  can,
  platformIdentitiesForTests,
  serviceAccountConfig,
} from "./identities.ts";

const admin = kubeConfig();
const core = admin.makeApiClient(CoreV1Api);
const tenant = uniqueName("rbac");
const namespaces = [tenant, `${tenant}-dev`];
let asFunction: KubeConfig;
let nc: NatsConnection;
let rig: FunctionRig;

beforeAll(async () => {
  await applyBaseRbac();
  asFunction = await serviceAccountConfig("provision-tenant");
  nc = await natsConnection();
  const options = { ...optionsFromEnv({}), platformIdentities: await platformIdentitiesForTests() };
  rig = await functionRig(nc, [provisionTenant(options)], kubeFromConfig(asFunction));
});
afterAll(async () => {
  await rig.stop();
  await nc.close();
});

test("provisions a tenant: namespaces, quota, limits, isolation, admins, policies, Events", async () => {
  const request = { tenant, admins: [{ kind: "User", name: `alice-${tenant}` }], namespaces };
  const { outcome } = await rig.send("tenant.requested", request, "provision-tenant");
  expect(outcome).toMatchObject({ state: "succeeded" });
  for (const namespace of namespaces) {
    const ns = await core.readNamespace({ name: namespace });
    expect(ns.metadata?.labels).toMatchObject({ "icn.akraino.org/tenant": tenant });
    await core.readNamespacedResourceQuota({ name: "icn-tenant-quota", namespace });
    await core.readNamespacedLimitRange({ name: "icn-tenant-limits", namespace });
    await admin
      .makeApiClient(NetworkingV1Api)
      .readNamespacedNetworkPolicy({ name: "icn-tenant-isolation", namespace });
    const binding = await admin
      .makeApiClient(RbacAuthorizationV1Api)
      .readNamespacedRoleBinding({ name: "icn-tenant-admins", namespace });
    expect(binding.roleRef.name).toBe("admin");
    const events = await admin.makeApiClient(EventsV1Api).listNamespacedEvent({ namespace });
    expect(events.items.some((e) => e.reason === "TenantProvisioned")).toBe(true);
  }
  await core.readNamespacedConfigMap({ name: `tenant-${tenant}`, namespace: "icn-system" });
  const admission = admin.makeApiClient(AdmissionregistrationV1Api);
  await admission.readValidatingAdmissionPolicyBinding({
    name: `icn-tenant-allowed-runtime-classes.${tenant}`,
  });
});

test("releases a namespace the next request drops, with its own token", async () => {
  const request = { tenant, admins: [{ kind: "User", name: `alice-${tenant}` }], namespaces: [tenant] };
  const { outcome } = await rig.send("tenant.requested", request, "provision-tenant");
  expect(outcome).toMatchObject({ state: "succeeded" });
  const released = await core.readNamespace({ name: `${tenant}-dev` });
  expect(released.metadata?.labels?.["icn.akraino.org/tenant"]).toBeUndefined();
  expect(released.metadata?.labels?.["icn.akraino.org/released-from"]).toBe(tenant);
});

describe("the apiserver allows exactly what it uses", () => {
  const rbac = "rbac.authorization.k8s.io";
  const admission = "admissionregistration.k8s.io";
  test.each([
    ["apply namespaces", { verb: "patch", resource: "namespaces", name: "any-tenant" }],
    ["read namespaces", { verb: "get", resource: "namespaces", name: "any-tenant" }],
    [
      "create the quota",
      { verb: "create", resource: "resourcequotas", name: "icn-tenant-quota", namespace: "t" },
    ],
    [
      "apply the admins' binding",
      { verb: "patch", group: rbac, resource: "rolebindings", name: "icn-tenant-admins", namespace: "t" },
    ],
    ["bind the admin ClusterRole", { verb: "bind", group: rbac, resource: "clusterroles", name: "admin" }],
    [
      "apply the tamper policy",
      {
        verb: "patch",
        group: admission,
        resource: "validatingadmissionpolicies",
        name: "icn-tenant-tamper-protection",
      },
    ],
    [
      "apply policy bindings",
      { verb: "patch", group: admission, resource: "validatingadmissionpolicybindings", name: "x.t" },
    ],
    ["write parameters in icn-system", { verb: "patch", resource: "configmaps", namespace: "icn-system" }],
    // The apiserver's condition for creating a policy whose parameters are ConfigMaps (a fresh cluster's first tenant).
    ["read ConfigMaps anywhere", { verb: "get", resource: "configmaps", name: "*", namespace: "*" }],
    ["create events", { verb: "create", group: "events.k8s.io", resource: "events", namespace: "t" }],
    [
      "read RuntimeClasses (Kata by handler)",
      { verb: "get", group: "node.k8s.io", resource: "runtimeclasses" },
    ],
    // Its enforcement probes; the policy icn-provision-tenant-dry-run-pods refuses a real one
    // (test/security/b-runc-window.test.ts).
    ["create pods", { verb: "create", resource: "pods", namespace: "t" }],
    [
      "replace the admins' RoleBinding someone else wrote",
      { verb: "update", group: rbac, resource: "rolebindings", name: "icn-tenant-admins", namespace: "t" },
    ],
    // Reconcile: find the tenant's namespaces and whether one to release still runs pods, drain it, strip it.
    ["list namespaces", { verb: "list", resource: "namespaces" }],
    ["list pods", { verb: "list", resource: "pods", namespace: "t" }],
    ["evict pods", { verb: "create", resource: "pods", subresource: "eviction", namespace: "t" }],
    [
      "delete the admins' binding of a released namespace",
      { verb: "delete", group: rbac, resource: "rolebindings", name: "icn-tenant-admins", namespace: "t" },
    ],
    [
      "delete the quota",
      { verb: "delete", resource: "resourcequotas", name: "icn-tenant-quota", namespace: "t" },
    ],
    [
      "delete the limits",
      { verb: "delete", resource: "limitranges", name: "icn-tenant-limits", namespace: "t" },
    ],
    [
      "delete the isolation policy",
      {
        verb: "delete",
        group: "networking.k8s.io",
        resource: "networkpolicies",
        name: "icn-tenant-isolation",
        namespace: "t",
      },
    ],
  ])("may %s", async (_, attributes) => {
    expect(await can(asFunction, attributes)).toBe(true);
  });

  const guards = guardPolicies([]).filter((p) => p.kind?.endsWith("Policy"));
  test.each(guards.map((p) => [p.metadata?.name ?? "", (p.kind ?? "").toLowerCase().replace(/y$/, "ies")]))(
    "may apply the guard %s (%s)",
    async (name, resource) => {
      for (const verb of ["create", "patch"])
        expect(await can(asFunction, { verb, group: admission, resource, name })).toBe(true);
    },
  );

  test.each([
    ["delete nodes", { verb: "delete", resource: "nodes" }],
    ["delete namespaces", { verb: "delete", resource: "namespaces", name: "any-tenant" }],
    ["read secrets", { verb: "get", resource: "secrets", namespace: "icn-system" }],
    ["bind cluster-admin", { verb: "bind", group: rbac, resource: "clusterroles", name: "cluster-admin" }],
    [
      "apply any RoleBinding",
      { verb: "patch", group: rbac, resource: "rolebindings", name: "other", namespace: "t" },
    ],
    [
      "apply another policy",
      { verb: "patch", group: admission, resource: "validatingadmissionpolicies", name: "other" },
    ],
    ["write ConfigMaps outside icn-system", { verb: "patch", resource: "configmaps", namespace: "t" }],
    ["delete pods (it only evicts)", { verb: "delete", resource: "pods", namespace: "t" }],
    [
      "delete any other RoleBinding",
      { verb: "delete", group: rbac, resource: "rolebindings", name: "ops", namespace: "t" },
    ],
    ["delete any other quota", { verb: "delete", resource: "resourcequotas", name: "other", namespace: "t" }],
    [
      "delete any other NetworkPolicy",
      {
        verb: "delete",
        group: "networking.k8s.io",
        resource: "networkpolicies",
        name: "icn-quarantine",
        namespace: "t",
      },
    ],
  ])("may not %s", async (_, attributes) => {
    expect(await can(asFunction, attributes)).toBe(false);
  });
});

describe("what it must not do is refused", () => {
  test("deleting a node", async () => {
    const node = await core.createNode({ body: { metadata: { name: uniqueName("node") } } });
    const name = node.metadata?.name ?? "";
    const mine = asFunction.makeApiClient(CoreV1Api);
    expect(await attempt(() => mine.deleteNode({ name }))).toMatchObject({ status: 403 });
    expect((await core.readNode({ name })).metadata?.uid).toBe(node.metadata?.uid);
  });

  test("granting cluster-admin, even under the admins' binding name", async () => {
    const namespace = uniqueName("esc");
    await core.createNamespace({ body: { metadata: { name: namespace } } });
    const binding = {
      apiVersion: "rbac.authorization.k8s.io/v1",
      kind: "RoleBinding",
      metadata: { name: "icn-tenant-admins", namespace },
      roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: "cluster-admin" },
      subjects: [{ apiGroup: "rbac.authorization.k8s.io", kind: "User", name: "mallory" }],
    } as KubernetesObject;
    const mine = kubeFromConfig(asFunction);
    const refused = await attempt(() => mine.objects.serverSideApply(binding, { fieldManager: "t" }));
    expect(refused).toMatchObject({ ok: false, status: 403 });
    expect(refused.message).toMatch(/escalat|bind/i);
  });

  test("deleting a RoleBinding or a pod that is not the platform's", async () => {
    const namespace = uniqueName("keep");
    await core.createNamespace({ body: { metadata: { name: namespace } } });
    const rbacApi = admin.makeApiClient(RbacAuthorizationV1Api);
    await rbacApi.createNamespacedRoleBinding({
      namespace,
      body: {
        metadata: { name: "ops" },
        roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: "view" },
        subjects: [{ apiGroup: "rbac.authorization.k8s.io", kind: "User", name: "ops" }],
      },
    });
    const pod = { metadata: { name: "keep" }, spec: { containers: [{ name: "c", image: "x" }] } };
    await core.createNamespacedPod({ namespace, body: pod });
    const mine = asFunction.makeApiClient(RbacAuthorizationV1Api);
    expect(await attempt(() => mine.deleteNamespacedRoleBinding({ name: "ops", namespace }))).toMatchObject({
      status: 403,
    });
    const myCore = asFunction.makeApiClient(CoreV1Api);
    expect(await attempt(() => myCore.deleteNamespacedPod({ name: "keep", namespace }))).toMatchObject({
      status: 403,
    });
    await rbacApi.readNamespacedRoleBinding({ name: "ops", namespace });
    await core.readNamespacedPod({ name: "keep", namespace });
  });

  test("reading secrets", async () => {
    const mine = asFunction.makeApiClient(CoreV1Api);
    expect(await attempt(() => mine.listNamespacedSecret({ namespace: "icn-system" }))).toMatchObject({
      status: 403,
    });
  });
});
