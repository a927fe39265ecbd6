import { retiredData, type RetirePlan } from "./plan.ts";

const aPlan = (keep: boolean): RetirePlan => ({
  tenant: "acme",
  keep,
  namespaces: ["acme", "acme-dev"],
  existing: ["acme-dev"],
  open: ["acme-dev"],
  bindings: [
    {
      apiVersion: "admissionregistration.k8s.io/v1",
      kind: "ValidatingAdmissionPolicyBinding",
      metadata: { name: "icn-tenant-cordon.acme" },
    },
  ],
  state: {
    apiVersion: "v1",
    kind: "ConfigMap",
    metadata: { name: "tenant-acme.state", namespace: "icn-system" },
  },
  record: { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "tenant-acme", namespace: "icn-system" } },
});

test("a retire removes every namespace it recorded, then the bindings and the state; the record is kept", () => {
  const result = retiredData(aPlan(false), { evicted: ["Pod/acme-dev/web"], deleted: [] }, false);
  expect(result).toEqual({
    tenant: "acme",
    dryRun: false,
    namespaces: ["acme", "acme-dev"],
    removed: [
      "Namespace/acme",
      "Namespace/acme-dev",
      "ValidatingAdmissionPolicyBinding/icn-tenant-cordon.acme",
      "ConfigMap/icn-system/tenant-acme.state",
    ],
    kept: ["ConfigMap/icn-system/tenant-acme"],
    evicted: ["Pod/acme-dev/web"],
  });
});

test("keep: namespaces keeps the namespaces and removes what the tenant had in them", () => {
  const result = retiredData(aPlan(true), { evicted: [], deleted: ["Pod/acme/db"] }, true);
  expect(result.kept).toEqual(["Namespace/acme", "Namespace/acme-dev", "ConfigMap/icn-system/tenant-acme"]);
  expect(result.removed).toContain("RoleBinding/acme-dev/icn-tenant-admins");
  expect(result.removed).toContain("NetworkPolicy/acme/icn-tenant-isolation");
  expect(result.removed).not.toContain("Namespace/acme");
  expect(result).toMatchObject({ dryRun: true, deletedPods: ["Pod/acme/db"] });
  expect(result).not.toHaveProperty("evicted");
});
