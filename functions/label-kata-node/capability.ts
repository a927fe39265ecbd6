// Can this node run Kata? Hardware virtualisation on amd64 (from node-feature-discovery), or an operator's word.
import type { V1Node } from "@kubernetes/client-node";

/** Operators force the decision either way: `enabled` or `unsupported`. */
export const OVERRIDE_ANNOTATION = "icn.akraino.org/kata-override";
export const NFD_VMX = "feature.node.kubernetes.io/cpu-cpuid.VMX";
export const NFD_SVM = "feature.node.kubernetes.io/cpu-cpuid.SVM";

export type Capability = { capable: boolean; reason: string };

export const ARCH_LABEL = "kubernetes.io/arch";
/** Kata's other architectures: no NFD flag to check there, kata-deploy decides. */
const OTHER_KATA_ARCHITECTURES: ReadonlySet<string> = new Set(["arm64", "s390x", "ppc64le"]);

/** The kubelet's label, else what it reported; empty when the node says neither. */
function architecture(node: V1Node): string {
  return (node.metadata?.labels?.[ARCH_LABEL] || node.status?.nodeInfo?.architecture || "").trim();
}

export function kataCapability(node: V1Node): Capability {
  const override = node.metadata?.annotations?.[OVERRIDE_ANNOTATION];
  if (override === "enabled")
    return { capable: true, reason: `forced by the ${OVERRIDE_ANNOTATION} annotation` };
  if (override === "unsupported")
    return { capable: false, reason: `forced off by the ${OVERRIDE_ANNOTATION} annotation` };
  const arch = architecture(node);
  // An architecture the node does not state is not a capable one: nothing says Kata could run there.
  if (!arch)
    return {
      capable: false,
      reason: `architecture unknown: the node has no ${ARCH_LABEL} label and reports none in status.nodeInfo`,
    };
  if (OTHER_KATA_ARCHITECTURES.has(arch))
    return { capable: true, reason: `${arch}: no CPU flag to check, kata-deploy decides` };
  if (arch !== "amd64") return { capable: false, reason: `${arch}: not an architecture Kata runs on` };
  const labels = node.metadata?.labels ?? {};
  if (labels[NFD_VMX] === "true") return { capable: true, reason: "amd64 with Intel VT-x (VMX)" };
  if (labels[NFD_SVM] === "true") return { capable: true, reason: "amd64 with AMD-V (SVM)" };
  return {
    capable: false,
    reason: `amd64 without ${NFD_VMX} or ${NFD_SVM} = "true" (is node-feature-discovery running?)`,
  };
}
