// Attack A: a tenant request that names an existing namespace (the bus's own, or anyone's) must not hand it over.
import { ADOPT_LABEL, TENANT_LABEL } from "../../schemas/names.ts";
import { eventually, uniqueName } from "../harness/servers.ts";
import { anExistingNamespace, aRequest, provisionRig, statusOf, type ProvisionRig } from "./provision-rig.ts";

let rig: ProvisionRig;
beforeAll(async () => {
  rig = await provisionRig();
});
afterAll(() => rig.close());

const readSecretAs = (user: string, namespace: string) => () =>
  rig.as(user).readNamespacedSecret({ name: "crown-jewels", namespace });

test.each(["nats", "keda", "icn-system"])(
  "tenant %s (a namespace the platform is installed into) is rejected and mallory reads nothing",
  async (name) => {
    await anExistingNamespace(rig.core, name);
    const before = (await rig.core.readNamespace({ name })).metadata?.labels;
    const mallory = uniqueName("mallory");
    const { outcome } = await rig.send("tenant.requested", aRequest(name, mallory), "provision-tenant");
    expect(outcome).toMatchObject({ state: "rejected", error: { code: "SCHEMA_INVALID" } });
    expect(outcome.error?.message).toMatch(/reserved/);
    expect((await rig.core.readNamespace({ name })).metadata?.labels).toEqual(before);
    expect(await statusOf(readSecretAs(mallory, name))).toBe(403);
  },
);

test("an existing namespace no operator approved is refused, with how to approve it; nothing changes", async () => {
  const name = uniqueName("legacy");
  await anExistingNamespace(rig.core, name);
  const mallory = uniqueName("mallory");
  const { outcome } = await rig.send("tenant.requested", aRequest(name, mallory), "provision-tenant");
  expect(outcome).toMatchObject({ state: "rejected", error: { code: "ADOPTION_NOT_APPROVED" } });
  expect(outcome.error?.message).toContain(`kubectl label namespace ${name} ${ADOPT_LABEL}=${name}`);
  expect((await rig.core.readNamespace({ name })).metadata?.labels?.[TENANT_LABEL]).toBeUndefined();
  expect(
    await statusOf(() => rig.rbac.readNamespacedRoleBinding({ name: "icn-tenant-admins", namespace: name })),
  ).toBe(404);
  expect(await statusOf(readSecretAs(mallory, name))).toBe(403);
});

test("an approval for another tenant does not count", async () => {
  const name = uniqueName("legacy");
  await anExistingNamespace(rig.core, name, { [ADOPT_LABEL]: "someone-else" });
  const { outcome } = await rig.send(
    "tenant.requested",
    aRequest(name, uniqueName("mallory")),
    "provision-tenant",
  );
  expect(outcome).toMatchObject({ state: "rejected", error: { code: "ADOPTION_NOT_APPROVED" } });
});

test("once an operator approves, the namespace is adopted and the approval label is removed", async () => {
  const name = uniqueName("legacy");
  await anExistingNamespace(rig.core, name, { [ADOPT_LABEL]: name });
  const alice = uniqueName("alice");
  const { outcome } = await rig.send("tenant.requested", aRequest(name, alice), "provision-tenant");
  expect(outcome).toMatchObject({ state: "succeeded" });
  const labels = (await rig.core.readNamespace({ name })).metadata?.labels ?? {};
  expect(labels[TENANT_LABEL]).toBe(name);
  expect(labels[ADOPT_LABEL]).toBeUndefined();
  await eventually(async () => expect(await statusOf(readSecretAs(alice, name))).toBe(200));
});
