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
