import type { V1Node } from "@kubernetes/client-node";
import { joinedNode, nodeSelector } from "./node-watcher.ts";

const aNode = (labels: Record<string, string> = {}, deleting = false): V1Node => ({
  metadata: { name: "intel-1", uid: "n-uid", labels, deletionTimestamp: deleting ? new Date() : undefined },
});

test("a node without a Kata decision joins with its name and uid", () => {
  expect(joinedNode(aNode({ "feature.node.kubernetes.io/cpu-cpuid.VMX": "true" }))).toEqual({
    node: "intel-1",
    uid: "n-uid",
  });
});

test.each([
  ["labelled enabled", aNode({ "icn.akraino.org/kata": "enabled" })],
  ["labelled unsupported", aNode({ "icn.akraino.org/kata": "unsupported" })],
  ["being deleted", aNode({}, true)],
])("a node %s is not announced", (_name, node) => {
  expect(joinedNode(node)).toBeUndefined();
});

test("the apiserver is asked only for undecided nodes, narrowed by an optional selector", () => {
  expect(nodeSelector()).toBe("!icn.akraino.org/kata");
  expect(nodeSelector("demo=abc")).toBe("!icn.akraino.org/kata,demo=abc");
});
