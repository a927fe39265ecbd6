// P: a cordoned tenant's admin tries to lift the cordon themselves (the state, the binding, the policy, the namespace
// label, a pod made by another identity of theirs), and a source that does not own the tenant sends the cordon.
import { AdmissionregistrationV1Api, RbacAuthorizationV1Api } from "@kubernetes/client-node";
import { cordonTenant } from "../../functions/cordon-tenant/index.ts";
import { uncordonTenant } from "../../functions/uncordon-tenant/index.ts";
import { PLATFORM_NAMESPACE } from "../../schemas/names.ts";
import { cordonBindingName, CORDON_POLICY, stateName } from "../../shared/tenant-state.ts";
import { attempt } from "../deploy/identities.ts";
import { functionRig, type FunctionRig } from "../functions/support.ts";
import { aKataNode, ensureRuntimeClasses, untilRunning, type KataNode } from "../functions/tenant-day2.ts";
import { eventually, impersonating, natsConnection, uniqueName } from "../harness/servers.ts";
import { aRequest, provisionRig, type ProvisionRig } from "./provision-rig.ts";

const PORTAL = "urn:icn:ingress:portal";
const ROGUE = "urn:icn:ingress:rogue";
const HELPDESK = "urn:icn:ingress:helpdesk";
const REASON = "security review SEC-9: suspected crypto mining";
let rig: ProvisionRig;
let states: FunctionRig;
let node: KataNode;

beforeAll(async () => {
  rig = await provisionRig();
  // The operator grants the helpdesk the tenants named help-*; the rogue source nothing.
  const grants = {
    maxClockSkewMs: 300_000,
    tenantGrants: [{ sourcePattern: HELPDESK, tenants: ["help-*"] }],
  };
  states = await functionRig(await natsConnection(), [cordonTenant(grants), uncordonTenant(grants)]);
  await ensureRuntimeClasses(rig.admin);
  node = await aKataNode(rig.admin, "self-lift");
});
afterAll(async () => {
  await states.stop();
  await states.nc.close();
  await rig.close();
  await node.remove();
});

async function aTenant(prefix: string): Promise<{ tenant: string; alice: string }> {
  const tenant = uniqueName(prefix);
  const alice = `alice-${tenant}`;
  const { outcome } = await rig.send("tenant.requested", aRequest(tenant, alice), "provision-tenant", {
    source: PORTAL,
  });
  expect(outcome.state).toBe("succeeded");
  return { tenant, alice };
}
const cordon = (tenant: string, source: string): ReturnType<FunctionRig["send"]> =>
  states.send("tenant.cordon-requested", { tenant, reason: REASON }, "cordon-tenant", { source });
const uncordon = (tenant: string, source: string): ReturnType<FunctionRig["send"]> =>
  states.send("tenant.uncordon-requested", { tenant }, "uncordon-tenant", { source });
const newPodAs = (user: string, namespace: string): ReturnType<typeof attempt> =>
  attempt(() => rig.as(user).createNamespacedPod({ namespace, body: node.aPod(namespace) }));
/** Admitted, once the admin's fresh RoleBinding reaches the authorizer. */
const admittedFor = (user: string, namespace: string): ReturnType<typeof attempt> =>
  eventually(async () => {
    const result = await newPodAs(user, namespace);
    if (!result.ok) throw new Error(result.message);
    return result;
  });

