import { plan } from "./index.ts";
import type { TenantRequest } from "./tenant-objects.ts";

const options = {
  platformIdentities: ["system:serviceaccount:icn-system:provision-tenant"],
  defaultRuntimeClasses: { allowed: ["kata-qemu", "kata-clh"], default: "kata-qemu" },
};
const aRequest = (overrides: Partial<TenantRequest> = {}): TenantRequest => ({
  tenant: "acme",
  admins: [{ kind: "User", name: "alice" }],
  namespaces: ["acme", "acme-dev"],
  ...overrides,
});
const refs = (objects: ReturnType<typeof plan>): string[] =>
  objects.map((o) => `${o.kind}/${o.metadata?.namespace ?? ""}/${o.metadata?.name ?? ""}`);

test("policy bindings exist before any namespace carries the tenant label", () => {
  const order = refs(plan(aRequest(), options, {}));
  const firstNamespace = order.findIndex((r) => r.startsWith("Namespace//acme"));
  const bindings = order.filter((r) => r.includes("PolicyBinding/")).map((r) => order.indexOf(r));
  expect(bindings.length).toBe(3);
  expect(Math.max(...bindings)).toBeLessThan(firstNamespace);
});

test("in each namespace the admins' RoleBinding comes after what confines them", () => {
  const order = refs(plan(aRequest(), options, {}));
  for (const ns of ["acme", "acme-dev"]) {
    const inNs = order.filter((r) => r.split("/")[1] === ns);
    expect(inNs.at(-1)).toBe(`RoleBinding/${ns}/icn-tenant-admins`);
  }
});

test("everything carries the managed-by label", () => {
  for (const obj of plan(aRequest(), options, {}))
    expect(obj.metadata?.labels?.["app.kubernetes.io/managed-by"]).toBe("icn-secure-tenancy");
});

test("the tenant's own runtime classes win over the platform default", () => {
  const params = plan(
    aRequest({ runtimeClasses: { allowed: ["kata-clh"], default: "kata-clh" } }),
    options,
    {},
  ).find((o) => o.kind === "ConfigMap") as { data?: Record<string, string> };
  expect(params.data).toMatchObject({ allowedRuntimeClasses: "kata-clh", defaultRuntimeClass: "kata-clh" });
});

test("tamper protection names the platform identities and nobody else", () => {
  const tamper = plan(aRequest(), options, {}).find(
    (o) => o.metadata?.name === "icn-tenant-tamper-protection" && o.kind === "ValidatingAdmissionPolicy",
  ) as { spec: { variables: { name: string; expression: string }[] } };
  const platform = tamper.spec.variables.find((v) => v.name === "platform")?.expression ?? "";
  expect(platform).toContain("'system:serviceaccount:icn-system:provision-tenant'");
  expect(platform).not.toContain("system:masters");
});

test("the isolation policy leaves quarantined pods to the quarantine policy", () => {
  const policy = plan(aRequest(), options, {}).find((o) => o.kind === "NetworkPolicy") as {
    spec: { podSelector: unknown };
  };
  expect(policy.spec.podSelector).toEqual({
    matchExpressions: [{ key: "icn.akraino.org/quarantine", operator: "DoesNotExist" }],
  });
});
