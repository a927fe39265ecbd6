import { plan } from "./provision.ts";
import type { TenantRequest } from "./tenant-objects.ts";

const platform = {
  identities: ["system:serviceaccount:icn-system:provision-tenant"],
  kataClasses: ["kata-qemu", "kata-clh"],
};
const classes = { allowed: ["kata-qemu", "kata-clh"], default: "kata-qemu" };
const aRequest = (overrides: Partial<TenantRequest> = {}): TenantRequest => ({
  tenant: "acme",
  admins: [{ kind: "User", name: "alice" }],
  namespaces: ["acme", "acme-dev"],
  ...overrides,
});
const aPlan = (request = aRequest(), chosen = classes): ReturnType<typeof plan> =>
  plan(request, chosen, platform, {});
const refs = (objects: ReturnType<typeof plan>["cluster"]): string[] =>
  objects.map((o) => `${o.kind}/${o.metadata?.namespace ?? ""}/${o.metadata?.name ?? ""}`);

test("the cluster-wide Kata floor and the tenant's bindings come before any namespace carries the tenant label", () => {
  const cluster = refs(aPlan().cluster);
  expect(cluster).toContain("ValidatingAdmissionPolicyBinding//icn-tenant-kata-only");
  expect(cluster.filter((r) => r.endsWith(".acme"))).toEqual([
    "MutatingAdmissionPolicyBinding//icn-tenant-default-runtime-class.acme",
    "ValidatingAdmissionPolicyBinding//icn-tenant-allowed-runtime-classes.acme",
    "ValidatingAdmissionPolicyBinding//icn-tenant-cordon.acme",
  ]);
  expect(cluster.some((r) => r.startsWith("Namespace//acme"))).toBe(false);
});

test("the Kata floor admits exactly the platform's verified Kata classes", () => {
  const floor = aPlan().cluster.find(
    (o) => o.metadata?.name === "icn-tenant-kata-only" && o.kind === "ValidatingAdmissionPolicy",
  );
  const expression = JSON.stringify(floor);
  expect(expression).toContain("['kata-qemu', 'kata-clh']");
  expect(expression).not.toContain("runc");
});

test("each namespace is labelled and confined first; the admins' RoleBinding is a step of its own", () => {
  for (const ns of aPlan().namespaces) {
    expect(refs(ns.confine)).toEqual([
      `Namespace//${ns.name}`,
      `ResourceQuota/${ns.name}/icn-tenant-quota`,
      `LimitRange/${ns.name}/icn-tenant-limits`,
      `NetworkPolicy/${ns.name}/icn-tenant-isolation`,
    ]);
    expect(refs([ns.admins])).toEqual([`RoleBinding/${ns.name}/icn-tenant-admins`]);
  }
});

test("everything carries the managed-by label", () => {
  const { cluster, namespaces } = aPlan();
  for (const obj of [...cluster, ...namespaces.flatMap((ns) => [...ns.confine, ns.admins])])
    expect(obj.metadata?.labels?.["app.kubernetes.io/managed-by"]).toBe("icn-secure-tenancy");
});

test("the tenant's own runtime classes go into its parameters", () => {
  const params = aPlan(aRequest(), { allowed: ["kata-clh"], default: "kata-clh" }).cluster.find(
    (o) => o.kind === "ConfigMap",
  ) as { data?: Record<string, string> };
  expect(params.data).toMatchObject({ allowedRuntimeClasses: "kata-clh", defaultRuntimeClass: "kata-clh" });
});

test("the cordon binding reads the tenant's state, and a tenant never cordoned (no state) passes", () => {
  const binding = aPlan().cluster.find((o) => o.metadata?.name === "icn-tenant-cordon.acme") as {
    spec?: Record<string, unknown>;
  };
  expect(binding.spec).toMatchObject({
    policyName: "icn-tenant-cordon",
    paramRef: { name: "tenant-acme.state", namespace: "icn-system", parameterNotFoundAction: "Allow" },
    matchResources: { namespaceSelector: { matchLabels: { "icn.akraino.org/tenant": "acme" } } },
  });
});

test("the quota's storage is set only when asked for, so a request that drops it removes it", () => {
  const hard = (request: TenantRequest): Record<string, string> =>
    (aPlan(request).namespaces[0]?.confine[1] as { spec: { hard: Record<string, string> } }).spec.hard;
  expect(hard(aRequest({ quota: { storage: "10Gi" } }))).toMatchObject({
    "requests.storage": "10Gi",
    pods: "50",
  });
  expect(hard(aRequest({ quota: { pods: 7 } }))).not.toHaveProperty("requests.storage");
});

test("every paramKind plugin keeps an anchor binding that carries no tenant label, so removing a tenant never removes it", () => {
  const anchors = aPlan().cluster.filter((o) => o.metadata?.name?.endsWith(".param-anchor"));
  expect(anchors.map((o) => o.kind).sort()).toEqual([
    "MutatingAdmissionPolicyBinding",
    "ValidatingAdmissionPolicyBinding",
  ]);
  for (const anchor of anchors) {
    expect(anchor.metadata?.labels?.["icn.akraino.org/tenant"]).toBeUndefined();
    expect(JSON.stringify(anchor)).toContain('"paramRef"');
  }
});