test("the tenant admin cannot edit or remove the cordon, nor start a pod through another identity", async () => {
  const { tenant, alice } = await aTenant("lift");
  const pod = await eventually(() =>
    rig.as(alice).createNamespacedPod({ namespace: tenant, body: node.aPod(tenant) }),
  );
  await untilRunning(rig.core, pod);
  expect((await cordon(tenant, PORTAL)).outcome.state).toBe("succeeded");

  const asAlice = rig.as(alice);
  const admission = impersonating(rig.admin, alice).makeApiClient(AdmissionregistrationV1Api);
  const state = { name: stateName(tenant), namespace: PLATFORM_NAMESPACE };
  const attacks: [string, () => Promise<unknown>][] = [
    [
      "set the state active",
      () =>
        asAlice.patchNamespacedConfigMap({
          ...state,
          body: [{ op: "replace", path: "/data/state", value: "active" }],
        }),
    ],
    ["delete the state", () => asAlice.deleteNamespacedConfigMap(state)],
    [
      "delete the tenant's cordon binding",
      () => admission.deleteValidatingAdmissionPolicyBinding({ name: cordonBindingName(tenant) }),
    ],
    ["delete the cordon policy", () => admission.deleteValidatingAdmissionPolicy({ name: CORDON_POLICY })],
    [
      "take the namespace out of the tenant",
      () =>
        asAlice.patchNamespace({
          name: tenant,
          body: [{ op: "remove", path: "/metadata/labels/icn.akraino.org~1tenant" }],
        }),
    ],
  ];
  for (const [what, call] of attacks)
    expect([what, await attempt(call)]).toEqual([what, expect.objectContaining({ ok: false, status: 403 })]);

  // A second identity of hers: a ServiceAccount she binds to admin in her namespace, then acts as.
  await rig
    .as(alice)
    .createNamespacedServiceAccount({ namespace: tenant, body: { metadata: { name: "deployer" } } });
  await impersonating(rig.admin, alice)
    .makeApiClient(RbacAuthorizationV1Api)
    .createNamespacedRoleBinding({
      namespace: tenant,
      body: {
        metadata: { name: "deployer" },
        roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: "admin" },
        subjects: [{ kind: "ServiceAccount", name: "deployer", namespace: tenant }],
      },
    });
  const deployer = `system:serviceaccount:${tenant}:deployer`;
  const refused = await eventually(async () => {
    const result = await newPodAs(deployer, tenant);
    if (result.status !== 403 || !result.message.includes("cordoned")) throw new Error(result.message);
    return result;
  });
  expect(refused.message).toContain(`tenant ${tenant} is cordoned: ${REASON}`);
  expect((await newPodAs(alice, tenant)).message).toContain(`tenant ${tenant} is cordoned`);
  expect(
    (await rig.core.readNamespacedPod({ name: pod.metadata?.name ?? "", namespace: tenant })).status?.phase,
  ).toBe("Running");
});

test("a source that does not own the tenant can neither cordon nor uncordon it; a granted one can", async () => {
  const { tenant, alice } = await aTenant("help");
  const foreign = await cordon(tenant, ROGUE);
  expect(foreign.outcome).toMatchObject({ state: "rejected", error: { code: "NOT_TENANT_OWNER" } });
  expect(await admittedFor(alice, tenant)).toMatchObject({ ok: true });

  expect((await cordon(tenant, PORTAL)).outcome.state).toBe("succeeded");
  const lift = await uncordon(tenant, ROGUE);
  expect(lift.outcome).toMatchObject({ state: "rejected", error: { code: "NOT_TENANT_OWNER" } });
  expect(lift.outcome.error?.message).toContain(`belongs to source ${PORTAL}`);
  expect((await newPodAs(alice, tenant)).message).toContain(`tenant ${tenant} is cordoned`);

  expect((await uncordon(tenant, HELPDESK)).outcome.state).toBe("succeeded");
  expect(await newPodAs(alice, tenant)).toMatchObject({ ok: true });
});

test("the state is kept in the platform's namespace, saying who cordoned the tenant and why", async () => {
  const { tenant } = await aTenant("where");
  expect((await cordon(tenant, PORTAL)).outcome.state).toBe("succeeded");
  const stored = await rig.core.readNamespacedConfigMap({
    name: stateName(tenant),
    namespace: PLATFORM_NAMESPACE,
  });
  expect(stored.data).toMatchObject({ tenant, state: "cordoned", reason: REASON, requestSource: PORTAL });
});
