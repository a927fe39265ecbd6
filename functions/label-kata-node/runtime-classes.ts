// The platform's Kata RuntimeClasses, shaped as kata-deploy makes them.
import type { KubernetesObject } from "@kubernetes/client-node";
import { MANAGED_BY } from "../../shared/kube-apply.ts";

/** kata-deploy's pod overhead per shim (the VM's own cost, added to the pod's requests). */
const OVERHEAD: Record<string, { memory: string; cpu: string }> = {
  qemu: { memory: "160Mi", cpu: "250m" },
  clh: { memory: "130Mi", cpu: "250m" },
  fc: { memory: "130Mi", cpu: "250m" },
  dragonball: { memory: "130Mi", cpu: "250m" },
};

export function runtimeClass(shim: string): KubernetesObject {
  return {
    apiVersion: "node.k8s.io/v1",
    kind: "RuntimeClass",
    metadata: { name: `kata-${shim}`, labels: { ...MANAGED_BY } },
    handler: `kata-${shim}`,
    overhead: { podFixed: OVERHEAD[shim] ?? { memory: "160Mi", cpu: "250m" } },
    // kata-deploy sets this label to "true" once the runtime is installed on the node.
    scheduling: { nodeSelector: { "katacontainers.io/kata-runtime": "true" } },
  } as KubernetesObject;
}
