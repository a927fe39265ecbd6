// Q: retire-tenant may delete namespaces, and RBAC cannot say which. Acting with its ServiceAccount's own token, an
// attacker who took the function over tries to delete namespaces that are no tenant's, or to make one a tenant's first.
import { CoreV1Api, type KubeConfig, type KubernetesObject } from "@kubernetes/client-node";
import { retireTenant } from "../../functions/retire-tenant/index.ts";
import { PLATFORM_NAMESPACE, TENANT_LABEL } from "../../schemas/names.ts";
import { apply } from "../../shared/kube-apply.ts";
import { kubeFromConfig } from "../../shared/kube.ts";
import { tenantChangeOptionsFromEnv } from "../../shared/tenant-record.ts";
import { BASE, build } from "../deploy/manifests.ts";
import { applyBaseRbac, attempt, can, FIELD_MANAGER, serviceAccountConfig } from "../deploy/identities.ts";
import { functionRig, type FunctionRig } from "../functions/support.ts";
import { eventually, uniqueName } from "../harness/servers.ts";
import { aRequest, provisionRig, type ProvisionRig } from "./provision-rig.ts";

const GUARD = "icn-retire-tenant-namespaces";
const REFUSAL = "retire-tenant may delete only tenant namespaces";
let rig: ProvisionRig;
let retirer: FunctionRig;
let asRetirer: KubeConfig;
let bystander = "";

/** The guard exactly as the base ships it (deploy/base/rbac/retire-tenant.yaml). */
function guardObjects(): KubernetesObject[] {
  return build(BASE).filter((o) => o.metadata?.name === GUARD);
}

beforeAll(async () => {
  await applyBaseRbac();
  const admin = kubeFromConfig((rig = await provisionRig()).admin);
  for (const obj of guardObjects()) await apply(admin, obj, FIELD_MANAGER);
  asRetirer = await serviceAccountConfig("retire-tenant");
  retirer = await functionRig(
    rig.nc,
    [retireTenant(tenantChangeOptionsFromEnv({}))],
    kubeFromConfig(asRetirer),
  );
  bystander = uniqueName("bystander");
  await rig.core.createNamespace({ body: { metadata: { name: bystander } } });
});
afterAll(async () => {
  await retirer.stop();
  await rig.close();
  await rig.core.deleteNamespace({ name: bystander }).catch(() => undefined);
});

const mine = (): CoreV1Api => asRetirer.makeApiClient(CoreV1Api);
const deleteAs = (name: string): ReturnType<typeof attempt> =>
  attempt(() => mine().deleteNamespace({ name, dryRun: "All" }));

test("the guard ships with the base, and RBAC alone would let the account delete any namespace", () => {
  expect(guardObjects().map((o) => o.kind)).toEqual([
    "ValidatingAdmissionPolicy",
    "ValidatingAdmissionPolicyBinding",
  ]);
});

test("deleting a namespace that is no tenant's is refused, dry run or not, and it stays", async () => {
  const dry = await eventually(async () => {
    const answer = await deleteAs(bystander);
    if (answer.ok) throw new Error("the guard is not in force yet");
    return answer;
  });
  expect(dry).toMatchObject({ ok: false, status: 403 });
  expect(dry.message).toContain(REFUSAL);
  const real = await attempt(() => mine().deleteNamespace({ name: bystander }));
  expect(real).toMatchObject({ ok: false, status: 403 });
  expect((await rig.core.readNamespace({ name: bystander })).metadata?.deletionTimestamp).toBeUndefined();
});

test.each([PLATFORM_NAMESPACE, "kube-system", "default"])("deleting %s is refused", async (name) => {
  const answer = await deleteAs(name);
  expect(answer).toMatchObject({ ok: false, status: 403 });
});

test("labelling a namespace into a tenant, to delete it next, is refused", async () => {
  const label = await attempt(() =>
    mine().patchNamespace({
      name: bystander,
      body: [{ op: "add", path: "/metadata/labels", value: { [TENANT_LABEL]: "anyone" } }],
    }),
  );
  expect(label).toMatchObject({ ok: false, status: 403 });
  expect(label.message).toContain(REFUSAL.replace("delete", "change"));
});

test("giving a tenant's namespace to another tenant is refused; deleting it is allowed", async () => {
  const tenant = uniqueName("scope");
  const { outcome } = await rig.send(
    "tenant.requested",
    aRequest(tenant, `alice-${tenant}`),
    "provision-tenant",
  );
  expect(outcome.state).toBe("succeeded");
  const move = await attempt(() =>
    mine().patchNamespace({
      name: tenant,
      body: [{ op: "replace", path: `/metadata/labels/${TENANT_LABEL.replace("/", "~1")}`, value: "other" }],
    }),
  );
  expect(move).toMatchObject({ ok: false, status: 403 });
  expect(move.message).toContain("never set or change it");
  expect(await deleteAs(tenant)).toMatchObject({ ok: true });
});

test.each([{}, { keep: "namespaces" }])(
  "with its own token and nothing more, retire-tenant retires a tenant (%j)",
  async (options) => {
    const tenant = uniqueName("scope");
    const request = aRequest(tenant, `alice-${tenant}`, { namespaces: [tenant, `${tenant}-dev`] });
    expect((await rig.send("tenant.requested", request, "provision-tenant")).outcome.state).toBe("succeeded");
    const { outcome } = await retirer.send(
      "tenant.retire-requested",
      { tenant, ...options },
      "retire-tenant",
    );
    expect(outcome).toMatchObject({ state: "succeeded" });
  },
);

test.each([
  ["read secrets", { verb: "get", resource: "secrets", namespace: PLATFORM_NAMESPACE }],
  [
    "change a policy",
    { verb: "patch", group: "admissionregistration.k8s.io", resource: "validatingadmissionpolicies" },
  ],
  [
    "delete its own guard",
    {
      verb: "delete",
      group: "admissionregistration.k8s.io",
      resource: "validatingadmissionpolicies",
      name: GUARD,
    },
  ],
  [
    "create a binding",
    { verb: "create", group: "admissionregistration.k8s.io", resource: "validatingadmissionpolicybindings" },
  ],
  ["create namespaces", { verb: "create", resource: "namespaces" }],
  [
    "write ConfigMaps outside icn-system",
    { verb: "delete", resource: "configmaps", namespace: "kube-system" },
  ],
  [
    "bind roles",
    { verb: "create", group: "rbac.authorization.k8s.io", resource: "rolebindings", namespace: "default" },
  ],
])("the account may not %s", async (_, attributes) => {
  expect(await can(asRetirer, attributes)).toBe(false);
});
