// What the tenant day-2 suites share: the Kata RuntimeClasses, a Kata-ready node of their own (KWOK its kubelet), pods that run there.
import { CoreV1Api, type KubeConfig, type KubernetesObject, type V1Pod } from "@kubernetes/client-node";
import { runtimeClass } from "../../functions/label-kata-node/runtime-classes.ts";
import { KATA_RUNTIME_LABEL } from "../../schemas/names.ts";
import { apply } from "../../shared/kube-apply.ts";
import { kubeFromConfig } from "../../shared/kube.ts";
import { createNode, requireSchedulerAndKubelets, waitForNodeReady } from "../harness/nodes.ts";
import { uniqueName } from "../harness/servers.ts";
import { waitUntil } from "../runtime/support.ts";

/** kata-qemu and kata-clh as label-kata-node makes them, and runc, the class tenants may never use. */
export async function ensureRuntimeClasses(kc: KubeConfig): Promise<void> {
  const kube = kubeFromConfig(kc);
  for (const shim of ["qemu", "clh"]) await apply(kube, runtimeClass(shim), "test-setup");
  const runc = {
    apiVersion: "node.k8s.io/v1",
    kind: "RuntimeClass",
    metadata: { name: "runc" },
    handler: "runc",
  };
  await apply(kube, runc as KubernetesObject, "test-setup");
}

export interface KataNode {
  name: string;
  /** A pod only this node takes (its own taint), defaulted to the tenant's Kata class unless one is given. */
  aPod: (namespace: string, runtimeClassName?: string) => V1Pod;
  remove: () => Promise<void>;
}

/** A node kata-deploy has labelled ready, tainted for this suite alone so no other suite's pod lands on it. */
export async function aKataNode(kc: KubeConfig, prefix: string): Promise<KataNode> {
  requireSchedulerAndKubelets();
  const core = kc.makeApiClient(CoreV1Api);
  const taint = { key: "icn-test/day2", value: uniqueName(prefix), effect: "NoSchedule" };
  const node = await createNode(core, { labels: { [KATA_RUNTIME_LABEL]: "true" }, taints: [taint] });
  const name = node.metadata?.name ?? "";
  await waitForNodeReady(core, name);
  return {
    name,
    aPod: (namespace, runtimeClassName) => ({
      metadata: { name: uniqueName("app"), namespace, labels: { app: "web" } },
      spec: {
        runtimeClassName,
        tolerations: [{ ...taint, operator: "Equal" }],
        containers: [{ name: "app", image: "registry.example/app:1" }],
      },
    }),
    remove: () => core.deleteNode({ name }).then(() => undefined),
  };
}

/** Waits until the pod runs (scheduled onto the node, started by KWOK); returns it as the apiserver has it. */
export async function untilRunning(core: CoreV1Api, pod: V1Pod): Promise<V1Pod> {
  const { name = "", namespace = "" } = pod.metadata ?? {};
  return waitUntil(`pod ${namespace}/${name} Running`, async () => {
    const now = await core.readNamespacedPod({ name, namespace });
    return now.status?.phase === "Running" ? now : undefined;
  });
}

/** The pods still in a namespace (any phase). */
export async function podNames(core: CoreV1Api, namespace: string): Promise<string[]> {
  return (await core.listNamespacedPod({ namespace })).items.map((p) => p.metadata?.name ?? "");
}
