// Can this node run Kata? Hardware virtualisation on amd64 (from node-feature-discovery), or an operator's word.
import type { V1Node } from "@kubernetes/client-node";

/** Operators force the decision either way: `enabled` or `unsupported`. */
export const OVERRIDE_ANNOTATION = "icn.akraino.org/kata-override";
export const NFD_VMX = "feature.node.kubernetes.io/cpu-cpuid.VMX";
export const NFD_SVM = "feature.node.kubernetes.io/cpu-cpuid.SVM";

export type Capability = { capable: boolean; reason: string };

function architecture(node: V1Node): string {
  return node.metadata?.labels?.["kubernetes.io/arch"] ?? node.status?.nodeInfo?.architecture ?? "amd64";
}

export function kataCapability(node: V1Node): Capability {
  const override = node.metadata?.annotations?.[OVERRIDE_ANNOTATION];
  if (override === "enabled")
    return { capable: true, reason: `forced by the ${OVERRIDE_ANNOTATION} annotation` };
  if (override === "unsupported")
    return { capable: false, reason: `forced off by the ${OVERRIDE_ANNOTATION} annotation` };
  const arch = architecture(node);
  // Kata's other architectures (arm64, s390x, ppc64le) have no NFD flag to check; kata-deploy decides there.
  if (arch !== "amd64") return { capable: true, reason: `${arch}: no CPU flag to check` };
  const labels = node.metadata?.labels ?? {};
  if (labels[NFD_VMX] === "true") return { capable: true, reason: "amd64 with Intel VT-x (VMX)" };
  if (labels[NFD_SVM] === "true") return { capable: true, reason: "amd64 with AMD-V (SVM)" };
  return {
    capable: false,
    reason: `amd64 without ${NFD_VMX} or ${NFD_SVM} = "true" (is node-feature-discovery running?)`,
  };
}
