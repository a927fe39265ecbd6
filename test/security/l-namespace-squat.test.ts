// Attack L: tenant x claims namespace x-prod, so tenant x-prod can never be created. The rule stays (publishers use
// "<tenant>-<suffix>" names); the refusal must say who holds the name and what the requester can do.
import { TENANT_LABEL } from "../../schemas/names.ts";
import { uniqueName } from "../harness/servers.ts";
import { aRequest, provisionRig, type ProvisionRig } from "./provision-rig.ts";

let rig: ProvisionRig;
beforeAll(async () => {
  rig = await provisionRig();
});
afterAll(() => rig.close());

test("tenant x-prod, whose namespace tenant x holds, is refused naming x and what to do; nothing changes", async () => {
  const x = uniqueName("x");
  const squatted = `${x}-prod`;
  const first = await rig.send(
    "tenant.requested",
    aRequest(x, "alice", { namespaces: [x, squatted] }),
    "provision-tenant",
  );
  expect(first.outcome.state).toBe("succeeded");

  const { outcome } = await rig.send("tenant.requested", aRequest(squatted, "bob"), "provision-tenant");
  expect(outcome).toMatchObject({ state: "rejected", error: { code: "NAMESPACE_TAKEN" } });
  expect(outcome.error?.message).toContain(`namespace ${squatted} belongs to tenant ${x}`);
  expect(outcome.error?.message).toMatch(/choose another tenant name/);
  expect((await rig.core.readNamespace({ name: squatted })).metadata?.labels?.[TENANT_LABEL]).toBe(x);
  const subjects = (
    await rig.rbac.readNamespacedRoleBinding({ name: "icn-tenant-admins", namespace: squatted })
  ).subjects;
  expect((subjects ?? []).map((s) => s.name)).toEqual(["alice"]);
});
