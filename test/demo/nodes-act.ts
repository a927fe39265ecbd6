// The demo's nodes: they join as a cloud registers them (KWOK plays their kubelets), capable ones are labelled
// and tainted until kata-deploy (played here) installs Kata, and pods are shown on the node they run on.
import { CoreV1Api, type V1Node, type V1Pod } from "@kubernetes/client-node";
import { KATA_LABEL, KATA_NOT_READY_TAINT, KATA_RUNTIME_LABEL } from "../../schemas/names.ts";
import { stableId } from "../../shared/events.ts";
import { NODE_WATCHER } from "../../shared/sources/index.ts";
import { hintKey } from "../../shared/sources/kata-readiness.ts";
import { createNode, waitForNodeReady } from "../harness/nodes.ts";
import { settled } from "./outcomes.ts";
import type { DemoNames } from "./scenario.ts";
import { DEMO_NODE_LABEL, type DemoRuntime } from "./runtime.ts";
import type { Narrator, Wait } from "./steps.ts";

const hasNotReadyTaint = (node: V1Node): boolean =>
  (node.spec?.taints ?? []).some((t) => t.key === KATA_NOT_READY_TAINT);

export async function nodesJoin(say: Narrator, rt: DemoRuntime, names: DemoNames): Promise<void> {
  const core = rt.kube.config.makeApiClient(CoreV1Api);
  const created: V1Node[] = [];
  await say.step("three nodes join", 30_000, async () => {
    for (const n of names.nodes) {
      const labels = { ...n.labels, [DEMO_NODE_LABEL]: names.run };
      created.push(await createNode(core, { name: n.name, cpuFeatures: n.cpuFeatures, labels }));
    }
    for (const n of names.nodes) await waitForNodeReady(core, n.name);
    return {
      line: `nodes ${names.nodes.map((n) => n.name).join(", ")} join the cluster and report Ready (4 CPUs, 16 GiB each)`,
      result: "3 nodes Ready",
    };
  });
  for (const [i, n] of names.nodes.entries()) {
    await say.step(`node ${n.name} labelled`, 30_000, async (wait) => {
      await settled(
        wait,
        rt,
        { id: stableId(NODE_WATCHER.name, created[i]?.metadata?.uid ?? ""), source: NODE_WATCHER.source },
        "label-kata-node",
      );
      const node = await core.readNode({ name: n.name });
      const value = node.metadata?.labels?.[KATA_LABEL];
      const tainted = hasNotReadyTaint(node);
      return {
        line: `node ${n.name} (${n.cpu}) → ${KATA_LABEL}=${value}${tainted ? `, tainted ${KATA_NOT_READY_TAINT}:NoSchedule until Kata is installed` : ""}`,
        notes: i ? [] : ["node.joined by node-watcher → label-kata-node → node.kata-enabled"],
        result: `${KATA_LABEL}=${value}${tainted ? " + taint" : ""}`,
      };
    });
  }
}

/** The demo plays kata-deploy: it labels the capable nodes ready, and the platform lifts its taint. */
export async function kataInstalled(say: Narrator, rt: DemoRuntime, names: DemoNames): Promise<void> {
  const core = rt.kube.config.makeApiClient(CoreV1Api);
  for (const [i, n] of names.nodes.filter((node) => node.cpuFeatures.length).entries()) {
    await say.step(`kata-deploy installs Kata on ${n.name}`, 30_000, async (wait) => {
      // The watcher names its hint after the taint it answers (see kata-readiness.ts).
      const hint = stableId(
        NODE_WATCHER.name,
        hintKey(await core.readNode({ name: n.name }), "node.kata-ready"),
      );
      const path = `/metadata/labels/${KATA_RUNTIME_LABEL.replace("/", "~1")}`;
      await core.patchNode({ name: n.name, body: [{ op: "add", path, value: "true" }] });
      await settled(wait, rt, { id: hint, source: NODE_WATCHER.source }, "untaint-kata-node");
      const node = await core.readNode({ name: n.name });
      if (hasNotReadyTaint(node)) throw new Error(`${n.name} still carries ${KATA_NOT_READY_TAINT}`);
      return {
        line: `node ${n.name}: kata-deploy labels it ${KATA_RUNTIME_LABEL}=true → taint ${KATA_NOT_READY_TAINT} lifted`,
        notes: i ? [] : ["node.kata-ready by node-watcher → untaint-kata-node → node.kata-schedulable"],
        result: "Kata-ready, untainted",
      };
    });
  }
}

/** The pod once it runs, and its node: the scheduler placed it, KWOK (its kubelet) started it. */
export async function runningPod(
  wait: Wait,
  core: CoreV1Api,
  namespace: string,
  name: string,
): Promise<{ pod: V1Pod; node: V1Node }> {
  const pod = await wait(`pod ${namespace}/${name} Running`, async () => {
    const read = await core.readNamespacedPod({ name, namespace });
    return read.status?.phase === "Running" ? read : undefined;
  });
  const node = await core.readNode({ name: pod.spec?.nodeName ?? "" });
  return { pod, node };
}

/** How a node reads in the demo's lines: its name and whether Kata is installed there. */
export const describeNode = (node: V1Node): string =>
  `${node.metadata?.name} (${KATA_RUNTIME_LABEL}=${node.metadata?.labels?.[KATA_RUNTIME_LABEL] ?? "unset"})`;
