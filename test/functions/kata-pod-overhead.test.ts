// A Kata class's pod overhead, configured per class, reaches its RuntimeClass, and a tenant's ResourceQuota counts
// it: the apiserver adds the VM's cost to the pod's requests, so tenants cannot run VMs beyond their quota for free.
import { CoreV1Api, NodeV1Api, type V1Pod } from "@kubernetes/client-node";
import type { NatsConnection } from "@nats-io/transport-node";
import { labelKataNode, optionsFromEnv as labelOptions } from "../../functions/label-kata-node/index.ts";
import {
  optionsFromEnv as provisionOptions,
  provisionTenant,
} from "../../functions/provision-tenant/index.ts";
import { aTenantRequested } from "../../schemas/fixtures.ts";
import { eventually, impersonating, kubeConfig, natsConnection, uniqueName } from "../harness/servers.ts";
import { functionRig, type FunctionRig } from "./support.ts";

const kc = kubeConfig();
const core = kc.makeApiClient(CoreV1Api);
// A class no other suite uses, so its overhead here is the one configured here.
const CLASS = "kata-fc";
const ENV = {
  ICN_KATA_SHIMS: "fc",
  ICN_KATA_OVERHEAD_FC: "cpu=300m,memory=200Mi",
  // The Kata floor is one cluster-wide policy: keep the classes every other suite's tenants use in it.
  ICN_KATA_RUNTIME_CLASSES: `kata-qemu,kata-clh,${CLASS}`,
  // The functions' own ServiceAccounts stay on the cluster-wide tamper policy (test/deploy runs them).
  ICN_PLATFORM_IDENTITIES: "icn-admin",
};
const tenant = uniqueName("vmcost");
const alice = `alice-${tenant}`;
let nc: NatsConnection;
let rig: FunctionRig;

beforeAll(async () => {
  nc = await natsConnection();
  rig = await functionRig(nc, [labelKataNode(labelOptions(ENV)), provisionTenant(provisionOptions(ENV))]);
  // The first capable node makes label-kata-node ensure the class, with the configured overhead.
  const labels = { "kubernetes.io/arch": "amd64", "feature.node.kubernetes.io/cpu-cpuid.VMX": "true" };
  const node = await core.createNode({ body: { metadata: { name: uniqueName("fc"), labels } } });
  const joined = await rig.send("node.joined", { node: node.metadata?.name }, "label-kata-node");
  expect(joined.outcome).toMatchObject({ state: "succeeded" });
  const request = aTenantRequested({
    tenant,
    admins: [{ kind: "User", name: alice }],
    quota: { cpu: "1", memory: "2Gi", pods: 10 },
    runtimeClasses: { allowed: [CLASS], default: CLASS },
  });
  const provisioned = await rig.send("tenant.requested", request, "provision-tenant");
  expect(provisioned.outcome).toMatchObject({ state: "succeeded" });
});
afterAll(async () => {
  await rig.stop();
  await nc.close();
});

const aPod = (cpu: string, memory: string): V1Pod => ({
  metadata: { name: uniqueName("vm") },
  spec: {
    runtimeClassName: CLASS,
    containers: [
      {
        name: "app",
        image: "registry.example/app:1",
        resources: { requests: { cpu, memory }, limits: { cpu, memory } },
      },
    ],
  },
});
const asAlice = (): CoreV1Api => impersonating(kc, alice).makeApiClient(CoreV1Api);
const used = async (): Promise<Record<string, string> | undefined> =>
  (await core.readNamespacedResourceQuota({ name: "icn-tenant-quota", namespace: tenant })).status?.used;

test("the RuntimeClass carries the overhead configured for it", async () => {
  const rc = await kc.makeApiClient(NodeV1Api).readRuntimeClass({ name: CLASS });
  expect(rc.overhead?.podFixed).toEqual({ cpu: "300m", memory: "200Mi" });
});

test("the tenant's quota counts a Kata pod's requests plus its class's overhead", async () => {
  // The tenant's policies reach admission a moment after they are written.
  const pod = await eventually(() =>
    asAlice().createNamespacedPod({ namespace: tenant, body: aPod("100m", "64Mi") }),
  );
  expect(pod.spec?.overhead).toEqual({ cpu: "300m", memory: "200Mi" });
  expect(await used()).toMatchObject({
    "requests.cpu": "400m",
    "requests.memory": "264Mi",
    "limits.cpu": "400m",
    "limits.memory": "264Mi",
    pods: "1",
  });
});

test("a pod that fits the quota by its requests alone is refused once its overhead is counted", async () => {
  // 400m used; 500m more would make 900m of the 1 CPU, but with the VM's 300m it is 1200m.
  const refused = await asAlice()
    .createNamespacedPod({ namespace: tenant, body: aPod("500m", "64Mi") })
    .then(
      () => "admitted",
      (err: { code?: number; body?: unknown }) => `${err.code} ${String(err.body)}`,
    );
  expect(refused).toMatch(/^403 .*exceeded quota: icn-tenant-quota.*requested: .*limits.cpu=800m/);
  expect(await used()).toMatchObject({ "requests.cpu": "400m", pods: "1" });
});
