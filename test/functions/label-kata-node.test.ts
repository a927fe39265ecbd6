// label-kata-node end to end: node.joined on the bus, the Node's labels and the RuntimeClasses in the cluster.
import { CoreV1Api, NodeV1Api, type V1Node } from "@kubernetes/client-node";
import type { NatsConnection } from "@nats-io/transport-node";
import { labelKataNode } from "../../functions/label-kata-node/index.ts";
import { kubeConfig, natsConnection, uniqueName } from "../harness/servers.ts";
import { functionRig, type FunctionRig } from "./support.ts";

const kc = kubeConfig();
const core = kc.makeApiClient(CoreV1Api);
let nc: NatsConnection;
let rig: FunctionRig;

beforeAll(async () => {
  nc = await natsConnection();
  rig = await functionRig(nc, [labelKataNode({ shims: ["qemu", "clh"] })]);
});
afterAll(async () => {
  await rig.stop();
  await nc.close();
});

async function aNode(
  labels: Record<string, string>,
  annotations: Record<string, string> = {},
): Promise<V1Node> {
  return core.createNode({
    body: {
      metadata: {
        name: uniqueName("node"),
        labels: { "katacontainers.io/kata-runtime": "false", ...labels },
        annotations,
      },
    },
  });
}

const VMX = { "kubernetes.io/arch": "amd64", "feature.node.kubernetes.io/cpu-cpuid.VMX": "true" };

test.each([
  ["Intel with VMX", VMX, {}, "enabled"],
  [
    "AMD with SVM",
    { "kubernetes.io/arch": "amd64", "feature.node.kubernetes.io/cpu-cpuid.SVM": "true" },
    {},
    "enabled",
  ],
  ["amd64 without either", { "kubernetes.io/arch": "amd64" }, {}, "unsupported"],
  ["arm64", { "kubernetes.io/arch": "arm64" }, {}, "enabled"],
  [
    "amd64 without flags, forced on",
    { "kubernetes.io/arch": "amd64" },
    { "icn.akraino.org/kata-override": "enabled" },
    "enabled",
  ],
  ["VMX, forced off", VMX, { "icn.akraino.org/kata-override": "unsupported" }, "unsupported"],
])("%s → icn.akraino.org/kata=%s", async (_name, labels, annotations, expected) => {
  const node = await aNode(labels, annotations);
  const name = node.metadata?.name ?? "";
  const { event, outcome } = await rig.send(
    "node.joined",
    { node: name, uid: node.metadata?.uid },
    "label-kata-node",
  );
  expect(outcome).toMatchObject({ state: "succeeded" });
  const labelled = await core.readNode({ name });
  expect(labelled.metadata?.labels?.["icn.akraino.org/kata"]).toBe(expected);
  // kata-deploy owns this label: we never touch it.
  expect(labelled.metadata?.labels?.["katacontainers.io/kata-runtime"]).toBe("false");
  const [result] = await rig.results(event.id);
  expect(result?.type).toBe(`org.akraino.icn.node.kata-${expected}`);
});

test("an unknown node is rejected", async () => {
  const { outcome } = await rig.send("node.joined", { node: uniqueName("ghost") }, "label-kata-node");
  expect(outcome).toMatchObject({ state: "rejected", error: { code: "NOT_FOUND" } });
});

test("replaying the same event leaves the Node's resourceVersion unchanged", async () => {
  const node = await aNode(VMX);
  const name = node.metadata?.name ?? "";
  const { event } = await rig.send("node.joined", { node: name }, "label-kata-node");
  const before = (await core.readNode({ name })).metadata?.resourceVersion;
  const again = await rig.send("node.joined", { node: name }, "label-kata-node", {
    id: event.id,
    replay: true,
  });
  expect(again.outcome).toMatchObject({ state: "succeeded", replay: true });
  expect((await core.readNode({ name })).metadata?.resourceVersion).toBe(before);
});

test("the platform's Kata RuntimeClasses exist as kata-deploy makes them", async () => {
  const node = await aNode(VMX);
  await rig.send("node.joined", { node: node.metadata?.name }, "label-kata-node");
  const rc = await kc.makeApiClient(NodeV1Api).readRuntimeClass({ name: "kata-qemu" });
  expect(rc.handler).toBe("kata-qemu");
  expect(rc.overhead?.podFixed).toEqual({ cpu: "250m", memory: "160Mi" });
  expect(rc.scheduling?.nodeSelector).toEqual({ "katacontainers.io/kata-runtime": "true" });
  expect(rc.metadata?.labels?.["app.kubernetes.io/managed-by"]).toBe("icn-secure-tenancy");
});
