// N: pods scheduled onto a node before kata-deploy has installed Kata there (kata-deploy's users report it), and a
// forged node.kata-ready that would lift the startup taint early. Proved with kube-scheduler and KWOK as the kubelet.
import { CoreV1Api, type V1Pod } from "@kubernetes/client-node";
import type { NatsConnection } from "@nats-io/transport-node";
import { labelKataNode } from "../../functions/label-kata-node/index.ts";
import { untaintKataNode } from "../../functions/untaint-kata-node/index.ts";
import { CPU_FEATURES, createNode, requireSchedulerAndKubelets, waitForNodeReady } from "../harness/nodes.ts";
import { kubeConfig, natsConnection, uniqueName } from "../harness/servers.ts";
import { functionRig, type FunctionRig } from "../functions/support.ts";
import { waitUntil } from "../runtime/support.ts";

const kc = kubeConfig();
const core = kc.makeApiClient(CoreV1Api);
const ns = uniqueName("kata-not-ready");
// Only this file's pods tolerate the node's own taint, so no other test's pod lands on it (nor theirs here).
const ownTaint = { key: "icn-test/kata-not-ready", value: ns, effect: "NoSchedule" };
let nodeName = "";
let nc: NatsConnection;
let rig: FunctionRig;

/** A pod only kube-scheduler can place, allowed only onto this file's node; runc unless a class is given. */
const aPod = (runtimeClassName?: string): V1Pod => ({
  metadata: { name: uniqueName(runtimeClassName ?? "runc"), namespace: ns },
  spec: {
    runtimeClassName,
    nodeSelector: { "kubernetes.io/hostname": nodeName },
    tolerations: [{ ...ownTaint, operator: "Equal" }],
    containers: [{ name: "app", image: "registry.example/app:1" }],
  },
});
const readPod = (name: string): Promise<V1Pod> => core.readNamespacedPod({ name, namespace: ns });

/** The scheduler's own word on why the pod is not placed; undefined while it has not said. */
async function unschedulable(name: string): Promise<string | undefined> {
  const condition = (await readPod(name)).status?.conditions?.find((c) => c.type === "PodScheduled");
  return condition?.status === "False" ? condition.message : undefined;
}

beforeAll(async () => {
  requireSchedulerAndKubelets();
  nc = await natsConnection();
  rig = await functionRig(nc, [labelKataNode({ shims: ["qemu", "clh"] }), untaintKataNode()]);
  await core.createNamespace({ body: { metadata: { name: ns } } });
  const node = await createNode(core, { cpuFeatures: [CPU_FEATURES.intelVmx], taints: [ownTaint] });
  nodeName = node.metadata?.name ?? "";
  await waitForNodeReady(core, nodeName);
  const { outcome } = await rig.send("node.joined", { node: nodeName }, "label-kata-node");
  expect(outcome).toMatchObject({ state: "succeeded" });
});
afterAll(async () => {
  await rig.stop();
  await nc.close();
  await core.deleteNamespace({ name: ns }).catch(() => undefined);
});

test("while kata-deploy installs, nothing is scheduled onto the node; a forged node.kata-ready changes nothing; once it is done, both pods run", async () => {
  const runc = await core.createNamespacedPod({ namespace: ns, body: aPod() });
  const kata = await core.createNamespacedPod({ namespace: ns, body: aPod("kata-qemu") });
  const [runcName, kataName] = [runc.metadata?.name ?? "", kata.metadata?.name ?? ""];
  // The pods tolerate the node's own taint; the startup taint is the one left, and it keeps even a pod without
  // a Kata class off (the node is Ready and has room).
  expect((await core.readNode({ name: nodeName })).spec?.taints?.map((t) => t.key)).toEqual([
    ownTaint.key,
    "icn.akraino.org/kata-not-ready",
  ]);
  for (const name of [runcName, kataName])
    expect(await waitUntil(`the scheduler to refuse pod ${name}`, () => unschedulable(name))).toMatch(
      /had untolerated taint/,
    );

  // Someone who may publish on the bus claims the node is ready before kata-deploy said so.
  const forged = await rig.send("node.kata-ready", { node: nodeName }, "untaint-kata-node");
  expect(forged.outcome).toMatchObject({ state: "rejected", error: { code: "KATA_NOT_READY" } });
  expect((await core.readNode({ name: nodeName })).spec?.taints).toEqual(
    expect.arrayContaining([expect.objectContaining({ key: "icn.akraino.org/kata-not-ready" })]),
  );
  expect((await readPod(runcName)).spec?.nodeName).toBeUndefined();

  // The test plays kata-deploy finishing; the watcher's hint (sent here directly) lifts the taint.
  const path = "/metadata/labels/katacontainers.io~1kata-runtime";
  await core.patchNode({ name: nodeName, body: [{ op: "add", path, value: "true" }] });
  const ready = await rig.send("node.kata-ready", { node: nodeName }, "untaint-kata-node");
  expect(ready.outcome).toMatchObject({ state: "succeeded" });
  for (const name of [runcName, kataName])
    expect(
      await waitUntil(`pod ${name} to run`, async () =>
        (await readPod(name)).status?.phase === "Running" ? true : undefined,
      ),
    ).toBe(true);
  expect((await readPod(kataName)).spec?.nodeName).toBe(nodeName);
});
