import { releasePlan, removedRefs } from "./release.ts";
import type { TenantRequest } from "./tenant-objects.ts";

const aRequest = (namespaces: string[]): TenantRequest => ({
  tenant: "acme",
  admins: [{ kind: "User", name: "alice" }],
  namespaces,
});

test("a namespace the tenant has and the request no longer names is released; the tenant's own never is", () => {
  const current = ["acme", "acme-dev", "acme-prod"];
  expect(releasePlan(aRequest(["acme-prod"]), current).map((r) => r.name)).toEqual(["acme-dev"]);
  expect(releasePlan(aRequest([]), current).map((r) => r.name)).toEqual(["acme-dev", "acme-prod"]);
  expect(releasePlan(aRequest(["acme-dev", "acme-prod", "acme-new"]), current)).toEqual([]);
});

test("a released namespace is frozen while it still carries the tenant label, and loses what confined the tenant", () => {
  const [release] = releasePlan(aRequest([]), ["acme", "acme-dev"]);
  expect(release?.freeze.metadata?.labels).toMatchObject({
    "icn.akraino.org/tenant": "acme",
    "icn.akraino.org/released-from": "acme",
  });
  expect(removedRefs(release!)).toEqual([
    "RoleBinding/acme-dev/icn-tenant-admins",
    "ResourceQuota/acme-dev/icn-tenant-quota",
    "LimitRange/acme-dev/icn-tenant-limits",
    "NetworkPolicy/acme-dev/icn-tenant-isolation",
  ]);
});
