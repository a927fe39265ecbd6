// Nodes as a cloud and its kubelet register them (capacity, NFD's CPU labels); on the embedded platform KWOK is that kubelet.
import type { CoreV1Api, V1Node, V1NodeCondition, V1Taint } from "@kubernetes/client-node";
import { status } from "../../deploy/local/platform.ts";
import { KWOK_NODE_ANNOTATION } from "../../deploy/local/servers.ts";
import { uniqueName } from "./servers.ts";

/** CPU virtualisation flags as Node Feature Discovery labels them (cpu-cpuid.<FLAG>=true). */
export const CPU_FEATURES = { intelVmx: "VMX", amdSvm: "SVM" } as const;
export type CpuFeature = (typeof CPU_FEATURES)[keyof typeof CPU_FEATURES];

export interface NodeShape {
  name?: string;
  arch?: "amd64" | "arm64";
  /** What the machine has; allocatable is the same unless given (nothing reserved for the system). */
  capacity?: { cpu: string; memory: string; pods: string };
  allocatable?: { cpu: string; memory: string; pods: string };
  cpuFeatures?: CpuFeature[];
  instanceType?: string;
  zone?: string;
  labels?: Record<string, string>;
  taints?: V1Taint[];
}

const DEFAULT_CAPACITY = { cpu: "4", memory: "16Gi", pods: "110" };

/** NFD's label for a CPU flag, e.g. feature.node.kubernetes.io/cpu-cpuid.VMX. */
export const cpuFeatureLabel = (feature: CpuFeature): string =>
  `feature.node.kubernetes.io/cpu-cpuid.${feature}`;

/** A fresh Node object as a kubelet registers it, with the labels the cloud and NFD add. */
export function aNode(shape: NodeShape = {}): V1Node {
  const name = shape.name ?? uniqueName("node");
  const arch = shape.arch ?? "amd64";
  const capacity = { ...(shape.capacity ?? DEFAULT_CAPACITY) };
  const features = Object.fromEntries((shape.cpuFeatures ?? []).map((f) => [cpuFeatureLabel(f), "true"]));
  return {
    apiVersion: "v1",
    kind: "Node",
    metadata: {
      name,
      labels: {
        "kubernetes.io/hostname": name,
        "kubernetes.io/os": "linux",
        "kubernetes.io/arch": arch,
        "node.kubernetes.io/instance-type": shape.instanceType ?? "icn.test.4x16",
        "topology.kubernetes.io/zone": shape.zone ?? "icn-test-a",
        ...features,
        ...shape.labels,
      },
      annotations: { [KWOK_NODE_ANNOTATION.key]: KWOK_NODE_ANNOTATION.value },
    },
    spec: { taints: shape.taints },
    status: {
      capacity,
      allocatable: { ...(shape.allocatable ?? capacity) },
      nodeInfo: {
        architecture: arch,
        operatingSystem: "linux",
        bootID: "",
        containerRuntimeVersion: "",
        kernelVersion: "",
        kubeProxyVersion: "",
        kubeletVersion: "",
        machineID: "",
        osImage: "",
        systemUUID: "",
      },
    },
  };
}

/** Registers the node; on the embedded platform KWOK then takes it on as its kubelet. */
export async function createNode(core: CoreV1Api, shape: NodeShape = {}): Promise<V1Node> {
  return core.createNode({ body: aNode(shape) });
}

export const readyCondition = (node: V1Node): V1NodeCondition | undefined =>
  node.status?.conditions?.find((c) => c.type === "Ready");

/** Resolves with the node once it reports Ready=True; the error names what should have made it so. */
export async function waitForNodeReady(core: CoreV1Api, name: string, timeoutMs = 30_000): Promise<V1Node> {
  const deadline = Date.now() + timeoutMs;
  let node = await core.readNode({ name });
  while (readyCondition(node)?.status !== "True") {
    if (Date.now() > deadline)
      throw new Error(
        `node ${name} did not become Ready in ${timeoutMs} ms (conditions: ${JSON.stringify(node.status?.conditions ?? [])}); ` +
          `on the embedded platform KWOK plays its kubelet: is kwok running (make status)?`,
      );
    await new Promise((r) => setTimeout(r, 200));
    node = await core.readNode({ name });
  }
  return node;
}

/**
 * Fails fast, naming the server, when the embedded platform runs without kube-scheduler or KWOK
 * (one started by older code, or a server that died). A cluster given by ICN_KUBECONFIG is not checked.
 */
export function requireSchedulerAndKubelets(): void {
  const { platform, servers } = status();
  if (!platform?.started.includes("kube-apiserver")) return;
  const missing = servers
    .filter((s) => (s.name === "kube-scheduler" || s.name === "kwok") && !s.running)
    .map((s) => s.name);
  if (missing.length)
    throw new Error(
      `${missing.join(" and ")} not running on the embedded platform (${platform.kubeconfig}): ` +
        `no pod would be scheduled or run; restart it with make down && make up`,
    );
}
