import type { V1Node } from "@kubernetes/client-node";
import { kataCapability } from "./capability.ts";

const aNode = (labels: Record<string, string>, annotations: Record<string, string> = {}): V1Node => ({
  metadata: { name: "n", labels, annotations },
});

test.each([
  [
    "VMX on amd64",
    { "kubernetes.io/arch": "amd64", "feature.node.kubernetes.io/cpu-cpuid.VMX": "true" },
    {},
    true,
  ],
  [
    "SVM on amd64",
    { "kubernetes.io/arch": "amd64", "feature.node.kubernetes.io/cpu-cpuid.SVM": "true" },
    {},
    true,
  ],
  ["neither on amd64", { "kubernetes.io/arch": "amd64" }, {}, false],
  [
    "VMX not true",
    { "kubernetes.io/arch": "amd64", "feature.node.kubernetes.io/cpu-cpuid.VMX": "false" },
    {},
    false,
  ],
  ["arm64", { "kubernetes.io/arch": "arm64" }, {}, true],
  ["s390x", { "kubernetes.io/arch": "s390x" }, {}, true],
  ["riscv64, where Kata does not run", { "kubernetes.io/arch": "riscv64" }, {}, false],
  // A bare Node object reports an empty nodeInfo.architecture: unknown is not capable.
  ["no architecture at all, VMX or not", { "feature.node.kubernetes.io/cpu-cpuid.VMX": "true" }, {}, false],
  ["an empty arch label", { "kubernetes.io/arch": "" }, {}, false],
  ["forced on", { "kubernetes.io/arch": "amd64" }, { "icn.akraino.org/kata-override": "enabled" }, true],
  [
    "forced off",
    { "feature.node.kubernetes.io/cpu-cpuid.VMX": "true" },
    { "icn.akraino.org/kata-override": "unsupported" },
    false,
  ],
])("%s → capable %s", (_name, labels, annotations, capable) => {
  const result = kataCapability(aNode(labels, annotations));
  expect(result.capable).toBe(capable);
  expect(result.reason.length).toBeGreaterThan(0);
});

test("an unknown architecture says which label is missing", () => {
  const node: V1Node = { metadata: { name: "ghost" }, status: { nodeInfo: { architecture: "" } as never } };
  expect(kataCapability(node)).toEqual({
    capable: false,
    reason:
      "architecture unknown: the node has no kubernetes.io/arch label and reports none in status.nodeInfo",
  });
});
