// Attack D (the function's half): another source re-requests a tenant with a far-future time and its own admin.
import { uniqueName } from "../harness/servers.ts";
import { aRequest, provisionRig, type ProvisionRig } from "./provision-rig.ts";

const PORTAL = "urn:icn:ingress:portal";
const ROGUE = "urn:icn:ingress:rogue";
const HELPDESK = "urn:icn:ingress:helpdesk";

let rig: ProvisionRig;
beforeAll(async () => {
  // The operator grants the helpdesk the tenants named help-*; the rogue source nothing.
  rig = await provisionRig({ tenantGrants: [{ sourcePattern: HELPDESK, tenants: ["help-*"] }] });
});
afterAll(() => rig.close());

const subjectsOf = async (namespace: string): Promise<string[]> =>
  ((await rig.rbac.readNamespacedRoleBinding({ name: "icn-tenant-admins", namespace })).subjects ?? []).map(
    (s) => s.name,
  );

test("a far-future time is refused, so it can neither swap the admins nor lock out later requests", async () => {
  const tenant = uniqueName("acme");
  const alice = `alice-${tenant}`;
  expect(
    (await rig.send("tenant.requested", aRequest(tenant, alice), "provision-tenant", { source: PORTAL }))
      .outcome.state,
  ).toBe("succeeded");
  const attack = await rig.send("tenant.requested", aRequest(tenant, "mallory"), "provision-tenant", {
    source: PORTAL,
    time: "2999-01-01T00:00:00Z",
  });
  expect(attack.outcome).toMatchObject({ state: "rejected", error: { code: "FUTURE_EVENT_TIME" } });
  expect(await subjectsOf(tenant)).toEqual([alice]);
  const later = await rig.send(
    "tenant.requested",
    aRequest(tenant, alice, { quota: { pods: 7 } }),
    "provision-tenant",
    { source: PORTAL },
  );
  expect(later.outcome.state).toBe("succeeded");
});

test("another source may not change a tenant it did not create; nothing changes", async () => {
  const tenant = uniqueName("acme");
  const alice = `alice-${tenant}`;
  await rig.send("tenant.requested", aRequest(tenant, alice), "provision-tenant", { source: PORTAL });
  const attack = await rig.send("tenant.requested", aRequest(tenant, "mallory"), "provision-tenant", {
    source: ROGUE,
  });
  expect(attack.outcome).toMatchObject({ state: "rejected", error: { code: "NOT_TENANT_OWNER" } });
  expect(attack.outcome.error?.message).toContain(`belongs to source ${PORTAL}`);
  expect(await subjectsOf(tenant)).toEqual([alice]);
});

test("a source the operator granted the tenant may change it", async () => {
  const tenant = uniqueName("help");
  await rig.send("tenant.requested", aRequest(tenant, "alice"), "provision-tenant", { source: PORTAL });
  const granted = await rig.send("tenant.requested", aRequest(tenant, "bob"), "provision-tenant", {
    source: HELPDESK,
  });
  expect(granted.outcome.state).toBe("succeeded");
  expect(await subjectsOf(tenant)).toEqual(["bob"]);
});
