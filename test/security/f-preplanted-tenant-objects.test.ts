// Attack F (provisioning): objects planted under the platform's names before adoption must not survive it merged.
import { NetworkingV1Api, type V1NetworkPolicySpec } from "@kubernetes/client-node";
import { FIELD_MANAGER } from "../../functions/provision-tenant/index.ts";
import { ADOPT_LABEL, QUARANTINE_LABEL, TENANT_LABEL } from "../../schemas/names.ts";
import { foreignManagers } from "../../shared/kube-apply.ts";
import { uniqueName } from "../harness/servers.ts";
import { anExistingNamespace, aRequest, provisionRig, type ProvisionRig } from "./provision-rig.ts";

let rig: ProvisionRig;
beforeAll(async () => {
  rig = await provisionRig();
});
afterAll(() => rig.close());

test("a planted allow-all isolation policy and an admins binding to mallory are replaced whole on adoption", async () => {
  const tenant = uniqueName("planted");
  const alice = `alice-${tenant}`;
  await anExistingNamespace(rig.core, tenant);
  const net = rig.admin.makeApiClient(NetworkingV1Api);
  await net.createNamespacedNetworkPolicy({
    namespace: tenant,
    body: {
      metadata: { name: "icn-tenant-isolation" },
      spec: { podSelector: {}, policyTypes: ["Ingress", "Egress"], ingress: [{}], egress: [{}] },
    },
  });
  await rig.rbac.createNamespacedRoleBinding({
    namespace: tenant,
    body: {
      metadata: { name: "icn-tenant-admins" },
      roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: "edit" },
      subjects: [{ apiGroup: "rbac.authorization.k8s.io", kind: "User", name: "mallory" }],
    },
  });
  await rig.core.patchNamespace({
    name: tenant,
    body: [{ op: "add", path: `/metadata/labels/${ADOPT_LABEL.replace("/", "~1")}`, value: tenant }],
  });

  const { outcome } = await rig.send("tenant.requested", aRequest(tenant, alice), "provision-tenant");
  expect(outcome).toMatchObject({ state: "succeeded" });

  const policy = await net.readNamespacedNetworkPolicy({ name: "icn-tenant-isolation", namespace: tenant });
  // client-node's typed model names `from` as `_from`.
  const ours: V1NetworkPolicySpec = {
    podSelector: { matchExpressions: [{ key: QUARANTINE_LABEL, operator: "DoesNotExist" }] },
    policyTypes: ["Ingress"],
    ingress: [{ _from: [{ namespaceSelector: { matchLabels: { [TENANT_LABEL]: tenant } } }] }],
  };
  expect(policy.spec).toEqual(ours);
  expect(foreignManagers(policy, FIELD_MANAGER)).toEqual([]);
  const binding = await rig.rbac.readNamespacedRoleBinding({ name: "icn-tenant-admins", namespace: tenant });
  expect(binding.roleRef.name).toBe("admin");
  expect((binding.subjects ?? []).map((s) => s.name)).toEqual([alice]);
  expect(foreignManagers(binding, FIELD_MANAGER)).toEqual([]);
});
