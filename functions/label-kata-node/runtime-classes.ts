// The platform's Kata RuntimeClasses, shaped as kata-deploy makes them.
import type { KubernetesObject } from "@kubernetes/client-node";
import { KATA_RUNTIME_LABEL } from "../../schemas/names.ts";
import { MANAGED_BY } from "../../shared/kube-apply.ts";

/** What a pod of the class costs beyond its containers' requests: the VM's own (RuntimeClass `overhead.podFixed`). */
export type PodOverhead = Partial<Record<"cpu" | "memory", string>>;

/** kata-deploy's pod overhead per shim; ICN_KATA_OVERHEAD_<SHIM> replaces it (options.ts). */
const OVERHEAD: Record<string, PodOverhead> = {
  qemu: { memory: "160Mi", cpu: "250m" },
  clh: { memory: "130Mi", cpu: "250m" },
  fc: { memory: "130Mi", cpu: "250m" },
  dragonball: { memory: "130Mi", cpu: "250m" },
};

export function defaultOverhead(shim: string): PodOverhead {
  return { ...(OVERHEAD[shim] ?? { memory: "160Mi", cpu: "250m" }) };
}

export function runtimeClass(shim: string, overhead: PodOverhead = defaultOverhead(shim)): KubernetesObject {
  return {
    apiVersion: "node.k8s.io/v1",
    kind: "RuntimeClass",
    metadata: { name: `kata-${shim}`, labels: { ...MANAGED_BY } },
    handler: `kata-${shim}`,
    overhead: { podFixed: overhead },
    // kata-deploy sets this label to "true" once the runtime is installed on the node.
    scheduling: { nodeSelector: { [KATA_RUNTIME_LABEL]: "true" } },
  } as KubernetesObject;
}
